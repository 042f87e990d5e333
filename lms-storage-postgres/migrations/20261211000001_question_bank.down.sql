ALTER TABLE attempts DROP COLUMN drawn;
DROP TABLE bank_questions;
