-- A calendar link its owner can be shown again: the token (looked up by
-- feed_token_hash, like before) and when it was made. Both or neither.
ALTER TABLE users
    ADD COLUMN feed_token text,
    ADD COLUMN feed_token_created_at timestamptz,
    ADD CONSTRAINT users_feed_link_complete
        CHECK ((feed_token IS NULL) = (feed_token_created_at IS NULL));
