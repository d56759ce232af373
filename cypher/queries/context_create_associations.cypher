// Associations with an end this transaction created (no such link can exist yet): CREATE
// instead of MERGE. Rows are distinct; r.n counts the input links each row stands for.
// params: $rows
// returns: written
UNWIND $rows AS r
MATCH (e:Execution {id: r.execution_id})
MATCH (c:Context {id: r.context_id})
CREATE (e)-[:ASSOCIATED_WITH]->(c)
RETURN sum(r.n) AS written
