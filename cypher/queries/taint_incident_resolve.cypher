// Resolve an incident; a second call keeps the first resolution and time (idempotent). Nodes it
// marked :Tainted lose the label unless another OPEN incident still reaches them (FOUND_IN/TAINTS).
// params: $id, $resolution, $now
// returns: incident, reached_count
MATCH (i:Incident {id: $id})
WITH i, i.status = 'RESOLVED' AS done
SET i.resolution = CASE WHEN done THEN i.resolution ELSE $resolution END,
    i.resolved = CASE WHEN done THEN i.resolved ELSE $now END,
    i.status = 'RESOLVED'
WITH i
CALL (i) {
  MATCH (i)-[:FOUND_IN|TAINTS]->(n:Tainted)
  WHERE NOT EXISTS { MATCH (n)<-[:FOUND_IN|TAINTS]-(o:Incident) WHERE o.status = 'OPEN' }
  REMOVE n:Tainted
}
RETURN i {.*} AS incident, COUNT { (i)-[:TAINTS]->() } AS reached_count
