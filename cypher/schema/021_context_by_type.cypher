// listing Context nodes by type
// params:
// returns:
CREATE RANGE INDEX context_by_type IF NOT EXISTS FOR (n:Context) ON (n.type)
