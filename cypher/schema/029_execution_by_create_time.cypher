// Execution nodes by create time (filters and ordering)
// params:
// returns:
CREATE RANGE INDEX execution_by_create_time IF NOT EXISTS FOR (n:Execution) ON (n.create_time)
