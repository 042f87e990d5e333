DROP TABLE IF EXISTS achievements, telegram_tokens, telegram_chats, notification_preferences, outbox,
    webinars, attempts, questions, quizzes, grade_audit, submission_versions, submissions, extensions,
    assignments, lesson_views, lessons, enrollments, course_assistants, courses, sessions, users;
