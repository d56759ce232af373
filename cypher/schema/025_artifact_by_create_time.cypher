// Artifact nodes by create time (filters and ordering)
// params:
// returns:
CREATE RANGE INDEX artifact_by_create_time IF NOT EXISTS FOR (n:Artifact) ON (n.create_time)
