// Deployment events (question 6): pushes (an execution that wrote an artifact of a deployment
// role, or a CACHED execution REUSED-linked to one, at its own time) and the Deploy / Undeploy /
// SetAlias executions lineage-graph records. For the start's own executions (an artifact or an
// execution: everything downstream of it, itself included; a context: the executions of it and
// its descendants, the producers of deployment artifacts and the events of artifacts attributed
// to them) and for every execution of the targets those may have gone to. A push goes to the
// deployment-role contexts of its artifact or execution, else to the root contexts of its
// execution (the pipeline-role ones among them, if any); a recorded event to its associated
// contexts. The targets fetched here are a
// superset: the store keeps the own events' exact targets. The model of a recorded event is its
// INPUT; of a push, the nearest model upstream of the pushed artifact (model-role type, or the
// output of a training step that wrote no model-typed artifact), within 6 hops.
// Roles: the stored mapping (a Context $roles_type/$roles_name, custom properties type -> role)
// over $role_defaults, explicit lists in $explicit over both.
// Walk targets are unlabelled and tested with labels() after DISTINCT (no index-seeked end,
// so no VarLengthExpand(Into)).
// params: $kind, $id, $roles_type, $roles_name, $role_defaults, $explicit, $event_types
// returns: action, at, execution, model, pushed, targets, own
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
// 1. The start's own executions.
CALL (deploy_types) {
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
    MATCH (d)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(x:Execution)
    RETURN x
  }
  RETURN x
  UNION
  MATCH (:Context {id: $id})<-[:CHILD_OF*0..]-(c)
  WITH DISTINCT c WHERE $kind = 'context' AND 'Context' IN labels(c)
  CALL (c, deploy_types) {
    MATCH (c)<-[:ASSOCIATED_WITH]-(x:Execution)
    RETURN x
    UNION
    MATCH (c)<-[:ATTRIBUTED_TO]-(p:Artifact)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(x:Execution)
    WHERE p.type IN deploy_types
    RETURN x
    UNION
    MATCH (c)<-[:ATTRIBUTED_TO]-(:Artifact)-[:INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(x:Execution)
    WHERE x.type IN $event_types
    RETURN x
  }
  RETURN x
}
WITH model_types, deploy_types, training_types, not_models, pipeline_types, collect(DISTINCT x) AS found
WITH model_types, deploy_types, training_types, not_models, pipeline_types,
     found + [y IN COLLECT { UNWIND found AS f MATCH (f)<-[:REUSED]-(y:Execution) RETURN DISTINCT y }
              WHERE NOT y IN found] AS found
// Only events give rows (a recorded event, a push, a CACHED re-run of a push): the rest of a
// pipeline's executions are dropped here, before the per-execution work below (a point
// question on a pipeline of thousands of runs must not walk every step twice).
WITH model_types, deploy_types, training_types, not_models, pipeline_types,
     [x IN found WHERE x.type IN $event_types
        OR EXISTS { (x)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(p:Artifact) WHERE p.type IN deploy_types }
        OR EXISTS { (x)-[:REUSED]->(:Execution)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(p:Artifact)
                    WHERE p.type IN deploy_types }] AS own
// 2. Where they may have gone (a superset of their targets) ...
WITH model_types, deploy_types, training_types, not_models, pipeline_types, own,
     COLLECT {
       UNWIND own AS x
       MATCH (x)-[:ASSOCIATED_WITH]->(t:Context)
       WHERE x.type IN $event_types OR t.type IN deploy_types
       RETURN t
       UNION
       UNWIND own AS x
       MATCH (x)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(p:Artifact)-[:ATTRIBUTED_TO]->(t:Context)
       WHERE p.type IN deploy_types AND t.type IN deploy_types
       RETURN t
       UNION
       UNWIND own AS x
       MATCH (x)-[:REUSED]->(:Execution)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(p:Artifact)
             -[:ATTRIBUTED_TO]->(t:Context)
       WHERE p.type IN deploy_types AND t.type IN deploy_types
       RETURN t
       UNION
       UNWIND own AS x
       MATCH (x)-[:ASSOCIATED_WITH]->(:Context)-[:CHILD_OF*0..]->(t)
       WITH DISTINCT t WHERE 'Context' IN labels(t) AND NOT EXISTS { (t)-[:CHILD_OF]->() }
       RETURN t
     } AS targets
