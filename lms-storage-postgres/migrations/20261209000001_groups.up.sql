-- Groups of a course's students (lms-core `group`): each with its mentors
-- (assistants of the course, in the order assigned), a student's group in
-- a course (enrollments.group_id: at most one per course) and the history
-- of their moves. Once a course has a group, its assistants see only the
-- students of the groups they mentor.

CREATE TABLE course_groups (
    id          uuid PRIMARY KEY,
    course_id   uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    invite_code text,
    archived_at timestamptz,
    created_at  timestamptz NOT NULL,
    -- Insertion order: breaks ties between groups created at one instant.
    seq         bigserial NOT NULL,
    CONSTRAINT course_groups_invite_code_key UNIQUE (invite_code),
    -- The target of enrollments (group_id, course_id): a student's group is
    -- always one of their course.
    CONSTRAINT course_groups_id_course_key UNIQUE (id, course_id)
);
CREATE INDEX course_groups_course_idx ON course_groups (course_id, created_at);

CREATE TABLE group_mentors (
    group_id uuid NOT NULL REFERENCES course_groups (id) ON DELETE CASCADE,
    user_id  uuid NOT NULL REFERENCES users (id),
    position integer NOT NULL CHECK (position >= 0),
    CONSTRAINT group_mentors_pkey PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_mentors_user_idx ON group_mentors (user_id);

ALTER TABLE enrollments
    ADD COLUMN group_id uuid,
    ADD CONSTRAINT enrollments_group_fkey FOREIGN KEY (group_id, course_id)
        REFERENCES course_groups (id, course_id);
CREATE INDEX enrollments_group_idx ON enrollments (group_id) WHERE group_id IS NOT NULL;

-- The groups named here are kept as they were: no foreign keys.
CREATE TABLE group_moves (
    seq        bigserial PRIMARY KEY,
    course_id  uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    student_id uuid NOT NULL REFERENCES users (id),
    from_group uuid,
    to_group   uuid,
    moved_by   uuid NOT NULL REFERENCES users (id),
    moved_at   timestamptz NOT NULL
);
CREATE INDEX group_moves_student_idx ON group_moves (course_id, student_id, seq);
