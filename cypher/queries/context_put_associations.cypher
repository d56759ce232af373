// Associations: (execution)-[:ASSOCIATED_WITH]->(context); idempotent.
// params: $rows
// returns: written
UNWIND $rows AS r
MATCH (e:Execution {id: r.execution_id})
MATCH (c:Context {id: r.context_id})
MERGE (e)-[l:ASSOCIATED_WITH]->(c)
RETURN count(l) AS written
