// one SchemaVersion node per version
// params:
// returns:
CREATE CONSTRAINT schemaversion_version IF NOT EXISTS FOR (n:SchemaVersion) REQUIRE n.version IS UNIQUE
