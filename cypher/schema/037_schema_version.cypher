// the schema version node, so later releases can migrate
// params:
// returns:
MERGE (v:SchemaVersion {version: 1})
ON CREATE SET v.created = timestamp()
