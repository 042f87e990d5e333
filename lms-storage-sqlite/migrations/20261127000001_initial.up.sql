-- The whole LMS schema on SQLite: the same tables, keys and constraints as
-- the PostgreSQL schema, in SQLite's types. Every table is STRICT, so a value
-- of the wrong type is refused instead of stored.
--
-- How values are stored (the Rust side converts in src/error.rs):
-- * Instants: INTEGER microseconds since the Unix epoch, UTC (the precision
--   PostgreSQL keeps). Integers order and compare correctly, so range
--   queries and ORDER BY on deadlines, starts and retry times use plain
--   indexes.
-- * UUIDs: BLOB of the 16 bytes (sqlx's encoding of uuid::Uuid). Byte order
--   is the order of Uuid in Rust, so "ORDER BY id" agrees with the core.
--   Lists of ids are passed as a JSON array of hex strings and unpacked with
--   json_each + unhex.
-- * Booleans: INTEGER 0/1 with a CHECK.
-- * Value objects (late policy, file limits, quiz settings, question bodies,
--   answers, results, notification payloads): JSON TEXT written and read only
--   through serde, checked with json_valid.
-- * Times of day (quiet hours): TEXT "HH:MM:SS[.f]".
--
-- Unlike PostgreSQL, SQLite checks UNIQUE constraints row by row and cannot
-- defer them, so position renumbering (lessons, questions) moves the rows
-- out of the way first (see src/course.rs).

CREATE TABLE users (
    id              BLOB NOT NULL PRIMARY KEY,
    email           TEXT NOT NULL,
    display_name    TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    role            TEXT NOT NULL CHECK (role IN ('admin', 'teacher', 'assistant', 'student')),
    locale          TEXT NOT NULL CHECK (locale IN ('ru', 'en')),
    time_zone       TEXT NOT NULL,
    active          INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at      INTEGER NOT NULL,
    password_hash   TEXT,
    feed_token_hash TEXT,
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_feed_token_key UNIQUE (feed_token_hash)
) STRICT;

CREATE TABLE sessions (
    token_hash  TEXT NOT NULL PRIMARY KEY,
    user_id     BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL CHECK (expires_at > created_at)
) STRICT;
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE courses (
    id          BLOB NOT NULL PRIMARY KEY,
    title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description TEXT NOT NULL,
    owner_id    BLOB NOT NULL REFERENCES users (id),
    status      TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    invite_code TEXT,
    created_at  INTEGER NOT NULL,
    CONSTRAINT courses_invite_code_key UNIQUE (invite_code)
) STRICT;
CREATE INDEX courses_owner_idx ON courses (owner_id);
CREATE INDEX courses_created_idx ON courses (created_at);

CREATE TABLE course_assistants (
    course_id BLOB NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    user_id   BLOB NOT NULL REFERENCES users (id),
    CONSTRAINT course_assistants_pkey PRIMARY KEY (course_id, user_id)
) STRICT;
CREATE INDEX course_assistants_user_idx ON course_assistants (user_id);

CREATE TABLE enrollments (
    course_id   BLOB NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    student_id  BLOB NOT NULL REFERENCES users (id),
    source      TEXT NOT NULL CHECK (source IN ('staff', 'invite_code')),
    enrolled_at INTEGER NOT NULL,
    CONSTRAINT enrollments_pkey PRIMARY KEY (course_id, student_id)
) STRICT;
CREATE INDEX enrollments_student_idx ON enrollments (student_id);

CREATE TABLE lessons (
    id          BLOB NOT NULL PRIMARY KEY,
    course_id   BLOB NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body        TEXT NOT NULL,
    position    INTEGER NOT NULL CHECK (position >= 0),
    publish_at  INTEGER,
    attachments TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(attachments)),
    created_at  INTEGER NOT NULL,
    CONSTRAINT lessons_position_key UNIQUE (course_id, position)
) STRICT;

CREATE TABLE lesson_views (
    lesson_id  BLOB NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
    student_id BLOB NOT NULL REFERENCES users (id),
    viewed_at  INTEGER NOT NULL,
    CONSTRAINT lesson_views_pkey PRIMARY KEY (lesson_id, student_id)
) STRICT;
CREATE INDEX lesson_views_student_idx ON lesson_views (student_id);

