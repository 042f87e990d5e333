-- Comment threads of submissions (lms-core `homework::CommentStore`): the
-- messages a student and the staff who grade them exchange about one piece
-- of work, and up to when each user read each thread. A thread reads
-- oldest first, ties broken by id. Instants are microseconds since the
-- epoch, ids 16-byte BLOBs (see the first migration).

CREATE TABLE submission_comments (
    id            BLOB NOT NULL PRIMARY KEY,
    submission_id BLOB NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    author_id     BLOB NOT NULL REFERENCES users (id),
    body          TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX submission_comments_thread_idx ON submission_comments (submission_id, created_at, id);

CREATE TABLE comment_reads (
    submission_id BLOB NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    user_id       BLOB NOT NULL REFERENCES users (id),
    read_at       INTEGER NOT NULL,
    CONSTRAINT comment_reads_pkey PRIMARY KEY (submission_id, user_id)
) STRICT;
