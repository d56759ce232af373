// Upstream walk, one row per node: artifacts and executions the starts were derived from, each once.
// Used with a time budget, where the rows that arrived before it ran out are the answer.
// One-relationship QPP with inline predicates + DISTINCT: planned as VarLengthExpand(Pruning,BFS,All),
// so diamonds never enumerate paths. The depth placeholder is replaced by a validated int or nothing.
// params: $artifact_ids, $execution_ids, $as_of, $types, $kinds, $roots_only, $include_starts, $with_properties, $cap
// returns: id, kind, type, name, uri, state, create_time, props
CALL () {
  MATCH (s:Artifact) WHERE s.id IN $artifact_ids RETURN s
  UNION
  MATCH (s:Execution) WHERE s.id IN $execution_ids RETURN s
}
MATCH (s) (()<-[r:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT WHERE $as_of IS NULL OR coalesce(r.ts, 0) <= $as_of]-(x)
            WHERE $as_of IS NULL OR coalesce(x.create_time, 0) <= $as_of){0,/*max_depth*/} (u)
WITH DISTINCT u
WHERE ($include_starts
       OR NOT ((u:Artifact AND u.id IN $artifact_ids) OR (u:Execution AND u.id IN $execution_ids)))
  AND ($types IS NULL OR u.type IN $types)
  AND ($kinds IS NULL OR (u:Artifact AND 'artifact' IN $kinds) OR (u:Execution AND 'execution' IN $kinds))
  AND (NOT $roots_only OR NOT EXISTS {
        MATCH (u)<-[r2:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT]-(y)
        WHERE $as_of IS NULL OR (coalesce(r2.ts, 0) <= $as_of AND coalesce(y.create_time, 0) <= $as_of)
      })
RETURN u.id AS id, CASE WHEN u:Artifact THEN 'artifact' ELSE 'execution' END AS kind, u.type AS type,
       u.name AS name, u.uri AS uri, coalesce(u.state, u.last_known_state) AS state,
       u.create_time AS create_time,
       CASE WHEN $with_properties THEN [k IN keys(u) WHERE k CONTAINS '.' | [k, u[k]]] END AS props
LIMIT $cap
