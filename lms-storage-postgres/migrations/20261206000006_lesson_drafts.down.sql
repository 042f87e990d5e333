CREATE OR REPLACE FUNCTION lms_lesson_json(l lessons, with_body boolean) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', l.id, 'course_id', l.course_id, 'title', l.title,
        'body', CASE WHEN with_body THEN l.body ELSE '' END,
        'position', l.position, 'publish_at', l.publish_at, 'attachments', l.attachments,
        'created_at', l.created_at)
$$;

ALTER TABLE lessons DROP COLUMN published;
