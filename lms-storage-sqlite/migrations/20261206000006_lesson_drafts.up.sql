-- Draft lessons: only the course's staff see a lesson that is not
-- published (0), whatever its publish date. Existing lessons stay published.
ALTER TABLE lessons ADD COLUMN published INTEGER NOT NULL DEFAULT 1 CHECK (published IN (0, 1));
