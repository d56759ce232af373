// Artifact nodes changed after a seq (subscribers' cursor)
// params:
// returns:
CREATE RANGE INDEX artifact_by_seq IF NOT EXISTS FOR (n:Artifact) ON (n.seq)
