DROP INDEX files_unattached_by_idx;
