// REUSED links touching these executions, from either end.
// params: $execution_ids, $original_ids
// returns: execution_id, original_id
MATCH (e:Execution)-[:REUSED]->(o:Execution)
WHERE e.id IN $execution_ids
RETURN e.id AS execution_id, o.id AS original_id
UNION
MATCH (e:Execution)-[:REUSED]->(o:Execution)
WHERE o.id IN $original_ids
RETURN e.id AS execution_id, o.id AS original_id
