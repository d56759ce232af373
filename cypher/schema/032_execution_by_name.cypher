// Execution nodes by name (filters and ordering)
// params:
// returns:
CREATE RANGE INDEX execution_by_name IF NOT EXISTS FOR (n:Execution) ON (n.name)
