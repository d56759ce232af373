// The open incident already recorded for this source, reason and barriers, if any: marking the
// same node bad for the same reason again is a retry, not a second incident.
// params: $kind, $id, $reason, $barriers
// returns: incident, reached_count
MATCH (i:Incident {status: 'OPEN', source_kind: $kind, source_id: $id, reason: $reason})
WHERE i.barrier_types = $barriers
RETURN i {.*} AS incident, COUNT { (i)-[:TAINTS]->() } AS reached_count
ORDER BY i.id
LIMIT 1
