// Execution nodes by update time (filters and ordering)
// params:
// returns:
CREATE RANGE INDEX execution_by_update_time IF NOT EXISTS FOR (n:Execution) ON (n.update_time)
