// ArtifactType ids are unique (they come from the type Counter)
// params:
// returns:
CREATE CONSTRAINT artifacttype_id IF NOT EXISTS FOR (n:ArtifactType) REQUIRE n.id IS UNIQUE
