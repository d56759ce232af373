// Which of the given contexts exist, and every CHILD_OF edge above them (their ancestors'
// links): one round trip to refuse dangling parent links and to check new ones for cycles.
// WITH DISTINCT lets the planner prune the expansion breadth-first instead of enumerating
// paths.
// params: $ids
// returns: found, edges
UNWIND $ids AS id
MATCH (c:Context {id: id})
WITH collect(c) AS starts
CALL (starts) {
  UNWIND starts AS c
  MATCH (c)-[:CHILD_OF*0..]->(x:Context)
  WITH DISTINCT x
  MATCH (x)-[:CHILD_OF]->(p:Context)
  RETURN collect([x.id, p.id]) AS edges
}
RETURN [c IN starts | c.id] AS found, edges