CREATE TABLE assignments (
    id              BLOB NOT NULL PRIMARY KEY,
    course_id       BLOB NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    title           TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    instructions    TEXT NOT NULL,
    attachments     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(attachments)),
    opens_at        INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,
    cut_off_at      INTEGER,
    max_score       REAL NOT NULL CHECK (max_score > 0 AND max_score <= 100000),
    late_policy     TEXT NOT NULL CHECK (json_valid(late_policy)),
    submission_kind TEXT NOT NULL CHECK (submission_kind IN ('text', 'files', 'text_and_files')),
    file_limits     TEXT NOT NULL CHECK (json_valid(file_limits)),
    published       INTEGER NOT NULL CHECK (published IN (0, 1)),
    created_at      INTEGER NOT NULL,
    CHECK (opens_at <= due_at),
    CHECK (cut_off_at IS NULL OR cut_off_at >= due_at)
) STRICT;
CREATE INDEX assignments_course_due_idx ON assignments (course_id, due_at);
CREATE INDEX assignments_due_idx ON assignments (due_at) WHERE published = 1;

CREATE TABLE extensions (
    assignment_id BLOB NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    student_id    BLOB NOT NULL REFERENCES users (id),
    due_at        INTEGER NOT NULL,
    cut_off_at    INTEGER,
    granted_by    BLOB NOT NULL REFERENCES users (id),
    granted_at    INTEGER NOT NULL,
    CONSTRAINT extensions_pkey PRIMARY KEY (assignment_id, student_id),
    CHECK (cut_off_at IS NULL OR cut_off_at >= due_at)
) STRICT;
CREATE INDEX extensions_due_idx ON extensions (due_at);
CREATE INDEX extensions_student_idx ON extensions (student_id);

CREATE TABLE submissions (
    id              BLOB NOT NULL PRIMARY KEY,
    assignment_id   BLOB NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    student_id      BLOB NOT NULL REFERENCES users (id),
    state           TEXT NOT NULL CHECK (state IN ('submitted', 'submitted_late', 'returned_for_rework', 'graded')),
    raw_score       REAL CHECK (raw_score >= 0),
    kept_percent    INTEGER CHECK (kept_percent BETWEEN 0 AND 100),
    final_score     REAL CHECK (final_score >= 0),
    feedback        TEXT,
    graded_by       BLOB REFERENCES users (id),
    graded_at       INTEGER,
    graded_version  INTEGER,
    rework_feedback TEXT,
    latest_at       INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CONSTRAINT submissions_student_key UNIQUE (assignment_id, student_id),
    CHECK (final_score IS NULL OR final_score <= raw_score),
    CHECK (state <> 'graded' OR final_score IS NOT NULL)
) STRICT;
CREATE INDEX submissions_student_idx ON submissions (student_id);
CREATE INDEX submissions_pending_idx ON submissions (latest_at) WHERE state IN ('submitted', 'submitted_late');

CREATE TABLE submission_versions (
    id              BLOB NOT NULL PRIMARY KEY,
    submission_id   BLOB NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    number          INTEGER NOT NULL CHECK (number >= 1),
    text            TEXT,
    files           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(files)),
    submitted_at    INTEGER NOT NULL,
    late            INTEGER NOT NULL CHECK (late IN (0, 1)),
    idempotency_key TEXT,
    CONSTRAINT submission_versions_number_key UNIQUE (submission_id, number),
    CONSTRAINT submission_versions_idempotency_key UNIQUE (submission_id, idempotency_key)
) STRICT;

CREATE TABLE grade_audit (
    id            BLOB NOT NULL PRIMARY KEY,
    submission_id BLOB NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    actor_id      BLOB NOT NULL REFERENCES users (id),
    at            INTEGER NOT NULL,
    action        TEXT NOT NULL CHECK (json_valid(action)),
    feedback      TEXT NOT NULL
) STRICT;
CREATE INDEX grade_audit_submission_idx ON grade_audit (submission_id, at);

