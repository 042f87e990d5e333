-- Files of a course or quiz become unattached drafts again.
DROP INDEX files_unattached_by_idx;
DROP INDEX files_unattached_idx;
DROP INDEX files_quiz_idx;
DROP INDEX files_course_idx;
ALTER TABLE files DROP COLUMN quiz_id;
ALTER TABLE files DROP COLUMN course_id;
CREATE INDEX files_unattached_idx ON files (uploaded_at, id)
    WHERE lesson_id IS NULL AND assignment_id IS NULL AND submission_id IS NULL;
CREATE INDEX files_unattached_by_idx ON files (uploaded_by)
    WHERE lesson_id IS NULL AND assignment_id IS NULL AND submission_id IS NULL;
