ALTER TABLE lessons DROP COLUMN published;
