// Resolve an incident; a second call keeps the first resolution and time (idempotent).
// params: $id, $resolution, $now
// returns: incident, reached_count
MATCH (i:Incident {id: $id})
WITH i, i.status = 'RESOLVED' AS done
SET i.resolution = CASE WHEN done THEN i.resolution ELSE $resolution END,
    i.resolved = CASE WHEN done THEN i.resolved ELSE $now END,
    i.status = 'RESOLVED'
RETURN i {.*} AS incident, COUNT { (i)-[:TAINTS]->() } AS reached_count
