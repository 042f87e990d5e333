-- The in-app notification list (the bell): every message a user gets also
-- lands in the outbox as an entry of channel 'in_app', stored delivered
-- (status 'sent': the dispatcher claims only pending entries, no worker
-- sends it), which the user marks read (read_at, microseconds since the
-- epoch).
--
-- SQLite cannot change a CHECK constraint, so the table is rebuilt: the
-- same columns, keys and indexes as before (see the first migration), plus
-- read_at and the wider channel check. Nothing references the outbox, so
-- dropping the old table breaks no foreign key.
CREATE TABLE outbox_new (
    id              BLOB NOT NULL PRIMARY KEY,
    dedup_key       TEXT NOT NULL,
    recipient_id    BLOB NOT NULL REFERENCES users (id),
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'telegram', 'in_app')),
    notification    TEXT NOT NULL CHECK (json_valid(notification)),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    read_at         INTEGER,
    CONSTRAINT outbox_dedup_key UNIQUE (dedup_key)
) STRICT;
INSERT INTO outbox_new (id, dedup_key, recipient_id, channel, notification, status, attempts,
                        next_attempt_at, lease_until, last_error, created_at, sent_at)
    SELECT id, dedup_key, recipient_id, channel, notification, status, attempts,
           next_attempt_at, lease_until, last_error, created_at, sent_at
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_recipient_idx ON outbox (recipient_id, created_at DESC);
-- A user's list, newest first (NotificationStore::inbox).
CREATE INDEX outbox_inbox_idx ON outbox (recipient_id, created_at DESC, id DESC)
    WHERE channel = 'in_app';
-- The bell's unread count, and marking everything read.
CREATE INDEX outbox_unread_idx ON outbox (recipient_id)
    WHERE channel = 'in_app' AND read_at IS NULL;
