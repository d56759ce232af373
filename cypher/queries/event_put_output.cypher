// Output events: (execution)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT {ts, path}]->(artifact).
// r.type comes from models.EventType (a closed set), checked in Python. Re-putting one is a no-op.
// params: $rows
// returns: written
UNWIND $rows AS r
MATCH (a:Artifact {id: r.artifact_id})
MATCH (e:Execution {id: r.execution_id})
MERGE (e)-[ev:$(r.type) {path: r.path}]->(a)
ON CREATE SET ev.ts = r.ts
RETURN count(ev) AS written
