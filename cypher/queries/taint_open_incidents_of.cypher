// Open incidents found in or reaching these nodes: what every answer that shows a node carries.
// Every answer asks, so the common case costs nothing: when no incident is open (the first
// subquery finds none), no node of the answer is looked at.
// params: $artifact_ids, $execution_ids, $context_ids
// returns: kind, id, incidents
CALL () {
  MATCH (open:Incident {status: 'OPEN'}) RETURN open LIMIT 1
}
CALL () {
  MATCH (n:Artifact) WHERE n.id IN $artifact_ids RETURN n, 'artifact' AS kind
  UNION
  MATCH (n:Execution) WHERE n.id IN $execution_ids RETURN n, 'execution' AS kind
  UNION
  MATCH (n:Context) WHERE n.id IN $context_ids RETURN n, 'context' AS kind
}
WITH n, kind, [(n)<-[:FOUND_IN|TAINTS]-(i:Incident {status: 'OPEN'}) | i.id] AS incidents
WHERE size(incidents) > 0
RETURN kind, n.id AS id, incidents
