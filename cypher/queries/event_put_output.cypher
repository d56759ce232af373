// Output events: (execution)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT {ts, path}]->(artifact).
// One statement per event type: __EVENT__ is an EventType name (a closed set), spliced by
// neo4j_tx.cypher (a MERGE on a dynamic $(type) is 10x slower). Re-putting one is a no-op.
// params: $rows
// returns: written
UNWIND $rows AS r
MATCH (a:Artifact {id: r.artifact_id})
MATCH (e:Execution {id: r.execution_id})
MERGE (e)-[ev:__EVENT__ {path: r.path}]->(a)
ON CREATE SET ev.ts = r.ts
RETURN count(ev) AS written