CREATE TABLE quizzes (
    id          BLOB NOT NULL PRIMARY KEY,
    course_id   BLOB NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description TEXT NOT NULL,
    settings    TEXT NOT NULL CHECK (json_valid(settings)),
    published   INTEGER NOT NULL CHECK (published IN (0, 1)),
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX quizzes_course_idx ON quizzes (course_id, created_at);

CREATE TABLE questions (
    id          BLOB NOT NULL PRIMARY KEY,
    quiz_id     BLOB NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL CHECK (position >= 0),
    prompt      TEXT NOT NULL,
    points      REAL NOT NULL CHECK (points >= 0 AND points <= 100000),
    body        TEXT NOT NULL CHECK (json_valid(body)),
    explanation TEXT,
    CONSTRAINT questions_position_key UNIQUE (quiz_id, position)
) STRICT;

CREATE TABLE attempts (
    id             BLOB NOT NULL PRIMARY KEY,
    quiz_id        BLOB NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
    student_id     BLOB NOT NULL REFERENCES users (id),
    number         INTEGER NOT NULL CHECK (number >= 1),
    seed           INTEGER NOT NULL,
    question_order TEXT NOT NULL CHECK (json_valid(question_order)),
    started_at     INTEGER NOT NULL,
    deadline       INTEGER,
    state          TEXT NOT NULL CHECK (state IN ('open', 'submitted', 'auto_submitted')),
    answers        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(answers)),
    saved_at       INTEGER,
    finished_at    INTEGER,
    result         TEXT CHECK (result IS NULL OR json_valid(result)),
    submit_key     TEXT,
    CONSTRAINT attempts_number_key UNIQUE (quiz_id, student_id, number),
    CHECK ((state = 'open') = (finished_at IS NULL))
) STRICT;
-- At most one open attempt per student and quiz, whatever the concurrency.
CREATE UNIQUE INDEX attempts_one_open_key ON attempts (quiz_id, student_id) WHERE state = 'open';
CREATE INDEX attempts_overdue_idx ON attempts (deadline) WHERE state = 'open';
CREATE INDEX attempts_student_idx ON attempts (student_id);

CREATE TABLE webinars (
    id               BLOB NOT NULL PRIMARY KEY,
    course_id        BLOB NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    title            TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    starts_at        INTEGER NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    provider         TEXT NOT NULL CHECK (provider IN ('trueconf', 'telemost', 'external_link')),
    conference_id    TEXT,
    join_url         TEXT NOT NULL,
    host_url         TEXT,
    state            TEXT NOT NULL CHECK (state IN ('scheduled', 'cancelled')),
    created_by       BLOB NOT NULL REFERENCES users (id),
    created_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX webinars_course_idx ON webinars (course_id, starts_at);
CREATE INDEX webinars_starts_idx ON webinars (starts_at) WHERE state = 'scheduled';

CREATE TABLE outbox (
    id              BLOB NOT NULL PRIMARY KEY,
    dedup_key       TEXT NOT NULL,
    recipient_id    BLOB NOT NULL REFERENCES users (id),
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'telegram')),
    notification    TEXT NOT NULL CHECK (json_valid(notification)),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    CONSTRAINT outbox_dedup_key UNIQUE (dedup_key)
) STRICT;
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_recipient_idx ON outbox (recipient_id, created_at DESC);

CREATE TABLE notification_preferences (
    user_id    BLOB NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    channels   TEXT NOT NULL CHECK (json_valid(channels)),
    quiet_from TEXT,
    quiet_to   TEXT,
    CHECK ((quiet_from IS NULL) = (quiet_to IS NULL))
) STRICT;

CREATE TABLE telegram_chats (
    user_id BLOB NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    chat_id INTEGER NOT NULL,
    CONSTRAINT telegram_chats_chat_key UNIQUE (chat_id)
) STRICT;

CREATE TABLE telegram_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE TABLE achievements (
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    badge      TEXT NOT NULL CHECK (badge IN ('first_homework', 'on_time_streak_5', 'perfect_quiz', 'course_completed')),
    -- The course for per-course badges; the nil UUID (16 zero bytes)
    -- otherwise, so the primary key makes every badge unique per scope.
    course_id  BLOB NOT NULL,
    awarded_at INTEGER NOT NULL,
    CONSTRAINT achievements_pkey PRIMARY KEY (user_id, badge, course_id)
) STRICT;
CREATE INDEX achievements_user_idx ON achievements (user_id, awarded_at);
