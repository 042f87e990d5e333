-- Shared send rate limits (Telegram's per-chat and per-bot budgets): the
-- next free instant of each key in microseconds since the epoch.
CREATE TABLE send_slots (
    key TEXT PRIMARY KEY CHECK (length(key) <= 128),
    next_at INTEGER NOT NULL
) STRICT;
CREATE INDEX send_slots_next_idx ON send_slots (next_at);
