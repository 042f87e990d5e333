DROP INDEX assignments_opening_idx;
