ALTER TABLE users DROP COLUMN feed_token_created_at;
ALTER TABLE users DROP COLUMN feed_token;
