DROP TABLE group_moves;
DROP INDEX enrollments_group_idx;
ALTER TABLE enrollments DROP COLUMN group_id;
DROP TABLE group_mentors;
DROP TABLE course_groups;
