// listing Execution nodes by type
// params:
// returns:
CREATE RANGE INDEX execution_by_type IF NOT EXISTS FOR (n:Execution) ON (n.type)
