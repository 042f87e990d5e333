-- A course card's cover theme (lms-core CourseCover); NULL lets the UI pick
-- one from the title.
ALTER TABLE courses ADD COLUMN cover TEXT CHECK (cover IN ('math', 'physics', 'chemistry', 'biology', 'literature', 'languages', 'history', 'geography', 'programming', 'art', 'music', 'exam'));
