// Context nodes by create time (filters and ordering)
// params:
// returns:
CREATE RANGE INDEX context_by_create_time IF NOT EXISTS FOR (n:Context) ON (n.create_time)
