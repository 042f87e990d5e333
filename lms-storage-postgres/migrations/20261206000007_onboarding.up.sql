-- Invitations by e-mail and password-reset links (only token hashes are kept).
CREATE TABLE invitations (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email       text NOT NULL,
    role        text NOT NULL CHECK (role IN ('admin', 'teacher', 'assistant', 'student')),
    course_ids  jsonb NOT NULL,
    invited_by  uuid NOT NULL,
    status      text NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked')),
    send_count  integer NOT NULL CHECK (send_count >= 0),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    closed_at   timestamptz,
    token_hash  text,
    CONSTRAINT invitations_token_key UNIQUE (token_hash)
);
CREATE INDEX invitations_pending ON invitations (user_id) WHERE status = 'pending';
CREATE INDEX invitations_newest ON invitations (created_at DESC, id);

CREATE TABLE password_resets (
    token_hash  text PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX password_resets_user ON password_resets (user_id);
CREATE INDEX password_resets_expiry ON password_resets (expires_at);
