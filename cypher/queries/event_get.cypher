// Events touching any of the given artifacts or executions (either list may be empty).
// params: $artifact_ids, $execution_ids
// returns: artifact_id, execution_id, type, path, ts
UNWIND $artifact_ids AS id
MATCH (a:Artifact {id: id})-[ev:INPUT|OUTPUT|DECLARED_INPUT|DECLARED_OUTPUT|INTERNAL_INPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(e:Execution)
RETURN a.id AS artifact_id, e.id AS execution_id, type(ev) AS type, ev.path AS path, ev.ts AS ts
UNION
UNWIND $execution_ids AS id
MATCH (e:Execution {id: id})-[ev:INPUT|OUTPUT|DECLARED_INPUT|DECLARED_OUTPUT|INTERNAL_INPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(a:Artifact)
RETURN a.id AS artifact_id, e.id AS execution_id, type(ev) AS type, ev.path AS path, ev.ts AS ts
