ALTER TABLE submission_comments DROP COLUMN files;
