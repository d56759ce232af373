// Event edges among the given artifacts and executions (both ends given), the way data flows.
// params: $artifact_ids, $execution_ids
// returns: source_kind, source_id, target_kind, target_id, type, ts
MATCH (a:Artifact)-[r:INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(e:Execution)
WHERE a.id IN $artifact_ids AND e.id IN $execution_ids
RETURN 'artifact' AS source_kind, a.id AS source_id, 'execution' AS target_kind, e.id AS target_id,
       type(r) AS type, r.ts AS ts
UNION ALL
MATCH (e:Execution)-[r:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(a:Artifact)
WHERE a.id IN $artifact_ids AND e.id IN $execution_ids
RETURN 'execution' AS source_kind, e.id AS source_id, 'artifact' AS target_kind, a.id AS target_id,
       type(r) AS type, r.ts AS ts
