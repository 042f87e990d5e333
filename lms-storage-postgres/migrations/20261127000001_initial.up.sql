-- The whole LMS schema on PostgreSQL. Constraints live here, not only in
-- code: foreign keys, unique enrolment, unique outbox de-dup key, one open
-- attempt per student and quiz, check constraints on scores and states.
-- Nested value objects (late policy, file limits, quiz settings, question
-- bodies, answers, results, notification payloads) are JSONB written and
-- read only through serde, so they round-trip exactly.

CREATE TABLE users (
    id              uuid PRIMARY KEY,
    email           text NOT NULL,
    display_name    text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    role            text NOT NULL CHECK (role IN ('admin', 'teacher', 'assistant', 'student')),
    locale          text NOT NULL CHECK (locale IN ('ru', 'en')),
    time_zone       text NOT NULL,
    active          boolean NOT NULL,
    created_at      timestamptz NOT NULL,
    password_hash   text,
    feed_token_hash text,
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_feed_token_key UNIQUE (feed_token_hash)
);

CREATE TABLE sessions (
    token_hash  text PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL CHECK (expires_at > created_at)
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE courses (
    id          uuid PRIMARY KEY,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description text NOT NULL,
    owner_id    uuid NOT NULL REFERENCES users (id),
    status      text NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    invite_code text,
    created_at  timestamptz NOT NULL,
    CONSTRAINT courses_invite_code_key UNIQUE (invite_code)
);
CREATE INDEX courses_owner_idx ON courses (owner_id);

CREATE TABLE course_assistants (
    course_id uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    user_id   uuid NOT NULL REFERENCES users (id),
    CONSTRAINT course_assistants_pkey PRIMARY KEY (course_id, user_id)
);
CREATE INDEX course_assistants_user_idx ON course_assistants (user_id);

CREATE TABLE enrollments (
    course_id   uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    student_id  uuid NOT NULL REFERENCES users (id),
    source      text NOT NULL CHECK (source IN ('staff', 'invite_code')),
    enrolled_at timestamptz NOT NULL,
    CONSTRAINT enrollments_pkey PRIMARY KEY (course_id, student_id)
);
CREATE INDEX enrollments_student_idx ON enrollments (student_id);

CREATE TABLE lessons (
    id          uuid PRIMARY KEY,
    course_id   uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body        text NOT NULL,
    position    integer NOT NULL CHECK (position >= 0),
    publish_at  timestamptz,
    attachments jsonb NOT NULL DEFAULT '[]',
    created_at  timestamptz NOT NULL,
    CONSTRAINT lessons_position_key UNIQUE (course_id, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE lesson_views (
    lesson_id  uuid NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
    student_id uuid NOT NULL REFERENCES users (id),
    viewed_at  timestamptz NOT NULL,
    CONSTRAINT lesson_views_pkey PRIMARY KEY (lesson_id, student_id)
);
CREATE INDEX lesson_views_student_idx ON lesson_views (student_id);

CREATE TABLE assignments (
    id              uuid PRIMARY KEY,
    course_id       uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    instructions    text NOT NULL,
    attachments     jsonb NOT NULL DEFAULT '[]',
    opens_at        timestamptz NOT NULL,
    due_at          timestamptz NOT NULL,
    cut_off_at      timestamptz,
    max_score       double precision NOT NULL CHECK (max_score > 0 AND max_score <= 100000),
    late_policy     jsonb NOT NULL,
    submission_kind text NOT NULL CHECK (submission_kind IN ('text', 'files', 'text_and_files')),
    file_limits     jsonb NOT NULL,
    published       boolean NOT NULL,
    created_at      timestamptz NOT NULL,
    CHECK (opens_at <= due_at),
    CHECK (cut_off_at IS NULL OR cut_off_at >= due_at)
);
CREATE INDEX assignments_course_due_idx ON assignments (course_id, due_at);
CREATE INDEX assignments_due_idx ON assignments (due_at) WHERE published;

CREATE TABLE extensions (
    assignment_id uuid NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    student_id    uuid NOT NULL REFERENCES users (id),
    due_at        timestamptz NOT NULL,
    cut_off_at    timestamptz,
    granted_by    uuid NOT NULL REFERENCES users (id),
    granted_at    timestamptz NOT NULL,
    CONSTRAINT extensions_pkey PRIMARY KEY (assignment_id, student_id),
    CHECK (cut_off_at IS NULL OR cut_off_at >= due_at)
);
CREATE INDEX extensions_due_idx ON extensions (due_at);

CREATE TABLE submissions (
    id              uuid PRIMARY KEY,
    assignment_id   uuid NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    student_id      uuid NOT NULL REFERENCES users (id),
    state           text NOT NULL CHECK (state IN ('submitted', 'submitted_late', 'returned_for_rework', 'graded')),
    raw_score       double precision CHECK (raw_score >= 0),
    kept_percent    smallint CHECK (kept_percent BETWEEN 0 AND 100),
    final_score     double precision CHECK (final_score >= 0),
    feedback        text,
    graded_by       uuid REFERENCES users (id),
    graded_at       timestamptz,
    graded_version  integer,
    rework_feedback text,
    latest_at       timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT submissions_student_key UNIQUE (assignment_id, student_id),
    CHECK (final_score IS NULL OR final_score <= raw_score),
    CHECK (state <> 'graded' OR final_score IS NOT NULL)
);
CREATE INDEX submissions_student_idx ON submissions (student_id);
CREATE INDEX submissions_pending_idx ON submissions (latest_at, id) WHERE state IN ('submitted', 'submitted_late');
CREATE INDEX submissions_assignment_pending_idx ON submissions (assignment_id, latest_at)
    WHERE state IN ('submitted', 'submitted_late');

CREATE TABLE submission_versions (
    id              uuid PRIMARY KEY,
    submission_id   uuid NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    number          integer NOT NULL CHECK (number >= 1),
    text            text,
    files           jsonb NOT NULL DEFAULT '[]',
    submitted_at    timestamptz NOT NULL,
    late            boolean NOT NULL,
    idempotency_key text,
    CONSTRAINT submission_versions_number_key UNIQUE (submission_id, number),
    CONSTRAINT submission_versions_idempotency_key UNIQUE (submission_id, idempotency_key)
);

CREATE TABLE grade_audit (
    id            uuid PRIMARY KEY,
    submission_id uuid NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    actor_id      uuid NOT NULL REFERENCES users (id),
    at            timestamptz NOT NULL,
    action        jsonb NOT NULL,
    feedback      text NOT NULL
);
CREATE INDEX grade_audit_submission_idx ON grade_audit (submission_id, at);

CREATE TABLE quizzes (
    id          uuid PRIMARY KEY,
    course_id   uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description text NOT NULL,
    settings    jsonb NOT NULL,
    published   boolean NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX quizzes_course_idx ON quizzes (course_id, created_at);

CREATE TABLE questions (
    id          uuid PRIMARY KEY,
    quiz_id     uuid NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
    position    integer NOT NULL CHECK (position >= 0),
    prompt      text NOT NULL,
    points      double precision NOT NULL CHECK (points >= 0 AND points <= 100000),
    body        jsonb NOT NULL,
    explanation text,
    CONSTRAINT questions_position_key UNIQUE (quiz_id, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE attempts (
    id             uuid PRIMARY KEY,
    quiz_id        uuid NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
    student_id     uuid NOT NULL REFERENCES users (id),
    number         integer NOT NULL CHECK (number >= 1),
    seed           bigint NOT NULL,
    question_order jsonb NOT NULL,
    started_at     timestamptz NOT NULL,
    deadline       timestamptz,
    state          text NOT NULL CHECK (state IN ('open', 'submitted', 'auto_submitted')),
    answers        jsonb NOT NULL DEFAULT '{}',
    saved_at       timestamptz,
    finished_at    timestamptz,
    result         jsonb,
    submit_key     text,
    CONSTRAINT attempts_number_key UNIQUE (quiz_id, student_id, number),
    CHECK ((state = 'open') = (finished_at IS NULL))
);
-- At most one open attempt per student and quiz, whatever the concurrency.
CREATE UNIQUE INDEX attempts_one_open_key ON attempts (quiz_id, student_id) WHERE state = 'open';
CREATE INDEX attempts_overdue_idx ON attempts (deadline) WHERE state = 'open';

CREATE TABLE webinars (
    id               uuid PRIMARY KEY,
    course_id        uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    starts_at        timestamptz NOT NULL,
    duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    provider         text NOT NULL CHECK (provider IN ('trueconf', 'telemost', 'external_link')),
    conference_id    text,
    join_url         text NOT NULL,
    host_url         text,
    state            text NOT NULL CHECK (state IN ('scheduled', 'cancelled')),
    created_by       uuid NOT NULL REFERENCES users (id),
    created_at       timestamptz NOT NULL
);
CREATE INDEX webinars_course_idx ON webinars (course_id, starts_at);
CREATE INDEX webinars_starts_idx ON webinars (starts_at) WHERE state = 'scheduled';

CREATE TABLE outbox (
    id              uuid PRIMARY KEY,
    dedup_key       text NOT NULL,
    recipient_id    uuid NOT NULL REFERENCES users (id),
    channel         text NOT NULL CHECK (channel IN ('email', 'telegram')),
    notification    jsonb NOT NULL,
    status          text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    lease_until     timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    CONSTRAINT outbox_dedup_key UNIQUE (dedup_key)
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_recipient_idx ON outbox (recipient_id, created_at DESC);

CREATE TABLE notification_preferences (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    channels   jsonb NOT NULL,
    quiet_from time,
    quiet_to   time,
    CHECK ((quiet_from IS NULL) = (quiet_to IS NULL))
);

CREATE TABLE telegram_chats (
    user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    chat_id bigint NOT NULL,
    CONSTRAINT telegram_chats_chat_key UNIQUE (chat_id)
);

CREATE TABLE telegram_tokens (
    token_hash text PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL
);

CREATE TABLE achievements (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    badge      text NOT NULL CHECK (badge IN ('first_homework', 'on_time_streak_5', 'perfect_quiz', 'course_completed')),
    -- The course for per-course badges; the nil UUID otherwise, so the
    -- primary key makes every badge unique per scope.
    course_id  uuid NOT NULL,
    awarded_at timestamptz NOT NULL,
    CONSTRAINT achievements_pkey PRIMARY KEY (user_id, badge, course_id)
);
