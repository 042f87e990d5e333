-- Login budgets shared by every HTTP node: one fixed-window counter per
-- account or client address (the key is a SHA-256 digest, so its length is
-- fixed and no e-mail address is stored here).
CREATE TABLE login_counters (
    key TEXT PRIMARY KEY CHECK (length(key) <= 128),
    count INTEGER NOT NULL CHECK (count >= 0),
    window_started_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_counters_window_idx ON login_counters (window_started_at);
