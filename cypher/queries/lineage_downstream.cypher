// Downstream walk as of a time: artifacts and executions derived from the starts, each once.
// One row: `rows` is a list of [id, is_artifact, type, name, uri, state, create_time, props, incidents],
// at most $cap of them (LIMIT before collect keeps the walk stoppable); `incidents` are the node's open
// incidents when $incidents is set and some incident is open (else null: no node is looked at).
// One record of lists decodes far faster than a record per node. DISTINCT over a one-relationship pattern plans as
// VarLengthExpand(Pruning,BFS,All): diamonds never enumerate paths. The depth placeholder is replaced
// by a validated int or nothing.
// params: $artifact_ids, $execution_ids, $as_of, $types, $kinds, $roots_only, $include_starts, $with_properties, $incidents, $cap
// returns: rows
CALL () {
  MATCH (s:Artifact) WHERE s.id IN $artifact_ids RETURN s
  UNION
  MATCH (s:Execution) WHERE s.id IN $execution_ids RETURN s
}
// The starts as nodes: excluding them by identity below reads no property of the walked nodes.
WITH collect(s) AS starts
// DISTINCT inside the subquery: its input is one row, so it is over all starts' walks.
CALL (starts) {
  UNWIND starts AS s
  MATCH (s) (()-[r:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT WHERE $as_of IS NULL OR coalesce(r.ts, 0) <= $as_of]->(x)
              WHERE $as_of IS NULL OR coalesce(x.create_time, 0) <= $as_of){0,/*max_depth*/} (u)
  RETURN DISTINCT u
}
WITH u, starts
WHERE CASE
        WHEN NOT $include_starts AND u IN starts THEN false
        WHEN $kinds IS NOT NULL AND NOT (CASE WHEN u:Artifact THEN 'artifact' ELSE 'execution' END) IN $kinds
          THEN false
        WHEN NOT ($types IS NULL OR u.type IN $types) THEN false
        WHEN NOT $roots_only THEN true
        ELSE NOT EXISTS {
          MATCH (u)-[r2:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(y)
          WHERE $as_of IS NULL OR (coalesce(r2.ts, 0) <= $as_of AND coalesce(y.create_time, 0) <= $as_of)
        }
      END
WITH u LIMIT $cap
// Whether any incident is open: when none is (the common case), no node's incidents are looked at.
WITH collect(u) AS found
WITH found, CASE WHEN $incidents THEN EXISTS { MATCH (:Incident {status: 'OPEN'}) } ELSE false END AS marked
RETURN [u IN found | [u.id, u:Artifact, u.type, u.name, u.uri, coalesce(u.state, u.last_known_state),
                      u.create_time,
                      CASE WHEN $with_properties THEN [k IN keys(u) WHERE k CONTAINS '.' | [k, u[k]]] END,
                      CASE WHEN marked THEN [(u)<-[:FOUND_IN|TAINTS]-(i:Incident {status: 'OPEN'}) | i.id] END]] AS rows
