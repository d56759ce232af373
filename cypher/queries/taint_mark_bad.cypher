// Record an Incident on a bad node and what taint from it reached, as taint_preview found it in
// the same write transaction (hops and via chosen by store/lineage_rules.py, the rule both
// backends share): (i)-[:FOUND_IN]->(bad), and (i)-[:TAINTS {hops, via, via_kind}]->(n) for every
// node reached, so each explaining path is rebuilt by following via. The bad node and every
// artifact/execution reached get the label :Tainted (GraSS styles by label;
// taint_incident_resolve removes it when no other open incident reaches the node). No rows when
// the bad node does not exist.
// params: $kind, $id, $reason, $now, $barriers, $artifacts, $executions, $contexts
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
SET s:Tainted
WITH i
CALL (i) {
  UNWIND $artifacts AS t
  MATCH (n:Artifact {id: t.id})
  CREATE (i)-[:TAINTS {hops: t.hops, via: t.via, via_kind: t.via_kind}]->(n)
  SET n:Tainted
}
CALL (i) {
  UNWIND $executions AS t
  MATCH (n:Execution {id: t.id})
  CREATE (i)-[:TAINTS {hops: t.hops, via: t.via, via_kind: t.via_kind}]->(n)
  SET n:Tainted
}
CALL (i) {
  UNWIND $contexts AS t
  MATCH (n:Context {id: t.id})
  CREATE (i)-[:TAINTS {hops: t.hops, via: t.via, via_kind: t.via_kind}]->(n)
}
RETURN i {.*} AS incident, COUNT { (i)-[:TAINTS]->() } AS reached_count
