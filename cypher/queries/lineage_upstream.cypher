// Upstream walk as of a time: artifacts and executions the starts were derived from, each once.
// With $created (one artifact start, $as_of null) the time is that artifact's creation, computed here
// (store/lineage_base.creation_time's rule) so "upstream as of its creation" is one round trip.
// One row: `rows` is a list of [id, is_artifact, type, name, uri, state, create_time, props, incidents],
// at most $cap of them (LIMIT before collect keeps the walk stoppable); `incidents` are the node's open
// incidents when $incidents is set and some incident is open (else null: no node is looked at).
// One record of lists decodes far faster than a record per node. DISTINCT over a one-relationship
// pattern plans as VarLengthExpand(Pruning,BFS,All): diamonds never enumerate paths. The depth
// placeholder is replaced by a validated int or nothing.
// params: $artifact_ids, $execution_ids, $as_of, $created, $types, $kinds, $roots_only, $include_starts, $with_properties, $incidents, $cap
// returns: rows
CALL () {
  MATCH (s:Artifact) WHERE s.id IN $artifact_ids RETURN s
  UNION
  MATCH (s:Execution) WHERE s.id IN $execution_ids RETURN s
}
// The starts as nodes: excluding them by identity below reads no property of the walked nodes.
WITH collect(s) AS starts
// Creation: the later of create_time and the earliest production (an output event, at the later of
// its timestamp and its execution's create_time); null without either (then: the current graph).
WITH starts, CASE WHEN $created AND $as_of IS NULL AND size(starts) = 1 AND starts[0]:Artifact
                  THEN starts[0] END AS made
WITH starts, made.create_time AS made_at,
     reduce(first = null, t IN CASE WHEN made IS NULL THEN [] ELSE
              [(made)<-[r:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(x:Execution)
                 WHERE r.ts IS NOT NULL OR x.create_time IS NOT NULL
                 | CASE WHEN r.ts IS NULL OR x.create_time > r.ts THEN x.create_time ELSE r.ts END] END
            | CASE WHEN first IS NULL OR t < first THEN t ELSE first END) AS produced_at
WITH starts, CASE WHEN made_at IS NULL AND produced_at IS NULL THEN $as_of
                  WHEN produced_at IS NULL OR made_at >= produced_at THEN made_at
                  ELSE produced_at END AS as_of
// Nothing in the store newer than as_of (seeks on the create_time and event ts indexes): the as-of
// graph is the current graph, walked without the per-hop time tests (half the walk's cost). Not for
// a negative time, where a missing time (counted as 0) would be newer than it.
WITH starts, CASE WHEN as_of >= 0
                   AND NOT EXISTS { MATCH (n:Artifact) WHERE n.create_time > as_of }
                   AND NOT EXISTS { MATCH (n:Execution) WHERE n.create_time > as_of }
                   AND NOT EXISTS { MATCH ()-[e:INPUT]->() WHERE e.ts > as_of }
                   AND NOT EXISTS { MATCH ()-[e:OUTPUT]->() WHERE e.ts > as_of }
                   AND NOT EXISTS { MATCH ()-[e:DECLARED_INPUT]->() WHERE e.ts > as_of }
                   AND NOT EXISTS { MATCH ()-[e:DECLARED_OUTPUT]->() WHERE e.ts > as_of }
                   AND NOT EXISTS { MATCH ()-[e:INTERNAL_INPUT]->() WHERE e.ts > as_of }
                   AND NOT EXISTS { MATCH ()-[e:INTERNAL_OUTPUT]->() WHERE e.ts > as_of }
                   AND NOT EXISTS { MATCH ()-[e:PENDING_OUTPUT]->() WHERE e.ts > as_of }
                  THEN null ELSE as_of END AS as_of
// DISTINCT inside the subquery: its input is one row, so it is over all starts' walks.
CALL (starts, as_of) {
  UNWIND starts AS s
  MATCH (s) (()<-[r:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT WHERE as_of IS NULL OR coalesce(r.ts, 0) <= as_of]-(x)
              WHERE as_of IS NULL OR coalesce(x.create_time, 0) <= as_of){0,/*max_depth*/} (u)
  RETURN DISTINCT u
}
WITH u, starts, as_of
WHERE CASE
        WHEN NOT $include_starts AND u IN starts THEN false
        WHEN $kinds IS NOT NULL AND NOT (CASE WHEN u:Artifact THEN 'artifact' ELSE 'execution' END) IN $kinds
          THEN false
        WHEN NOT ($types IS NULL OR u.type IN $types) THEN false
        WHEN NOT $roots_only THEN true
        ELSE NOT EXISTS {
          MATCH (u)<-[r2:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT]-(y)
          WHERE as_of IS NULL OR (coalesce(r2.ts, 0) <= as_of AND coalesce(y.create_time, 0) <= as_of)
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
