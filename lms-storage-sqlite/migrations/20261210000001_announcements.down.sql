DROP TABLE announcement_groups;
DROP TABLE announcements;
