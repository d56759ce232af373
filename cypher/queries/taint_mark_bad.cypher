// Record an Incident on a bad node and propagate it in one statement: (i)-[:FOUND_IN]->(bad), and
// (i)-[:TAINTS {hops, via, via_kind}]->(n) for every node downstream (BFS pruning expand; barrier
// executions neither reached nor passed) and every context those belong to (one hop further).
// via = the lowest-id predecessor one hop closer (TAINTS is the lookup), so each explaining path
// is rebuilt by following via. Contexts: via = member with fewest hops, artifacts first, lowest id.
// The bad node and every artifact/execution reached get the label :Tainted (GraSS styles by label;
// taint_incident_resolve removes it when no other open incident reaches the node).
// params: $kind, $id, $reason, $now, $barriers
// returns: incident, reached_count
CALL () {
  MATCH (s:Artifact {id: $id}) WHERE $kind = 'artifact' RETURN s
  UNION
  MATCH (s:Execution {id: $id}) WHERE $kind = 'execution' RETURN s
}
MERGE (cnt:Counter {kind: 'incident'})
ON CREATE SET cnt.value = 0
SET cnt.value = cnt.value + 1
CREATE (i:Incident {id: cnt.value, reason: $reason, created: $now, status: 'OPEN',
                    barrier_types: $barriers, source_kind: $kind, source_id: $id})
CREATE (i)-[:FOUND_IN]->(s)
WITH i, s
CALL (i, s) {
  MATCH p = (s) (()-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(x) WHERE NOT (x:Execution AND x.type IN $barriers))+ (u)
  WHERE u <> s
  WITH u, min(length(p)) AS hops
  CREATE (i)-[:TAINTS {hops: hops}]->(u)
}
CALL (i, s) {
  MATCH (i)-[t:TAINTS]->(u)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT]-(v)
  WHERE (t.hops = 1 AND v = s) OR EXISTS { MATCH (v)<-[t2:TAINTS]-(i) WHERE t2.hops = t.hops - 1 }
  WITH t, u, min(v.id) AS via
  SET t.via = via, t.via_kind = CASE WHEN u:Artifact THEN 'execution' ELSE 'artifact' END
}
CALL (i) {
  MATCH (i)-[t:TAINTS]->(n)-[:ATTRIBUTED_TO|ASSOCIATED_WITH]->(c:Context)
  WITH c, t, n
  ORDER BY t.hops, CASE WHEN n:Artifact THEN 0 ELSE 1 END, n.id
  WITH c, collect({hops: t.hops, id: n.id, kind: CASE WHEN n:Artifact THEN 'artifact' ELSE 'execution' END})[0] AS best
  CREATE (i)-[:TAINTS {hops: best.hops + 1, via: best.id, via_kind: best.kind}]->(c)
}
CALL (i) {
  MATCH (i)-[:FOUND_IN|TAINTS]->(n)
  WHERE n:Artifact OR n:Execution
  SET n:Tainted
}
RETURN i {.*} AS incident, COUNT { (i)-[:TAINTS]->() } AS reached_count
