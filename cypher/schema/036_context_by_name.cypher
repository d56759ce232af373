// Context nodes by name (filters and ordering)
// params:
// returns:
CREATE RANGE INDEX context_by_name IF NOT EXISTS FOR (n:Context) ON (n.name)
