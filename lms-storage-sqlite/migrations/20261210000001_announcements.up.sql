-- Course announcements (lms-core `announcement`): a message of a course's
-- staff to all its students, or to some of its groups (announcement_groups;
-- none: the whole course). The author's name is read from users with the
-- announcement, not stored. A course's announcements read newest first, ties
-- broken by id (descending). Instants are microseconds since the epoch, ids
-- 16-byte BLOBs (see the first migration): ordering the BLOBs orders the ids.

CREATE TABLE announcements (
    id         BLOB NOT NULL PRIMARY KEY,
    course_id  BLOB NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    author_id  BLOB NOT NULL REFERENCES users (id),
    title      TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX announcements_course_idx ON announcements (course_id, created_at DESC, id DESC);

CREATE TABLE announcement_groups (
    announcement_id BLOB NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    group_id        BLOB NOT NULL REFERENCES course_groups (id),
    CONSTRAINT announcement_groups_pkey PRIMARY KEY (announcement_id, group_id)
) STRICT;
CREATE INDEX announcement_groups_group_idx ON announcement_groups (group_id);
