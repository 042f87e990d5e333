-- Question banks (lms-core `bank`): reusable questions of a course in
-- '/'-separated categories with tags, and the copies of bank questions an
-- attempt drew for its quiz's random slots.
--
-- A bank lists by category, then creation, then id. Categories compare
-- byte by byte (COLLATE "C", the order of Rust strings the core sorts by),
-- whatever the database's collation, so the index serves the list order.
-- search_text is what text search compares: the prompt's plain text in the
-- core's search form (lms_core::bank::search_key, lower case, ё as е), written
-- by the adapter with every write of the prompt; a search is strpos on it,
-- not a LIKE pattern. tags is a JSON array of strings (`tags ? 'tag'`).
-- version counts edits from 1; an edit names the version it replaces.

CREATE TABLE bank_questions (
    id          uuid PRIMARY KEY,
    course_id   uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    category    text COLLATE "C" NOT NULL CHECK (char_length(category) <= 200),
    tags        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tags) = 'array'),
    prompt      text NOT NULL,
    search_text text NOT NULL,
    points      double precision NOT NULL CHECK (points >= 0 AND points <= 100000),
    body        jsonb NOT NULL,
    explanation text,
    version     integer NOT NULL CHECK (version >= 1),
    author_id   uuid NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX bank_questions_course_idx ON bank_questions (course_id, category, created_at, id);

-- The questions an attempt drew from a bank, as they were when it started
-- (a JSON array of quiz questions); none for a quiz without random slots.
ALTER TABLE attempts ADD COLUMN drawn jsonb NOT NULL DEFAULT '[]';
