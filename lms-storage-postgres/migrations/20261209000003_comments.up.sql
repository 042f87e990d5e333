-- Comment threads of submissions (lms-core `homework::CommentStore`): the
-- messages a student and the staff who grade them exchange about one piece
-- of work, and up to when each user read each thread. A thread reads
-- oldest first, ties broken by id.

CREATE TABLE submission_comments (
    id            uuid PRIMARY KEY,
    submission_id uuid NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    author_id     uuid NOT NULL REFERENCES users (id),
    body          text NOT NULL,
    created_at    timestamptz NOT NULL
);
CREATE INDEX submission_comments_thread_idx ON submission_comments (submission_id, created_at, id);

CREATE TABLE comment_reads (
    submission_id uuid NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users (id),
    read_at       timestamptz NOT NULL,
    CONSTRAINT comment_reads_pkey PRIMARY KEY (submission_id, user_id)
);
