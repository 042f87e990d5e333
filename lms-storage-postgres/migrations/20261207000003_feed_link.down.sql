ALTER TABLE users
    DROP CONSTRAINT users_feed_link_complete,
    DROP COLUMN feed_token_created_at,
    DROP COLUMN feed_token;
