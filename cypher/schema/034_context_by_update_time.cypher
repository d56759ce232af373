// Context nodes by update time (filters and ordering)
// params:
// returns:
CREATE RANGE INDEX context_by_update_time IF NOT EXISTS FOR (n:Context) ON (n.update_time)
