// artifacts by uri
// params:
// returns:
CREATE RANGE INDEX artifact_by_uri IF NOT EXISTS FOR (n:Artifact) ON (n.uri)
