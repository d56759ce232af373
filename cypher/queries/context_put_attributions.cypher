// Attributions: (artifact)-[:ATTRIBUTED_TO]->(context); idempotent.
// params: $rows
// returns: written
UNWIND $rows AS r
MATCH (a:Artifact {id: r.artifact_id})
MATCH (c:Context {id: r.context_id})
MERGE (a)-[l:ATTRIBUTED_TO]->(c)
RETURN count(l) AS written
