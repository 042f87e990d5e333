-- Back to the outbox of the first migration (rebuilt the same way); in-app
-- entries have no place in it and are dropped.
CREATE TABLE outbox_old (
    id              BLOB NOT NULL PRIMARY KEY,
    dedup_key       TEXT NOT NULL,
    recipient_id    BLOB NOT NULL REFERENCES users (id),
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'telegram')),
    notification    TEXT NOT NULL CHECK (json_valid(notification)),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    CONSTRAINT outbox_dedup_key UNIQUE (dedup_key)
) STRICT;
INSERT INTO outbox_old (id, dedup_key, recipient_id, channel, notification, status, attempts,
                        next_attempt_at, lease_until, last_error, created_at, sent_at)
    SELECT id, dedup_key, recipient_id, channel, notification, status, attempts,
           next_attempt_at, lease_until, last_error, created_at, sent_at
    FROM outbox WHERE channel <> 'in_app';
DROP TABLE outbox;
ALTER TABLE outbox_old RENAME TO outbox;
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_recipient_idx ON outbox (recipient_id, created_at DESC);