// ... and 3. every execution of those targets.
WITH model_types, deploy_types, training_types, not_models, pipeline_types, own,
     COLLECT {
       UNWIND targets AS t
       MATCH (t)<-[:CHILD_OF*0..]-(c)
       WITH DISTINCT c WHERE 'Context' IN labels(c)
       MATCH (c)<-[:ASSOCIATED_WITH]-(x:Execution)
       WHERE x.type IN $event_types
          OR EXISTS { (x)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(p:Artifact) WHERE p.type IN deploy_types }
          OR EXISTS { (x)-[:REUSED]->(:Execution)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(p:Artifact)
                      WHERE p.type IN deploy_types }
       RETURN x
       UNION
       UNWIND targets AS t
       MATCH (t)<-[:ATTRIBUTED_TO]-(p:Artifact)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(x:Execution)
       WHERE p.type IN deploy_types
       RETURN x
       UNION
       UNWIND targets AS t
       MATCH (t)<-[:ATTRIBUTED_TO]-(p:Artifact)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(:Execution)
             <-[:REUSED]-(x:Execution)
       WHERE p.type IN deploy_types
       RETURN x
     } AS history
// 4. The events of all of them.
UNWIND own + [h IN history WHERE NOT h IN own] AS x
CALL (x, model_types, deploy_types, training_types, not_models, pipeline_types) {
  WITH x WHERE x.type IN $event_types
  OPTIONAL CALL (x) {
    MATCH (m:Artifact)-[:INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(x)
    RETURN m ORDER BY m.id LIMIT 1
  }
  RETURN coalesce(x.`c.action`, CASE x.type WHEN 'Undeploy' THEN 'undeploy' WHEN 'SetAlias' THEN 'alias'
                                ELSE 'deploy' END) AS action,
         coalesce(x.`c.at`, x.create_time, 0) AS at, m AS model, null AS pushed,
         COLLECT { MATCH (x)-[:ASSOCIATED_WITH]->(t:Context) RETURN t } AS targets
  UNION
  WITH x WHERE NOT x.type IN $event_types
  CALL (x, deploy_types) {
    MATCH (x)-[r:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(p:Artifact)
    WHERE p.type IN deploy_types
    RETURN p, coalesce(r.ts, x.create_time, 0) AS at
    UNION
    MATCH (x)-[:REUSED]->(:Execution)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(p:Artifact)
    WHERE p.type IN deploy_types
      AND NOT EXISTS { (x)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(q:Artifact)
                       WHERE q.type IN deploy_types }
    RETURN p, coalesce(x.create_time, 0) AS at
  }
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
  WITH x, p, at, m, pipeline_types,
       COLLECT { MATCH (p)-[:ATTRIBUTED_TO]->(t:Context) WHERE t.type IN deploy_types RETURN t
                 UNION
                 MATCH (x)-[:ASSOCIATED_WITH]->(t:Context) WHERE t.type IN deploy_types RETURN t } AS placed,
       COLLECT { MATCH (x)-[:ASSOCIATED_WITH]->(:Context)-[:CHILD_OF*0..]->(r)
                 WITH DISTINCT r WHERE 'Context' IN labels(r) AND NOT EXISTS { (r)-[:CHILD_OF]->() }
                 RETURN r } AS roots
  RETURN 'push' AS action, at, m AS model, p AS pushed,
         CASE WHEN size(placed) > 0 THEN placed
              WHEN any(r IN roots WHERE r.type IN pipeline_types) THEN [r IN roots WHERE r.type IN pipeline_types]
              ELSE roots END AS targets
}
RETURN action, at,
       {id: x.id, type: x.type, name: x.name, state: x.last_known_state, create_time: x.create_time} AS execution,
       CASE WHEN model IS NULL THEN null ELSE {id: model.id, type: model.type, name: model.name, uri: model.uri,
            state: model.state, create_time: model.create_time} END AS model,
       CASE WHEN pushed IS NULL THEN null ELSE {id: pushed.id, type: pushed.type, name: pushed.name, uri: pushed.uri,
            state: pushed.state, create_time: pushed.create_time} END AS pushed,
       [t IN targets | {id: t.id, type: t.type, name: t.name, create_time: t.create_time,
                        parents: COLLECT { MATCH (t)-[:CHILD_OF]->(q:Context) RETURN q.id }}] AS targets,
       x IN own AS own
