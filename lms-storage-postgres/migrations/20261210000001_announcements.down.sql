DROP FUNCTION lms_student_course_json(courses, uuid, timestamptz, integer);
DROP FUNCTION lms_last_activity(uuid, uuid);
DROP FUNCTION lms_announcement_json(announcements, text, uuid[]);
DROP FUNCTION lms_announcements_read(uuid, text, uuid);
DROP TABLE announcement_groups;
DROP TABLE announcements;
