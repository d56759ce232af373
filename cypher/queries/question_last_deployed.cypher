// The start's newest deployment (question 6, "last deployed"): the same answer as
// question_deployments' rows folded by lineage_base.latest_deployment, without building them
// all. Only the start's own events are enumerated, with their time and action (no model walk,
// no targets, no histories); the newest push / deploy / rollback among them (by at, execution
// id, pushed id, action) gets its model and targets; its target is the one with the highest id
// (the last of its events in the full answer), and it is live when no event at that target
// comes after it (an alias target is never live). The events at a target: the recorded events
// associated with it; for a deployment-role target, the pushes placed there (artifact
// attributed to it, or execution associated with it); for a root context, the pushes of its
// executions (and of its descendants') placed nowhere whose roots choose it. When the target
// is within a context start's scope, every push there is the start's own (so none is newer
// than the chosen one) and only recorded events are looked at.
// A push without any target returns target null: the store then takes the full answer (what
// is live at "no target" depends on every event that reaches no target).
// Own executions as question_deployments; the recorded events of a context's artifacts are
// found from the Deploy / Undeploy / SetAlias executions (type index) when there are no more
// of them than artifacts attributed to the scope, else from those artifacts (a raw dataset
// may feed 100k executions).
// params: $kind, $id, $roles_type, $roles_name, $role_defaults, $explicit, $event_types
// returns: action, at, execution, model, pushed, target, live
CALL () {
  OPTIONAL MATCH (rm:Context {type: $roles_type, name: $roles_name})
  RETURN [k IN coalesce(keys(rm), []) WHERE k STARTS WITH 'c.' | [substring(k, 2), rm[k]]] AS stored
}
WITH [p IN $role_defaults WHERE NOT p[0] IN [s IN stored | s[0]]] + stored AS roles
WITH coalesce($explicit.model, [p IN roles WHERE p[1] = 'model' | p[0]]) AS model_types,
     coalesce($explicit.deployment, [p IN roles WHERE p[1] = 'deployment' | p[0]]) AS deploy_types,
     coalesce($explicit.training, [p IN roles WHERE p[1] = 'training' | p[0]]) AS training_types,
     coalesce($explicit.evaluation, [p IN roles WHERE p[1] = 'evaluation' | p[0]])
       + coalesce($explicit.statistics, [p IN roles WHERE p[1] = 'statistics' | p[0]]) AS not_models,
     coalesce($explicit.pipeline, [p IN roles WHERE p[1] = 'pipeline' | p[0]]) AS pipeline_types
// A context start's scope: it and its descendants.
WITH model_types, deploy_types, training_types, not_models, pipeline_types,
     COLLECT { MATCH (s:Context {id: $id}) WHERE $kind = 'context'
               MATCH (s)<-[:CHILD_OF*0..]-(c)
               WITH DISTINCT c WHERE 'Context' IN labels(c)
               RETURN c } AS scope
// How many recorded events there are (type index) and whether any execution reused another
// (count store): the cheaper side of a join, and no REUSED expansions when there is none.
WITH model_types, deploy_types, training_types, not_models, pipeline_types, scope,
     COUNT { MATCH (e:Execution) WHERE e.type IN $event_types } AS n_events,
     COUNT { ()-[:REUSED]->() } > 0 AS reuses
WITH model_types, deploy_types, training_types, not_models, pipeline_types, scope, n_events, reuses,
     size(scope) > 0 AND n_events <= reduce(n = 0, c IN scope | n + COUNT { (c)<-[:ATTRIBUTED_TO]-() }) AS events_first
