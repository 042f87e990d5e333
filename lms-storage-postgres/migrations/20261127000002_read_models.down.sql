DROP FUNCTION IF EXISTS lms_staff_course_json(courses, text), lms_achievement_json(achievements),
    lms_webinar_json(webinars), lms_attempt_json(attempts), lms_quiz_json(quizzes),
    lms_submission_json(submissions), lms_extension_json(extensions), lms_assignment_json(assignments),
    lms_lesson_json(lessons, boolean), lms_course_json(courses);
