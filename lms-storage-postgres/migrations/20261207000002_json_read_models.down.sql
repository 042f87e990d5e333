-- Back to the jsonb builders as the earlier migrations left them.

DROP FUNCTION lms_staff_course_json(courses, text, boolean);
DROP FUNCTION lms_submission_json(submissions, json);
DROP FUNCTION lms_version_json(submission_versions);
DROP FUNCTION lms_course_json(courses);
DROP FUNCTION lms_lesson_json(lessons, boolean);
DROP FUNCTION lms_assignment_json(assignments);
DROP FUNCTION lms_extension_json(extensions);
DROP FUNCTION lms_quiz_json(quizzes);
DROP FUNCTION lms_attempt_json(attempts, boolean);
DROP FUNCTION lms_webinar_json(webinars);
DROP FUNCTION lms_achievement_json(achievements);

CREATE FUNCTION lms_course_json(c courses)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$    SELECT jsonb_build_object(
        'id', c.id, 'title', c.title, 'description', c.description, 'owner_id', c.owner_id,
        'status', c.status, 'invite_code', c.invite_code, 'cover', c.cover, 'created_at', c.created_at)
$function$;

CREATE FUNCTION lms_lesson_json(l lessons, with_body boolean)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$    SELECT jsonb_build_object(
        'id', l.id, 'course_id', l.course_id, 'title', l.title,
        'body', CASE WHEN with_body THEN l.body ELSE '' END,
        'position', l.position, 'publish_at', l.publish_at, 'published', l.published,
        'attachments', l.attachments, 'created_at', l.created_at)
$function$;

CREATE FUNCTION lms_assignment_json(a assignments)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$    SELECT jsonb_build_object(
        'id', a.id, 'course_id', a.course_id, 'title', a.title, 'instructions', a.instructions,
        'attachments', a.attachments, 'opens_at', a.opens_at, 'due_at', a.due_at,
        'cut_off_at', a.cut_off_at, 'max_score', a.max_score, 'late_policy', a.late_policy,
        'submission_kind', a.submission_kind, 'file_limits', a.file_limits,
        'published', a.published, 'created_at', a.created_at)
$function$;

CREATE FUNCTION lms_extension_json(x extensions)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$    SELECT jsonb_build_object(
        'assignment_id', x.assignment_id, 'student_id', x.student_id, 'due_at', x.due_at,
        'cut_off_at', x.cut_off_at, 'granted_by', x.granted_by, 'granted_at', x.granted_at)
$function$;

CREATE FUNCTION lms_submission_json(s submissions)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$    SELECT jsonb_build_object(
        'id', s.id, 'assignment_id', s.assignment_id, 'student_id', s.student_id, 'state', s.state,
        'versions', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                'id', v.id, 'submission_id', v.submission_id, 'number', v.number, 'text', v.text,
                'files', v.files, 'submitted_at', v.submitted_at, 'late', v.late,
                'idempotency_key', v.idempotency_key) ORDER BY v.number)
            FROM submission_versions v WHERE v.submission_id = s.id), '[]'::jsonb),
        'grade', CASE WHEN s.final_score IS NULL THEN NULL ELSE jsonb_build_object(
            'raw_score', s.raw_score, 'kept_percent', s.kept_percent, 'final_score', s.final_score,
            'feedback', coalesce(s.feedback, ''), 'graded_by', s.graded_by, 'graded_at', s.graded_at,
            'version', s.graded_version) END,
        'rework_feedback', s.rework_feedback, 'updated_at', s.updated_at)
$function$;

CREATE FUNCTION lms_quiz_json(q quizzes)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$    SELECT jsonb_build_object(
        'id', q.id, 'course_id', q.course_id, 'title', q.title, 'description', q.description,
        'settings', q.settings, 'published', q.published, 'created_at', q.created_at)
$function$;

CREATE FUNCTION lms_attempt_json(t attempts)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$    SELECT jsonb_build_object(
        'id', t.id, 'quiz_id', t.quiz_id, 'student_id', t.student_id, 'number', t.number,
        'seed', CASE WHEN t.seed < 0 THEN t.seed::numeric + 18446744073709551616 ELSE t.seed::numeric END,
        'question_order', t.question_order, 'started_at', t.started_at, 'deadline', t.deadline,
        'state', t.state, 'answers', t.answers, 'saved_at', t.saved_at, 'finished_at', t.finished_at,
        'result', t.result, 'submit_key', t.submit_key)
$function$;

CREATE FUNCTION lms_webinar_json(w webinars)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$    SELECT jsonb_build_object(
        'id', w.id, 'course_id', w.course_id, 'title', w.title, 'starts_at', w.starts_at,
        'duration_minutes', w.duration_minutes, 'provider', w.provider,
        'conference_id', w.conference_id, 'join_url', w.join_url, 'host_url', w.host_url,
        'state', w.state, 'created_by', w.created_by, 'created_at', w.created_at)
$function$;

CREATE FUNCTION lms_achievement_json(a achievements)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$    SELECT jsonb_build_object(
        'user_id', a.user_id, 'badge', a.badge,
        'course_id', CASE WHEN a.course_id = '00000000-0000-0000-0000-000000000000' THEN NULL ELSE a.course_id END,
        'awarded_at', a.awarded_at)
$function$;

CREATE FUNCTION lms_staff_course_json(c courses, role text)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$    SELECT jsonb_build_object(
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
$function$;
