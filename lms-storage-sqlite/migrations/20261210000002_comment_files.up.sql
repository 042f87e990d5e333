-- Files attached to a message of a submission's comment thread (lms-core
-- SubmissionComment::files): the submission's files, as JSON text (an array
-- of FileRef in the order attached), kept like submission_versions.files.
-- Existing messages have none.
ALTER TABLE submission_comments ADD COLUMN files TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(files));
