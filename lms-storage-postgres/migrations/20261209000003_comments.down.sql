DROP TABLE comment_reads;
DROP TABLE submission_comments;
