// Artifact ids are unique (they come from the artifact Counter)
// params:
// returns:
CREATE CONSTRAINT artifact_id IF NOT EXISTS FOR (n:Artifact) REQUIRE n.id IS UNIQUE
