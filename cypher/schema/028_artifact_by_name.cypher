// Artifact nodes by name (filters and ordering)
// params:
// returns:
CREATE RANGE INDEX artifact_by_name IF NOT EXISTS FOR (n:Artifact) ON (n.name)
