// Why it failed: FAILED executions at or upstream of the start (for a context: of the executions
// of it and its descendant contexts), each with the last successful execution of the same type
// before it (by create_time, then id) in the same pipeline: one associated with a context that
// shares the failed execution's contexts or their CHILD_OF ancestors (e.g. the same Pipeline via
// another PipelineRun); of the same type anywhere only when the failed execution has no context.
// Snapshots of both. BFS pruning expands (each var-length step is followed by DISTINCT on its
// end); walk targets are unlabelled and filtered after DISTINCT so the planner cannot seek them
// by index and enumerate paths with VarLengthExpand(Into).
// The last success is read from the (type, create_time, id) index backwards from the failed
// execution, stopping at the first one in scope: ORDER BY the index's own keys makes the order
// index-provided (no sort of the type's executions); the tie at the failed execution's own
// create_time is its own bounded seek, so entries after it are never read. A candidate is in
// scope when one of its contexts, or an ancestor of one, is in the failed execution's scope (its
// contexts and their ancestors): the same as being associated with a descendant of the scope,
// without listing the pipeline. After $window candidates without one, the pipeline's executions
// are listed instead (a pipeline that never succeeded at the step costs its own size, not the
// type's whole history). The store always writes create_time, so the reference's "a missing
// time counts as 0" never applies here.
// params: $kind, $id, $success_states, $window
// returns: snaps
CALL () {
  MATCH (s:Artifact {id: $id}) WHERE $kind = 'artifact' RETURN s
  UNION
  MATCH (s:Execution {id: $id}) WHERE $kind = 'execution' RETURN s
  UNION
  MATCH (:Context {id: $id})<-[:CHILD_OF*0..]-(c)<-[:ASSOCIATED_WITH]-(s)
  WHERE $kind = 'context' AND 'Context' IN labels(c)
  RETURN s
}
MATCH (s)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*0..]-(f)
WITH DISTINCT f
WHERE f.last_known_state = 'FAILED' AND 'Execution' IN labels(f)
CALL (f) {
  OPTIONAL MATCH (f)-[:ASSOCIATED_WITH]->(:Context)-[:CHILD_OF*0..]->(x)
  WITH DISTINCT x
  RETURN collect(x) AS scope
}
OPTIONAL CALL (f, scope) {
  CALL (f, scope) {
    MATCH (g:Execution)
    WHERE g.type = f.type AND g.create_time = f.create_time AND g.id < f.id
    WITH g
    ORDER BY g.type DESC, g.create_time DESC, g.id DESC
    WHERE g.last_known_state IN $success_states
      AND (scope = []
           OR EXISTS { MATCH (g)-[:ASSOCIATED_WITH]->(c) WHERE c IN scope }
           OR EXISTS { MATCH (g)-[:ASSOCIATED_WITH]->(:Context)-[:CHILD_OF*1..]->(x)
                       WITH DISTINCT x WHERE x IN scope RETURN x })
    RETURN g
    LIMIT 1
    UNION ALL
    MATCH (g:Execution)
    WHERE g.type = f.type AND g.create_time < f.create_time AND g.id IS NOT NULL
    WITH g
    ORDER BY g.type DESC, g.create_time DESC, g.id DESC
    LIMIT $window
    WITH g
    WHERE g.last_known_state IN $success_states
      AND (scope = []
           OR EXISTS { MATCH (g)-[:ASSOCIATED_WITH]->(c) WHERE c IN scope }
           OR EXISTS { MATCH (g)-[:ASSOCIATED_WITH]->(:Context)-[:CHILD_OF*1..]->(x)
                       WITH DISTINCT x WHERE x IN scope RETURN x })
    RETURN g
    LIMIT 1
  }
  RETURN g
  ORDER BY g.create_time DESC, g.id DESC
  LIMIT 1
}
OPTIONAL CALL (f, scope, g) {
  // The condition sits in the seek (a null type matches nothing): as a filter the planner
  // would test it on every index entry, reading the type's whole history to return nothing.
  WITH f
  MATCH (e:Execution)
  WHERE e.type = CASE WHEN g IS NULL AND scope = [] THEN f.type END
    AND e.create_time < f.create_time AND e.id IS NOT NULL
  WITH e
  ORDER BY e.type DESC, e.create_time DESC, e.id DESC
  WHERE e.last_known_state IN $success_states
  RETURN e
  LIMIT 1
  UNION
  WITH f, scope
  WHERE g IS NULL AND scope <> []
    AND EXISTS { MATCH (e:Execution)
                 WHERE e.type = f.type AND e.create_time < f.create_time AND e.id IS NOT NULL
                 WITH e
                 ORDER BY e.type DESC, e.create_time DESC, e.id DESC
                 SKIP $window
                 RETURN e }
  UNWIND scope AS s
  MATCH (s)<-[:CHILD_OF*0..]-(c)
  WITH DISTINCT f, c
  MATCH (c)<-[:ASSOCIATED_WITH]-(e)
  WITH DISTINCT f, e
  WHERE e.type = f.type AND e.last_known_state IN $success_states
    AND (e.create_time < f.create_time OR (e.create_time = f.create_time AND e.id < f.id))
  RETURN e
  ORDER BY e.create_time DESC, e.id DESC
  LIMIT 1
}
WITH f, coalesce(g, e) AS g
WITH f, [y IN [f, g] WHERE y IS NOT NULL] AS xs
CALL (xs) {
  UNWIND xs AS x
  RETURN collect({id: x.id, type: x.type, name: x.name, state: x.last_known_state, create_time: x.create_time,
            props: [k IN keys(x) WHERE k CONTAINS '.' | [k, x[k]]],
            inputs: COLLECT { MATCH (a:Artifact)-[r:INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(x)
                              RETURN {id: a.id, type: a.type, name: a.name, uri: a.uri, event: type(r), path: r.path} },
            contexts: COLLECT { MATCH (x)-[:ASSOCIATED_WITH]->(c:Context)
                                RETURN {id: c.id, type: c.type, name: c.name, create_time: c.create_time,
                                        parents: COLLECT { MATCH (c)-[:CHILD_OF]->(p:Context) RETURN p.id }} },
            ancestors: COLLECT { MATCH (x)-[:ASSOCIATED_WITH]->(:Context)-[:CHILD_OF*1..]->(c:Context)
                                 WITH DISTINCT c
                                 RETURN {id: c.id, type: c.type, name: c.name, create_time: c.create_time,
                                         parents: COLLECT { MATCH (c)-[:CHILD_OF]->(p:Context) RETURN p.id }} }}) AS snaps
}
RETURN snaps
