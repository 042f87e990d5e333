-- In-app entries have no place in the earlier schema: they are dropped.
DROP INDEX outbox_unread_idx;
DROP INDEX outbox_inbox_idx;
DELETE FROM outbox WHERE channel = 'in_app';
ALTER TABLE outbox
    DROP CONSTRAINT outbox_channel_check,
    ADD CONSTRAINT outbox_channel_check CHECK (channel IN ('email', 'telegram')),
    DROP COLUMN read_at;
