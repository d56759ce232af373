// Memoization: (cached:Execution)-[:REUSED]->(original:Execution). A CACHED execution points
// at the execution whose outputs it reused; it is never a second producer of them.
// params: $rows
// returns: written
UNWIND $rows AS r
MATCH (e:Execution {id: r.execution_id})
MATCH (o:Execution {id: r.original_id})
MERGE (e)-[l:REUSED]->(o)
RETURN count(l) AS written
