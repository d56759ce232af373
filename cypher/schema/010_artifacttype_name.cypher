// ArtifactType names are unique
// params:
// returns:
CREATE CONSTRAINT artifacttype_name IF NOT EXISTS FOR (n:ArtifactType) REQUIRE n.name IS UNIQUE
