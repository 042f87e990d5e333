-- A calendar link its owner can be shown again: the token (looked up by
-- feed_token_hash, like before) and when it was made (microseconds since
-- the epoch). Both or neither.
ALTER TABLE users ADD COLUMN feed_token TEXT;
ALTER TABLE users ADD COLUMN feed_token_created_at INTEGER
    CHECK ((feed_token IS NULL) = (feed_token_created_at IS NULL));
