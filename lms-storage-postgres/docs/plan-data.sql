-- A synthetic school for checking query plans (see query-plans.md):
-- 50 teachers, 5,000 students, 200 courses of 25 students, 20 lessons,
-- 10 assignments and 3 quizzes of 5 questions each, hand-ins for most
-- assignments, finished attempts, 2 webinars per course, 50,000 outbox rows.
-- Run on a migrated, empty database: psql -f docs/plan-data.sql
BEGIN;
INSERT INTO users (id, email, display_name, role, locale, time_zone, active, created_at)
SELECT gen_random_uuid(), 't' || g || '@x.ru', 'Teacher ' || g, 'teacher', 'ru', 'Europe/Moscow', true, now()
FROM generate_series(1, 50) g;
INSERT INTO users (id, email, display_name, role, locale, time_zone, active, created_at)
SELECT gen_random_uuid(), 's' || g || '@x.ru', 'Student ' || g, 'student', 'ru', 'Europe/Moscow', true, now()
FROM generate_series(1, 5000) g;
INSERT INTO courses (id, title, description, owner_id, status, invite_code, created_at)
SELECT gen_random_uuid(), 'Course ' || g, '<p>x</p>',
       (SELECT id FROM users WHERE email = 't' || (1 + g % 50) || '@x.ru'), 'published', NULL, now() - g * interval '1 hour'
FROM generate_series(1, 200) g;
CREATE TEMP TABLE cs AS SELECT id, row_number() OVER (ORDER BY id) AS n FROM courses;
CREATE TEMP TABLE st AS SELECT id, row_number() OVER (ORDER BY id) AS n FROM users WHERE role = 'student';
INSERT INTO enrollments (course_id, student_id, source, enrolled_at)
SELECT cs.id, st.id, 'staff', now() FROM cs JOIN st ON (st.n - 1) / 25 = (cs.n - 1) % 200;
INSERT INTO lessons (id, course_id, title, body, position, publish_at, attachments, created_at)
SELECT gen_random_uuid(), cs.id, 'L' || g, '<p>body</p>', g - 1, now() + (g - 10) * interval '1 day', '[]', now()
FROM cs, generate_series(1, 20) g;
INSERT INTO assignments (id, course_id, title, instructions, attachments, opens_at, due_at, cut_off_at, max_score,
                         late_policy, submission_kind, file_limits, published, created_at)
SELECT gen_random_uuid(), cs.id, 'A' || g, '<p>do</p>', '[]', now() - interval '30 days',
       now() + (g - 5) * interval '2 days', NULL, 10, '{"kind":"no_penalty"}', 'text',
       '{"max_files":5,"max_file_size":1000,"allowed_extensions":[]}', true, now()
FROM cs, generate_series(1, 10) g;
INSERT INTO submissions (id, assignment_id, student_id, state, latest_at, updated_at)
SELECT gen_random_uuid(), a.id, e.student_id,
       CASE WHEN random() < 0.5 THEN 'submitted' ELSE 'submitted_late' END, now() - random() * interval '20 days', now()
FROM assignments a JOIN enrollments e ON e.course_id = a.course_id WHERE random() < 0.7;
INSERT INTO submission_versions (id, submission_id, number, text, files, submitted_at, late)
SELECT gen_random_uuid(), s.id, 1, '<p>answer</p>', '[]', s.latest_at, s.state = 'submitted_late' FROM submissions s;
UPDATE submissions SET state = 'graded', raw_score = 8, kept_percent = 100, final_score = 8, feedback = '<p>ok</p>',
       graded_by = (SELECT owner_id FROM courses c JOIN assignments a ON a.course_id = c.id WHERE a.id = assignment_id),
       graded_at = now(), graded_version = 1
WHERE random() < 0.6;
INSERT INTO quizzes (id, course_id, title, description, settings, published, created_at)
SELECT gen_random_uuid(), cs.id, 'Q' || g, '', '{"opens_at":null,"closes_at":null,"time_limit_minutes":30,"attempts_allowed":2,"scoring":"best","shuffle_questions":true,"shuffle_options":true,"reveal":"after_attempt"}', true, now()
FROM cs, generate_series(1, 3) g;
INSERT INTO questions (id, quiz_id, position, prompt, points, body, explanation)
SELECT gen_random_uuid(), q.id, g - 1, '<p>2+2?</p>', 1, '{"kind":"true_false","correct":true}', NULL
FROM quizzes q, generate_series(1, 5) g;
INSERT INTO attempts (id, quiz_id, student_id, number, seed, question_order, started_at, deadline, state, answers,
                      saved_at, finished_at, result, submit_key)
SELECT gen_random_uuid(), q.id, e.student_id, 1, 42, '[]', now() - interval '1 day', now(), 'submitted', '{}', NULL,
       now() - interval '23 hours', '{"per_question":{},"score":4,"max_score":5,"pending_manual":false}', NULL
FROM quizzes q JOIN enrollments e ON e.course_id = q.course_id WHERE random() < 0.8;
INSERT INTO webinars (id, course_id, title, starts_at, duration_minutes, provider, conference_id, join_url, host_url,
                      state, created_by, created_at)
SELECT gen_random_uuid(), c.id, 'W' || g, now() + g * interval '3 days', 60, 'external_link', NULL,
       'https://meet.example/' || g, NULL, 'scheduled', c.owner_id, now()
FROM courses c, generate_series(1, 2) g;
INSERT INTO outbox (id, dedup_key, recipient_id, channel, notification, status, attempts, next_attempt_at, created_at)
SELECT gen_random_uuid(), 'k' || g, st.id, 'email', '{"event":"achievement_awarded","badge":"first_homework","course_id":null,"quiz_id":null}',
       CASE WHEN g % 10 = 0 THEN 'pending' ELSE 'sent' END, 0, now() - interval '1 minute', now()
FROM generate_series(1, 50000) g JOIN st ON st.n = 1 + g % 5000;
COMMIT;
ANALYZE;