// 1. The start's own executions. Only executions are ASSOCIATED_WITH, only artifacts
// ATTRIBUTED_TO, so those ends need no label test. UNION ALL (duplicates are harmless here):
// UNION would hash the imported lists (scope, own) into every row's key; a COLLECT, not an
// aggregation, so that scope is not a grouping key either.
WITH model_types, deploy_types, training_types, not_models, pipeline_types, scope, n_events, reuses,
     COLLECT {
CALL (deploy_types, scope, events_first) {
  CALL () {
    MATCH (s:Artifact {id: $id}) WHERE $kind = 'artifact'
    MATCH (s)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*0..]->(d)
    RETURN DISTINCT d
    UNION
    MATCH (s:Execution {id: $id}) WHERE $kind = 'execution'
    MATCH (s)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*0..]->(d)
    RETURN DISTINCT d
  }
  CALL (d, deploy_types) {
    WITH d WHERE 'Execution' IN labels(d)
    RETURN d AS x
    UNION
    WITH d WHERE 'Artifact' IN labels(d) AND d.type IN deploy_types
    MATCH (d)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(x)
    RETURN x
  }
  RETURN x
  UNION ALL
  UNWIND scope AS c
  MATCH (c)<-[:ASSOCIATED_WITH]-(x)
  RETURN x
  UNION ALL
  UNWIND scope AS c
  MATCH (c)<-[:ATTRIBUTED_TO]-(p)
  WITH DISTINCT p WHERE p.type IN deploy_types
  MATCH (p)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(x)
  RETURN x
  UNION ALL
  WITH scope WHERE events_first
  MATCH (x:Execution) WHERE x.type IN $event_types
    AND EXISTS { (x)<-[:INPUT|DECLARED_INPUT|INTERNAL_INPUT]-()-[:ATTRIBUTED_TO]->(c) WHERE c IN scope }
  RETURN x
  UNION ALL
  WITH scope WHERE NOT events_first
  UNWIND scope AS c
  MATCH (c)<-[:ATTRIBUTED_TO]-()-[:INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(x)
  WHERE x.type IN $event_types
  RETURN x
}
RETURN DISTINCT x
     } AS found
WITH model_types, deploy_types, training_types, not_models, pipeline_types, scope, n_events, reuses,
     CASE WHEN reuses
          THEN found + [y IN COLLECT { UNWIND found AS f MATCH (f)<-[:REUSED]-(y) RETURN DISTINCT y }
                        WHERE NOT y IN found]
          ELSE found END AS own
