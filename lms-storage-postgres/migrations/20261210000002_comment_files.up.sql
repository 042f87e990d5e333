-- Files attached to a message of a submission's comment thread (lms-core
-- SubmissionComment::files): the submission's files, as a JSON array of
-- FileRef in the order attached, stored like submission_versions.files.
-- Existing messages have none.
ALTER TABLE submission_comments ADD COLUMN files jsonb NOT NULL DEFAULT '[]';
