// Output events at least one of whose ends this transaction created (so no event between
// them can exist yet): CREATE instead of MERGE, no expansion to look for one. Rows are
// distinct; r.n counts the input events each row stands for.
// __EVENT__ is an EventType name (a closed set), spliced by neo4j_tx.cypher.
// params: $rows
// returns: written
UNWIND $rows AS r
MATCH (a:Artifact {id: r.artifact_id})
MATCH (e:Execution {id: r.execution_id})
CREATE (e)-[:__EVENT__ {path: r.path, ts: r.ts}]->(a)
RETURN sum(r.n) AS written