// 2. Their events, time and action only; the newest push / deploy / rollback.
CALL (own, deploy_types, reuses) {
  UNWIND own AS x
  WITH x WHERE x.type IN $event_types
  RETURN x, coalesce(x.`c.action`, CASE x.type WHEN 'Undeploy' THEN 'undeploy' WHEN 'SetAlias' THEN 'alias'
                                   ELSE 'deploy' END) AS action,
         coalesce(x.`c.at`, x.create_time, 0) AS at, null AS p
  UNION ALL
  UNWIND own AS x
  WITH x WHERE NOT x.type IN $event_types
  MATCH (x)-[r:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(p)
  WHERE p.type IN deploy_types
  RETURN x, 'push' AS action, coalesce(r.ts, x.create_time, 0) AS at, p
  UNION ALL
  WITH own WHERE reuses
  UNWIND own AS x
  WITH x WHERE NOT x.type IN $event_types
    AND NOT EXISTS { (x)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(q)
                     WHERE q.type IN deploy_types }
  MATCH (x)-[:REUSED]->()-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(p)
  WHERE p.type IN deploy_types
  RETURN x, 'push' AS action, coalesce(x.create_time, 0) AS at, p
}
WITH model_types, deploy_types, training_types, not_models, pipeline_types, scope, n_events, x, action, at, p
WHERE action IN ['push', 'deploy', 'rollback']
ORDER BY at DESC, x.id DESC, coalesce(p.id, -1) DESC, action DESC
LIMIT 1
// 3. Its model and targets (as question_deployments computes them for any event).
CALL (x, p, model_types, deploy_types, training_types, not_models) {
  WITH x WHERE p IS NULL
  OPTIONAL CALL (x) {
    MATCH (m:Artifact)-[:INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(x)
    RETURN m ORDER BY m.id LIMIT 1
  }
  RETURN m
  UNION
  WITH p WHERE p IS NOT NULL
  OPTIONAL CALL (p, model_types, deploy_types, training_types, not_models) {
    MATCH path = (p)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*1..6]-(m)
    WITH m, min(length(path)) AS hops
    WHERE 'Artifact' IN labels(m)
      AND (m.type IN model_types
           OR (NOT m.type IN not_models + deploy_types
               AND EXISTS { (m)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(tr:Execution)
                            WHERE tr.type IN training_types
                              AND NOT EXISTS { (tr)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(o:Artifact)
                                               WHERE o.type IN model_types } }))
    RETURN m ORDER BY hops, m.id LIMIT 1
  }
  RETURN m
}
WITH deploy_types, pipeline_types, scope, n_events, x, action, at, p, m,
     CASE WHEN p IS NULL THEN COLLECT { MATCH (x)-[:ASSOCIATED_WITH]->(t:Context) RETURN t }
          ELSE COLLECT { MATCH (p)-[:ATTRIBUTED_TO]->(t:Context) WHERE t.type IN deploy_types RETURN t
                         UNION
                         MATCH (x)-[:ASSOCIATED_WITH]->(t:Context) WHERE t.type IN deploy_types RETURN t } END AS placed,
     CASE WHEN p IS NULL THEN []
          ELSE COLLECT { MATCH (x)-[:ASSOCIATED_WITH]->(:Context)-[:CHILD_OF*0..]->(r)
                         WITH DISTINCT r WHERE 'Context' IN labels(r) AND NOT EXISTS { (r)-[:CHILD_OF]->() }
                         RETURN r } END AS roots
WITH deploy_types, pipeline_types, scope, n_events, x, action, at, p, m,
     CASE WHEN p IS NULL OR size(placed) > 0 THEN placed
          WHEN any(r IN roots WHERE r.type IN pipeline_types) THEN [r IN roots WHERE r.type IN pipeline_types]
          ELSE roots END AS targets
WITH deploy_types, pipeline_types, scope, n_events, x, action, at, p, m,
     CASE WHEN size(targets) = 0 THEN null
          ELSE reduce(b = head(targets), t IN targets | CASE WHEN t.id > b.id THEN t ELSE b END) END AS target
// 4. Is anything at that target newer? Keys compare as lists: [at, execution id, pushed id, action].
WITH deploy_types, pipeline_types, n_events, x, action, at, p, m, target, target IN scope AS in_scope,
     [at, x.id, coalesce(p.id, -1), action] AS key
OPTIONAL CALL (target, in_scope, key, deploy_types, pipeline_types, n_events) {
  // recorded events at the target: from the events (type index) or from the target's
  // executions, whichever are fewer
  CALL (target, n_events) {
    WITH target WHERE target IS NOT NULL AND n_events <= COUNT { (target)<-[:ASSOCIATED_WITH]-() }
    MATCH (y:Execution)-[:ASSOCIATED_WITH]->(target)
    USING INDEX y:Execution(type)
    WHERE y.type IN $event_types
    RETURN y
    UNION
    WITH target WHERE target IS NOT NULL AND n_events > COUNT { (target)<-[:ASSOCIATED_WITH]-() }
    MATCH (target)<-[:ASSOCIATED_WITH]-(y)
    WHERE y.type IN $event_types
    RETURN y
  }
  RETURN [coalesce(y.`c.at`, y.create_time, 0), y.id, -1,
          coalesce(y.`c.action`, CASE y.type WHEN 'Undeploy' THEN 'undeploy' WHEN 'SetAlias' THEN 'alias'
                                 ELSE 'deploy' END)] AS later
  UNION
  // pushes of executions associated with a deployment-role target
  WITH target WHERE target IS NOT NULL AND NOT in_scope AND target.type IN deploy_types
  MATCH (target)<-[:ASSOCIATED_WITH]-(y:Execution)
  WHERE NOT y.type IN $event_types
  CALL (y, deploy_types) {
    MATCH (y)-[r:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(q:Artifact)
    WHERE q.type IN deploy_types
    RETURN q, coalesce(r.ts, y.create_time, 0) AS t
    UNION
    WITH y WHERE NOT EXISTS { (y)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(o:Artifact)
                              WHERE o.type IN deploy_types }
    MATCH (y)-[:REUSED]->(:Execution)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(q:Artifact)
    WHERE q.type IN deploy_types
    RETURN q, coalesce(y.create_time, 0) AS t
  }
  RETURN [t, y.id, q.id, 'push'] AS later
  UNION
  // pushes of artifacts attributed to a deployment-role target (by their producers, or by
  // cached re-runs of those that wrote none themselves)
  WITH target WHERE target IS NOT NULL AND NOT in_scope AND target.type IN deploy_types
  MATCH (target)<-[:ATTRIBUTED_TO]-(q:Artifact)<-[r:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(y:Execution)
  WHERE q.type IN deploy_types AND NOT y.type IN $event_types
  RETURN [coalesce(r.ts, y.create_time, 0), y.id, q.id, 'push'] AS later
  UNION
  WITH target WHERE target IS NOT NULL AND NOT in_scope AND target.type IN deploy_types
  MATCH (target)<-[:ATTRIBUTED_TO]-(q:Artifact)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(:Execution)
        <-[:REUSED]-(y:Execution)
  WHERE q.type IN deploy_types AND NOT y.type IN $event_types
    AND NOT EXISTS { (y)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(o:Artifact)
                     WHERE o.type IN deploy_types }
  RETURN [coalesce(y.create_time, 0), y.id, q.id, 'push'] AS later
  UNION
  // pushes placed nowhere whose roots choose a root target (its executions' and its
  // descendants')
  WITH target WHERE target IS NOT NULL AND NOT in_scope AND NOT EXISTS { (target)-[:CHILD_OF]->() }
  MATCH (target)<-[:CHILD_OF*0..]-(c)
  WITH DISTINCT target, c WHERE 'Context' IN labels(c)
  MATCH (c)<-[:ASSOCIATED_WITH]-(y:Execution)
  WHERE NOT y.type IN $event_types
    AND NOT EXISTS { (y)-[:ASSOCIATED_WITH]->(d:Context) WHERE d.type IN deploy_types }
  WITH DISTINCT target, y
  CALL (y, deploy_types) {
    MATCH (y)-[r:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(q:Artifact)
    WHERE q.type IN deploy_types
    RETURN q, coalesce(r.ts, y.create_time, 0) AS t
    UNION
    WITH y WHERE NOT EXISTS { (y)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(o:Artifact)
                              WHERE o.type IN deploy_types }
    MATCH (y)-[:REUSED]->(:Execution)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(q:Artifact)
    WHERE q.type IN deploy_types
    RETURN q, coalesce(y.create_time, 0) AS t
  }
  // only newer ones matter: that test first, before the placement tests
  WITH target, y, q, t WHERE [t, y.id, q.id, 'push'] > key
  WITH target, y, q, t
  WHERE NOT EXISTS { (q)-[:ATTRIBUTED_TO]->(d:Context) WHERE d.type IN deploy_types }
    AND (target.type IN pipeline_types
         OR NOT any(r IN COLLECT { MATCH (y)-[:ASSOCIATED_WITH]->(:Context)-[:CHILD_OF*0..]->(r)
                                   WITH DISTINCT r WHERE 'Context' IN labels(r)
                                     AND NOT EXISTS { (r)-[:CHILD_OF]->() }
                                   RETURN r }
                    WHERE r.type IN pipeline_types))
  RETURN [t, y.id, q.id, 'push'] AS later
}
WITH x, action, at, p, m, target, key, collect(later) AS others
RETURN action, at,
       {id: x.id, type: x.type, name: x.name, state: x.last_known_state, create_time: x.create_time} AS execution,
       CASE WHEN m IS NULL THEN null ELSE {id: m.id, type: m.type, name: m.name, uri: m.uri,
            state: m.state, create_time: m.create_time} END AS model,
       CASE WHEN p IS NULL THEN null ELSE {id: p.id, type: p.type, name: p.name, uri: p.uri,
            state: p.state, create_time: p.create_time} END AS pushed,
       CASE WHEN target IS NULL THEN null ELSE {id: target.id, type: target.type, name: target.name,
            create_time: target.create_time,
            parents: COLLECT { MATCH (target)-[:CHILD_OF]->(q:Context) RETURN q.id }} END AS target,
       target IS NOT NULL AND target.type <> 'ModelAlias' AND NOT any(k IN others WHERE k > key) AS live
