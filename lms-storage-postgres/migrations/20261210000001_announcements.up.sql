-- Course announcements (lms-core `announcement`): a message of a course's
-- staff to all its students, or to some of its groups (announcement_groups;
-- none: the whole course). The author's name is read from users with the
-- announcement, not stored. A course's announcements read newest first, ties
-- broken by id (descending).
--
-- The per-course document of the student dashboard moves into
-- lms_student_course_json, now with the latest announcements the student
-- reads and their last activity in the course, so that the snapshot of all
-- their courses and the read of one course share it; lms_last_activity is
-- shared with the course standings, lms_announcements_read with the list of
-- a course's announcements. Instants go into the documents as json_build_object
-- writes timestamptz (ISO 8601 with an offset), which serde reads back.

CREATE TABLE announcements (
    id         uuid PRIMARY KEY,
    course_id  uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    author_id  uuid NOT NULL REFERENCES users (id),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body       text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX announcements_course_idx ON announcements (course_id, created_at DESC, id DESC);

CREATE TABLE announcement_groups (
    announcement_id uuid NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    group_id        uuid NOT NULL REFERENCES course_groups (id),
    CONSTRAINT announcement_groups_pkey PRIMARY KEY (announcement_id, group_id)
);
CREATE INDEX announcement_groups_group_idx ON announcement_groups (group_id);

-- The announcements of `course` that `reader` reads as `audience`
-- ('everyone': the owner and admins, every one; 'student': those for the
-- whole course and for the student's current group; 'mentor': those for the
-- whole course, for the groups they mentor, and their own), in no order.
--
-- This function, lms_last_activity and lms_student_course_json are
-- set-returning single SELECTs called in FROM, which PostgreSQL inlines into
-- the calling query like a view (a scalar SQL function with subqueries is
-- run by the function executor instead, and planned again on every
-- execution of the query): the student dashboard stays one plan.
CREATE FUNCTION lms_announcements_read(course uuid, audience text, reader uuid) RETURNS SETOF announcements
LANGUAGE sql STABLE AS $$
    SELECT n.* FROM announcements n
    WHERE n.course_id = course
      AND (audience = 'everyone'
           OR NOT EXISTS (SELECT 1 FROM announcement_groups ag WHERE ag.announcement_id = n.id)
           OR (audience = 'student' AND EXISTS (
                   SELECT 1 FROM announcement_groups ag
                   JOIN enrollments e ON e.group_id = ag.group_id
                   WHERE ag.announcement_id = n.id AND e.course_id = n.course_id AND e.student_id = reader))
           OR (audience = 'mentor' AND (n.author_id = reader OR EXISTS (
                   SELECT 1 FROM announcement_groups ag
                   JOIN group_mentors gm ON gm.group_id = ag.group_id
                   WHERE ag.announcement_id = n.id AND gm.user_id = reader))))
$$;

-- `author_name`: the author's users.display_name; `group_ids`: its groups in
-- id order, e.g. ARRAY(SELECT g.group_id FROM announcement_groups g
-- WHERE g.announcement_id = n.id ORDER BY g.group_id).
CREATE FUNCTION lms_announcement_json(n announcements, author_name text, group_ids uuid[]) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', n.id, 'course_id', n.course_id, 'author_id', n.author_id, 'author_name', author_name,
        'title', n.title, 'body', n.body, 'group_ids', group_ids, 'created_at', n.created_at)
$$;

-- One row: the student's latest activity in the course, the latest of
-- their lesson views, hand-ins and attempt starts and finishes (NULL before
-- any; GREATEST skips NULLs). Call it in FROM, e.g.
-- (SELECT t FROM lms_last_activity(c.id, e.student_id) t).
CREATE FUNCTION lms_last_activity(course uuid, student uuid) RETURNS SETOF timestamptz
LANGUAGE sql STABLE ROWS 1 AS $$
    SELECT GREATEST(
        (SELECT max(v.viewed_at) FROM lesson_views v JOIN lessons l ON l.id = v.lesson_id
         WHERE l.course_id = course AND v.student_id = student),
        (SELECT max(s.latest_at) FROM submissions s JOIN assignments a ON a.id = s.assignment_id
         WHERE a.course_id = course AND s.student_id = student),
        (SELECT max(GREATEST(t.started_at, t.finished_at)) FROM attempts t JOIN quizzes q ON q.id = t.quiz_id
         WHERE q.course_id = course AND t.student_id = student))
$$;

-- One row: a course of a student's dashboard at `now`, what
-- StudentCourseData holds (published items only, whatever the course's
-- status), with the latest `max_announcements` announcements the student
-- reads. Call it in FROM: FROM courses c ..., lms_student_course_json(c, …) doc.
CREATE FUNCTION lms_student_course_json(c courses, student uuid, now timestamptz, max_announcements integer)
RETURNS SETOF json LANGUAGE sql STABLE ROWS 1 AS $$
    SELECT json_build_object(
        'course', lms_course_json(c),
        'lessons_visible', (SELECT count(*) FROM lessons l WHERE l.course_id = c.id AND l.published
                              AND (l.publish_at IS NULL OR l.publish_at <= now)),
        'lessons_viewed', (SELECT count(*) FROM lessons l
                             JOIN lesson_views v ON v.lesson_id = l.id AND v.student_id = student
                             WHERE l.course_id = c.id AND l.published
                               AND (l.publish_at IS NULL OR l.publish_at <= now)),
        'assignments', coalesce((SELECT json_agg(lms_assignment_json(a) ORDER BY a.due_at, a.id)
                                 FROM assignments a WHERE a.course_id = c.id AND a.published), '[]'::json),
        'extensions', coalesce((SELECT json_agg(lms_extension_json(x))
                                FROM extensions x JOIN assignments a ON a.id = x.assignment_id
                                WHERE a.course_id = c.id AND a.published AND x.student_id = student), '[]'::json),
        'submissions', coalesce((
            SELECT json_agg(lms_submission_json(s, (
                       SELECT coalesce(json_agg(lms_version_json(v) ORDER BY v.number), '[]'::json)
                       FROM submission_versions v WHERE v.submission_id = s.id))
                   ORDER BY s.latest_at, s.id)
            FROM submissions s JOIN assignments a ON a.id = s.assignment_id
            WHERE a.course_id = c.id AND s.student_id = student), '[]'::json),
        'quizzes', coalesce((SELECT json_agg(lms_quiz_json(q) ORDER BY q.created_at, q.id)
                             FROM quizzes q WHERE q.course_id = c.id AND q.published), '[]'::json),
        'attempts', coalesce((SELECT json_agg(lms_attempt_json(t, true) ORDER BY t.started_at, t.id)
                              FROM attempts t JOIN quizzes q ON q.id = t.quiz_id
                              WHERE q.course_id = c.id AND t.student_id = student), '[]'::json),
        'announcements', coalesce((
            SELECT json_agg(r.doc ORDER BY r.created_at DESC, r.id DESC)
            FROM (SELECT lms_announcement_json(n, u.display_name, ARRAY(
                             SELECT g.group_id FROM announcement_groups g WHERE g.announcement_id = n.id
                             ORDER BY g.group_id)) AS doc, n.created_at, n.id
                  FROM lms_announcements_read(c.id, 'student', student) n
                  JOIN users u ON u.id = n.author_id
                  ORDER BY n.created_at DESC, n.id DESC LIMIT max_announcements) r), '[]'::json),
        'last_activity', (SELECT t FROM lms_last_activity(c.id, student) t))
$$;
