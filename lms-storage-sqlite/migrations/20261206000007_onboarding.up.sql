-- Invitations by e-mail and password-reset links (only token hashes are kept).
CREATE TABLE invitations (
    id          BLOB NOT NULL PRIMARY KEY,
    user_id     BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'teacher', 'assistant', 'student')),
    course_ids  TEXT NOT NULL,
    invited_by  BLOB NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked')),
    send_count  INTEGER NOT NULL CHECK (send_count >= 0),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    closed_at   INTEGER,
    token_hash  TEXT,
    CONSTRAINT invitations_token_key UNIQUE (token_hash)
) STRICT;
CREATE INDEX invitations_pending ON invitations (user_id) WHERE status = 'pending';
CREATE INDEX invitations_newest ON invitations (created_at DESC, id);

CREATE TABLE password_resets (
    token_hash  TEXT NOT NULL PRIMARY KEY,
    user_id     BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX password_resets_user ON password_resets (user_id);
CREATE INDEX password_resets_expiry ON password_resets (expires_at);
