-- "New assignment" messages of work published to open later go out when
-- it opens: the reminder sweep looks assignments up by opening time.
CREATE INDEX assignments_opening_idx ON assignments (opens_at) WHERE published = 1;
