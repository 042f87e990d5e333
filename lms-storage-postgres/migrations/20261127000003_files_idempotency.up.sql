-- The file registry and idempotency records.
--
-- files: the metadata of every uploaded file (the bytes live in the file
-- store under storage_key) and what it belongs to: at most one of lesson,
-- assignment or submission; none means unattached (an upload not used yet,
-- cleaned up when old). Deleting the owner leaves the file unattached, so
-- the cleanup removes its bytes too.
CREATE TABLE files (
    id            uuid PRIMARY KEY,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    content_type  text NOT NULL,
    size          bigint NOT NULL CHECK (size >= 0),
    storage_key   text NOT NULL,
    uploaded_by   uuid NOT NULL REFERENCES users (id),
    uploaded_at   timestamptz NOT NULL,
    lesson_id     uuid REFERENCES lessons (id) ON DELETE SET NULL,
    assignment_id uuid REFERENCES assignments (id) ON DELETE SET NULL,
    submission_id uuid REFERENCES submissions (id) ON DELETE SET NULL,
    CONSTRAINT files_storage_key_key UNIQUE (storage_key),
    CONSTRAINT files_one_owner CHECK (num_nonnulls(lesson_id, assignment_id, submission_id) <= 1)
);
CREATE INDEX files_lesson_idx ON files (lesson_id) WHERE lesson_id IS NOT NULL;
CREATE INDEX files_assignment_idx ON files (assignment_id) WHERE assignment_id IS NOT NULL;
CREATE INDEX files_submission_idx ON files (submission_id) WHERE submission_id IS NOT NULL;
CREATE INDEX files_unattached_idx ON files (uploaded_at, id)
    WHERE lesson_id IS NULL AND assignment_id IS NULL AND submission_id IS NULL;

-- idempotency_keys: one record per (user, operation, client key). In
-- progress, it holds the key until locked_until; completed, it keeps the
-- response to replay until expires_at.
CREATE TABLE idempotency_keys (
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope        text NOT NULL,
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash text NOT NULL,
    state        text NOT NULL CHECK (state IN ('in_progress', 'completed')),
    locked_until timestamptz,
    status       integer CHECK (status BETWEEN 0 AND 65535),
    content_type text,
    body         bytea,
    expires_at   timestamptz,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (user_id, scope, key),
    CONSTRAINT idempotency_keys_record_check CHECK (
        (state = 'in_progress' AND locked_until IS NOT NULL)
        OR (state = 'completed' AND status IS NOT NULL AND content_type IS NOT NULL
            AND body IS NOT NULL AND expires_at IS NOT NULL)
    )
);
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys ((coalesce(expires_at, locked_until)));
