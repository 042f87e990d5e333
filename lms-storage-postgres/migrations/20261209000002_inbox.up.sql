-- The in-app notification list (the bell): every message a user gets also
-- lands in the outbox as an entry of channel 'in_app', stored delivered
-- (status 'sent': the dispatcher claims only pending entries, no worker
-- sends it), which the user marks read (read_at).
-- The channel check was declared on the column in the first migration, so
-- PostgreSQL named it outbox_channel_check.
ALTER TABLE outbox
    ADD COLUMN read_at timestamptz,
    DROP CONSTRAINT outbox_channel_check,
    ADD CONSTRAINT outbox_channel_check CHECK (channel IN ('email', 'telegram', 'in_app'));
-- A user's list, newest first (NotificationStore::inbox).
CREATE INDEX outbox_inbox_idx ON outbox (recipient_id, created_at DESC, id DESC)
    WHERE channel = 'in_app';
-- The bell's unread count, and marking everything read.
CREATE INDEX outbox_unread_idx ON outbox (recipient_id)
    WHERE channel = 'in_app' AND read_at IS NULL;
