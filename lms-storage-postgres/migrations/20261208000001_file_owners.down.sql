-- Files of a course or quiz become unattached drafts again.
DROP INDEX files_unattached_by_idx;
DROP INDEX files_unattached_idx;
DROP INDEX files_quiz_idx;
DROP INDEX files_course_idx;
ALTER TABLE files
    DROP CONSTRAINT files_one_owner,
    DROP COLUMN quiz_id,
    DROP COLUMN course_id,
    ADD CONSTRAINT files_one_owner CHECK (num_nonnulls(lesson_id, assignment_id, submission_id) <= 1);
CREATE INDEX files_unattached_idx ON files (uploaded_at, id)
    WHERE lesson_id IS NULL AND assignment_id IS NULL AND submission_id IS NULL;
CREATE INDEX files_unattached_by_idx ON files (uploaded_by)
    WHERE lesson_id IS NULL AND assignment_id IS NULL AND submission_id IS NULL;
