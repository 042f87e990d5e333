CREATE OR REPLACE FUNCTION lms_course_json(c courses) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', c.id, 'title', c.title, 'description', c.description, 'owner_id', c.owner_id,
        'status', c.status, 'invite_code', c.invite_code, 'created_at', c.created_at)
$$;

ALTER TABLE courses DROP COLUMN cover;
