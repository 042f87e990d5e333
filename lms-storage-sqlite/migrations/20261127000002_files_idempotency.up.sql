-- The file registry and idempotency records (the same tables as the
-- PostgreSQL schema, in this schema's storage conventions).
--
-- files: the metadata of every uploaded file (the bytes live in the file
-- store under storage_key) and what it belongs to: at most one of lesson,
-- assignment or submission; none means unattached (an upload not used yet,
-- cleaned up when old). Deleting the owner leaves the file unattached, so
-- the cleanup removes its bytes too.
CREATE TABLE files (
    id            BLOB NOT NULL PRIMARY KEY,
    name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL CHECK (size >= 0),
    storage_key   TEXT NOT NULL,
    uploaded_by   BLOB NOT NULL REFERENCES users (id),
    uploaded_at   INTEGER NOT NULL,
    lesson_id     BLOB REFERENCES lessons (id) ON DELETE SET NULL,
    assignment_id BLOB REFERENCES assignments (id) ON DELETE SET NULL,
    submission_id BLOB REFERENCES submissions (id) ON DELETE SET NULL,
    CONSTRAINT files_storage_key_key UNIQUE (storage_key),
    CONSTRAINT files_one_owner CHECK (
        (lesson_id IS NOT NULL) + (assignment_id IS NOT NULL) + (submission_id IS NOT NULL) <= 1
    )
) STRICT;
CREATE INDEX files_lesson_idx ON files (lesson_id) WHERE lesson_id IS NOT NULL;
CREATE INDEX files_assignment_idx ON files (assignment_id) WHERE assignment_id IS NOT NULL;
CREATE INDEX files_submission_idx ON files (submission_id) WHERE submission_id IS NOT NULL;
CREATE INDEX files_unattached_idx ON files (uploaded_at, id)
    WHERE lesson_id IS NULL AND assignment_id IS NULL AND submission_id IS NULL;

-- idempotency_keys: one record per (user, operation, client key). In
-- progress, it holds the key until locked_until; completed, it keeps the
-- response to replay until expires_at.
CREATE TABLE idempotency_keys (
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('in_progress', 'completed')),
    locked_until INTEGER,
    status       INTEGER CHECK (status BETWEEN 0 AND 65535),
    content_type TEXT,
    body         BLOB,
    expires_at   INTEGER,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (user_id, scope, key),
    CONSTRAINT idempotency_keys_record_check CHECK (
        (state = 'in_progress' AND locked_until IS NOT NULL)
        OR (state = 'completed' AND status IS NOT NULL AND content_type IS NOT NULL
            AND body IS NOT NULL AND expires_at IS NOT NULL)
    )
) STRICT;
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (coalesce(expires_at, locked_until));
