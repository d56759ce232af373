// Execution nodes of a type, newest first (create time, then id): "the last successful run of
// this step before X" (why-failed) reads index entries backwards from X and stops at the first
// match instead of sorting every execution of the type
// params:
// returns:
CREATE RANGE INDEX execution_by_type_and_create_time IF NOT EXISTS FOR (n:Execution) ON (n.type, n.create_time, n.id)
