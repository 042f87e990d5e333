-- A quiz's maximum is the sum of its questions' points, capped at the
-- largest number of points (100000) as `Points::sum` caps it: an uncapped
-- sum over 100000 could not be read back (a 500 on the staff dashboard,
-- statistics and gradebook).
CREATE OR REPLACE FUNCTION lms_staff_course_json(c courses, role text) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'course', lms_course_json(c),
        'role', role,
        'student_count', (SELECT count(*) FROM enrollments e WHERE e.course_id = c.id),
        'assignments', coalesce((SELECT jsonb_agg(lms_assignment_json(a) ORDER BY a.due_at, a.id)
                                 FROM assignments a WHERE a.course_id = c.id), '[]'::jsonb),
        'submissions', coalesce((SELECT jsonb_agg(lms_submission_json(s) ORDER BY s.latest_at, s.id)
                                 FROM submissions s JOIN assignments a ON a.id = s.assignment_id
                                 WHERE a.course_id = c.id), '[]'::jsonb),
        'quizzes', coalesce((SELECT jsonb_agg(lms_quiz_json(q) ORDER BY q.created_at, q.id)
                             FROM quizzes q WHERE q.course_id = c.id), '[]'::jsonb),
        'attempts', coalesce((SELECT jsonb_agg(lms_attempt_json(t) ORDER BY t.started_at, t.id)
                              FROM attempts t JOIN quizzes q ON q.id = t.quiz_id
                              WHERE q.course_id = c.id AND t.state <> 'open'), '[]'::jsonb),
        'quiz_max_scores', coalesce((SELECT jsonb_object_agg(q.id, (SELECT least(coalesce(sum(x.points), 0), 100000)
                                                                    FROM questions x WHERE x.quiz_id = q.id))
                                     FROM quizzes q WHERE q.course_id = c.id), '{}'::jsonb))
$$;
