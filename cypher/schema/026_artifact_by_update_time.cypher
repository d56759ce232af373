// Artifact nodes by update time (filters and ordering)
// params:
// returns:
CREATE RANGE INDEX artifact_by_update_time IF NOT EXISTS FOR (n:Artifact) ON (n.update_time)
