-- Pictures in a course's description, and in a quiz (its description, a
-- question's prompt or explanation), belong to the course or the quiz, so
-- whoever reads it reads them. A file still has at most one owner (each new
-- column's check), and deleting the owner leaves it unattached.
ALTER TABLE files ADD COLUMN course_id BLOB REFERENCES courses (id) ON DELETE SET NULL
    CHECK (course_id IS NULL
           OR (lesson_id IS NULL AND assignment_id IS NULL AND submission_id IS NULL));
ALTER TABLE files ADD COLUMN quiz_id BLOB REFERENCES quizzes (id) ON DELETE SET NULL
    CHECK (quiz_id IS NULL
           OR (lesson_id IS NULL AND assignment_id IS NULL AND submission_id IS NULL
               AND course_id IS NULL));
CREATE INDEX files_course_idx ON files (course_id) WHERE course_id IS NOT NULL;
CREATE INDEX files_quiz_idx ON files (quiz_id) WHERE quiz_id IS NOT NULL;

-- "Unattached" now means none of the five owners.
DROP INDEX files_unattached_idx;
CREATE INDEX files_unattached_idx ON files (uploaded_at, id)
    WHERE lesson_id IS NULL AND assignment_id IS NULL AND submission_id IS NULL
      AND course_id IS NULL AND quiz_id IS NULL;
DROP INDEX files_unattached_by_idx;
CREATE INDEX files_unattached_by_idx ON files (uploaded_by)
    WHERE lesson_id IS NULL AND assignment_id IS NULL AND submission_id IS NULL
      AND course_id IS NULL AND quiz_id IS NULL;
