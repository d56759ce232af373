// Name, version and edition of the Neo4j server (for RESULTS.md).
// params: (none)
// returns: name, versions, edition
CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition
