// Incidents, newest first, optionally only those with a status.
// params: $status
// returns: incident, reached_count
MATCH (i:Incident)
WHERE $status IS NULL OR i.status = $status
RETURN i {.*} AS incident, COUNT { (i)-[:TAINTS]->() } AS reached_count
ORDER BY i.created DESC, i.id DESC
