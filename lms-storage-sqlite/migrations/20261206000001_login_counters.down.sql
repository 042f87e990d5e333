DROP TABLE IF EXISTS login_counters;
