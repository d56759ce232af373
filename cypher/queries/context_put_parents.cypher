// Parent links: (child)-[:CHILD_OF]->(parent); idempotent.
// params: $rows
// returns: written
UNWIND $rows AS r
MATCH (c:Context {id: r.child_id})
MATCH (p:Context {id: r.parent_id})
MERGE (c)-[l:CHILD_OF]->(p)
RETURN count(l) AS written
