// Import incidents under their own ids (WriteRules.import_incidents; every end was checked to
// exist): an id already stored is left as it is. Written as taint_mark_bad writes them:
// (i)-[:FOUND_IN]->(source), (i)-[:TAINTS {hops, via, via_kind}]->(reached), and for an OPEN
// incident the label :Tainted on its source and the artifacts/executions it reached.
// Row: id, reason, created, status, barrier_types, resolved, resolution, source_kind,
// source_id, reached: [{kind, id, hops, via, via_kind}].
// params: $rows
// returns: created
UNWIND $rows AS r
WITH r WHERE NOT EXISTS { MATCH (:Incident {id: r.id}) }
CREATE (i:Incident {id: r.id, reason: r.reason, created: r.created, status: r.status,
                    barrier_types: r.barrier_types, source_kind: r.source_kind,
                    source_id: r.source_id, resolved: r.resolved, resolution: r.resolution})
WITH r, i
CALL (r, i) {
  CALL (r) {
    MATCH (s:Artifact {id: r.source_id}) WHERE r.source_kind = 'artifact' RETURN s
    UNION
    MATCH (s:Execution {id: r.source_id}) WHERE r.source_kind = 'execution' RETURN s
  }
  CREATE (i)-[:FOUND_IN]->(s)
  FOREACH (_ IN CASE WHEN r.status = 'OPEN' THEN [1] ELSE [] END | SET s:Tainted)
}
CALL (r, i) {
  UNWIND r.reached AS t
  CALL (t) {
    MATCH (n:Artifact {id: t.id}) WHERE t.kind = 'artifact' RETURN n
    UNION
    MATCH (n:Execution {id: t.id}) WHERE t.kind = 'execution' RETURN n
    UNION
    MATCH (n:Context {id: t.id}) WHERE t.kind = 'context' RETURN n
  }
  CREATE (i)-[:TAINTS {hops: t.hops, via: t.via, via_kind: t.via_kind}]->(n)
  FOREACH (_ IN CASE WHEN r.status = 'OPEN' AND NOT n:Context THEN [1] ELSE [] END |
    SET n:Tainted)
}
RETURN count(i) AS created
