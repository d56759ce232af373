// Every CHILD_OF edge above the given contexts (their ancestors' links), to check a batch
// of new parent links for cycles. WITH DISTINCT lets the planner prune the expansion
// breadth-first instead of enumerating paths.
// params: $ids
// returns: child_id, parent_id
UNWIND $ids AS id
MATCH (:Context {id: id})-[:CHILD_OF*0..]->(x:Context)
WITH DISTINCT x
MATCH (x)-[:CHILD_OF]->(p:Context)
RETURN x.id AS child_id, p.id AS parent_id
