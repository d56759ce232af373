// artifacts by state
// params:
// returns:
CREATE RANGE INDEX artifact_by_state IF NOT EXISTS FOR (n:Artifact) ON (n.state)
