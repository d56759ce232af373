// listing Artifact nodes by type
// params:
// returns:
CREATE RANGE INDEX artifact_by_type IF NOT EXISTS FOR (n:Artifact) ON (n.type)
