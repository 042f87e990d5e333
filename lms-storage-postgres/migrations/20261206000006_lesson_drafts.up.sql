-- Draft lessons: only the course's staff see a lesson that is not
-- published, whatever its publish date. Existing lessons stay published.
ALTER TABLE lessons ADD COLUMN published boolean NOT NULL DEFAULT true;

CREATE OR REPLACE FUNCTION lms_lesson_json(l lessons, with_body boolean) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', l.id, 'course_id', l.course_id, 'title', l.title,
        'body', CASE WHEN with_body THEN l.body ELSE '' END,
        'position', l.position, 'publish_at', l.publish_at, 'published', l.published,
        'attachments', l.attachments, 'created_at', l.created_at)
$$;
