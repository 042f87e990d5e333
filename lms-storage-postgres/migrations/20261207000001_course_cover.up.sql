-- A course card's cover theme (lms-core CourseCover); NULL lets the UI pick
-- one from the title. A new theme needs a migration that widens the check.
ALTER TABLE courses ADD COLUMN cover text
    CONSTRAINT courses_cover_check CHECK (cover IN ('math', 'physics', 'chemistry', 'biology', 'literature', 'languages', 'history', 'geography', 'programming', 'art', 'music', 'exam'));

CREATE OR REPLACE FUNCTION lms_course_json(c courses) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', c.id, 'title', c.title, 'description', c.description, 'owner_id', c.owner_id,
        'status', c.status, 'invite_code', c.invite_code, 'cover', c.cover, 'created_at', c.created_at)
$$;
