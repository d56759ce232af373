// Incidents, optionally only those with a status (the client puts them newest first).
// params: $status
// returns: incident, reached_count
MATCH (i:Incident)
WHERE $status IS NULL OR i.status = $status
RETURN i {.*} AS incident, COUNT { (i)-[:TAINTS]->() } AS reached_count
