-- Groups of a course's students (lms-core `group`): each with its mentors
-- (assistants of the course, in the order assigned), a student's group in
-- a course (enrollments.group_id: at most one per course) and the history
-- of their moves. Once a course has a group, its assistants see only the
-- students of the groups they mentor. Instants are microseconds since the
-- epoch, ids 16-byte BLOBs (see the first migration).

CREATE TABLE course_groups (
    -- Insertion order (the rowid): breaks ties between groups created at
    -- one instant.
    seq         INTEGER PRIMARY KEY,
    id          BLOB NOT NULL,
    course_id   BLOB NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    invite_code TEXT,
    archived_at INTEGER,
    created_at  INTEGER NOT NULL,
    CONSTRAINT course_groups_id_key UNIQUE (id),
    CONSTRAINT course_groups_invite_code_key UNIQUE (invite_code)
) STRICT;
CREATE INDEX course_groups_course_idx ON course_groups (course_id, created_at);

CREATE TABLE group_mentors (
    group_id BLOB NOT NULL REFERENCES course_groups (id) ON DELETE CASCADE,
    user_id  BLOB NOT NULL REFERENCES users (id),
    position INTEGER NOT NULL CHECK (position >= 0),
    CONSTRAINT group_mentors_pkey PRIMARY KEY (group_id, user_id)
) STRICT;
CREATE INDEX group_mentors_user_idx ON group_mentors (user_id);

-- ALTER TABLE cannot add PostgreSQL's (group_id, course_id) key: that the
-- group is one of the enrolment's course is checked by the adapter
-- (src/group.rs) when it writes group_id.
ALTER TABLE enrollments ADD COLUMN group_id BLOB REFERENCES course_groups (id);
CREATE INDEX enrollments_group_idx ON enrollments (group_id) WHERE group_id IS NOT NULL;

-- The groups named here are kept as they were: no foreign keys.
CREATE TABLE group_moves (
    seq        INTEGER PRIMARY KEY,
    course_id  BLOB NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    student_id BLOB NOT NULL REFERENCES users (id),
    from_group BLOB,
    to_group   BLOB,
    moved_by   BLOB NOT NULL REFERENCES users (id),
    moved_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX group_moves_student_idx ON group_moves (course_id, student_id, seq);
