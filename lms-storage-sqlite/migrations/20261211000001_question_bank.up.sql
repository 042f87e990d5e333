-- Question banks (lms-core `bank`): reusable questions of a course in
-- '/'-separated categories with tags, and the copies of bank questions an
-- attempt drew for its quiz's random slots.
--
-- A bank lists by category, then creation, then id; categories compare with
-- SQLite's BINARY collation, byte by byte, the order of Rust strings the core
-- sorts by. search_text is what text search compares: the prompt's plain
-- text in the core's search form (lms_core::bank::search_key, lower case, ё
-- as е), written by the adapter with every write of the prompt; a search is
-- instr on it, not a LIKE pattern. tags is a JSON array of strings, read
-- with json_each. version counts edits from 1; an edit names the version it
-- replaces. Instants are microseconds since the epoch, ids 16-byte BLOBs
-- (see the first migration).

CREATE TABLE bank_questions (
    id          BLOB NOT NULL PRIMARY KEY,
    course_id   BLOB NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    category    TEXT NOT NULL CHECK (length(category) <= 200),
    tags        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    prompt      TEXT NOT NULL,
    search_text TEXT NOT NULL,
    points      REAL NOT NULL CHECK (points >= 0 AND points <= 100000),
    body        TEXT NOT NULL CHECK (json_valid(body)),
    explanation TEXT,
    version     INTEGER NOT NULL CHECK (version >= 1),
    author_id   BLOB NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX bank_questions_course_idx ON bank_questions (course_id, category, created_at, id);

-- The questions an attempt drew from a bank, as they were when it started
-- (a JSON array of quiz questions); none for a quiz without random slots.
ALTER TABLE attempts ADD COLUMN drawn TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(drawn));
