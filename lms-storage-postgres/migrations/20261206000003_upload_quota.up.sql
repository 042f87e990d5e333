-- The per-user quota of unattached uploads counts them by uploader.
CREATE INDEX files_unattached_by_idx ON files (uploaded_by)
    WHERE lesson_id IS NULL AND assignment_id IS NULL AND submission_id IS NULL;
