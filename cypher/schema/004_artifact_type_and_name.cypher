// (type, name) is unique among Artifact nodes, as in MLMD (unnamed nodes are exempt)
// params:
// returns:
CREATE CONSTRAINT artifact_type_and_name IF NOT EXISTS FOR (n:Artifact) REQUIRE (n.type, n.name) IS UNIQUE
