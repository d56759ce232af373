// Artifact external ids are unique, as in MLMD (nodes without one are exempt)
// params:
// returns:
CREATE CONSTRAINT artifact_external_id IF NOT EXISTS FOR (n:Artifact) REQUIRE n.external_id IS UNIQUE
