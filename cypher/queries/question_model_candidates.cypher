// Models trained on a dataset (question 7), with where their metrics may be: the models
// downstream of the artifact (a model-role type, or the output of a training-role step that wrote
// no model-typed artifact, and not an evaluation, statistics or deployment artifact), and the
// deployed models attributed to their pipelines or those pipelines' descendants (baselines).
// A model's pipeline: among the root contexts above the contexts it is attributed to and its
// producers are associated with (deployment-role contexts left out), a pipeline-role one first,
// then the lowest id. Deployed: an execution reading it wrote a deployment-role artifact (at that
// OUTPUT event's time), an execution REUSED-linked to such a push without one of its own (at its
// creation), or a Deploy recorded a deploy or rollback of it (at its `at`). Metric sources: the
// model; executions reading it of an evaluation-role type or writing an evaluation-role artifact;
// what those wrote (evaluation-role artifacts, or anything an evaluation-role step wrote);
// evaluation-role artifacts its producers wrote beside it.
// Roles as in question_deployments. Walk ends are unlabelled, tested after DISTINCT.
// params: $id, $roles_type, $roles_name, $role_defaults, $explicit, $event_types, $deploy_type
// returns: model, pipeline, trained_on, output_ts, deployed_at, props, evaluators, evaluations, producers
CALL () {
  OPTIONAL MATCH (rm:Context {type: $roles_type, name: $roles_name})
  RETURN [k IN coalesce(keys(rm), []) WHERE k STARTS WITH 'c.' | [substring(k, 2), rm[k]]] AS stored
}
WITH [p IN $role_defaults WHERE NOT p[0] IN [s IN stored | s[0]]] + stored AS roles
WITH coalesce($explicit.model, [p IN roles WHERE p[1] = 'model' | p[0]]) AS model_types,
     coalesce($explicit.deployment, [p IN roles WHERE p[1] = 'deployment' | p[0]]) AS deploy_types,
     coalesce($explicit.training, [p IN roles WHERE p[1] = 'training' | p[0]]) AS training_types,
     coalesce($explicit.evaluation, [p IN roles WHERE p[1] = 'evaluation' | p[0]]) AS eval_types,
     coalesce($explicit.statistics, [p IN roles WHERE p[1] = 'statistics' | p[0]]) AS stats_types,
     coalesce($explicit.pipeline, [p IN roles WHERE p[1] = 'pipeline' | p[0]]) AS pipeline_types
MATCH (ds:Artifact {id: $id})
CALL (ds) {
  MATCH (ds)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*]->(d)
  RETURN collect(DISTINCT d) AS reached
}
// 1. The models trained on it, and their pipelines.
UNWIND reached AS m
WITH model_types, deploy_types, training_types, eval_types, stats_types, pipeline_types, m
WHERE 'Artifact' IN labels(m)
  AND (m.type IN model_types
       OR (NOT m.type IN eval_types + stats_types + deploy_types
           AND EXISTS { (m)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(tr:Execution)
                        WHERE tr.type IN training_types
                          AND NOT EXISTS { (tr)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(o:Artifact)
                                           WHERE o.type IN model_types } }))
OPTIONAL CALL (m, deploy_types, pipeline_types) {
  CALL (m) {
    MATCH (m)-[:ATTRIBUTED_TO]->(c:Context)
    RETURN c
    UNION
    MATCH (m)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(:Execution)-[:ASSOCIATED_WITH]->(c:Context)
    RETURN c
  }
  MATCH (c)-[:CHILD_OF*0..]->(r)
  WITH DISTINCT r
  WHERE 'Context' IN labels(r) AND NOT EXISTS { (r)-[:CHILD_OF]->() } AND NOT r.type IN deploy_types
  RETURN r AS pipeline ORDER BY CASE WHEN r.type IN pipeline_types THEN 0 ELSE 1 END, r.id LIMIT 1
}
WITH model_types, deploy_types, training_types, eval_types, stats_types, pipeline_types,
     collect(m) AS trained, collect(DISTINCT pipeline) AS pipelines
// 2. The deployed models of those pipelines.
WITH model_types, deploy_types, training_types, eval_types, stats_types, pipeline_types, trained,
     COLLECT {
       UNWIND pipelines AS p
       MATCH (p)<-[:CHILD_OF*0..]-(c)
       WITH DISTINCT c WHERE 'Context' IN labels(c)
       MATCH (c)<-[:ATTRIBUTED_TO]-(m:Artifact)
       WHERE NOT m IN trained
       RETURN DISTINCT m
     } AS attributed
UNWIND trained + attributed AS m
WITH model_types, deploy_types, training_types, eval_types, stats_types, pipeline_types, m,
     m IN trained AS trained_on
WHERE trained_on
   OR m.type IN model_types
   OR (NOT m.type IN eval_types + stats_types + deploy_types
       AND EXISTS { (m)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(tr:Execution)
                    WHERE tr.type IN training_types
                      AND NOT EXISTS { (tr)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(o:Artifact)
                                       WHERE o.type IN model_types } })
WITH eval_types, deploy_types, pipeline_types, m, trained_on,
     COLLECT {
       MATCH (m)-[:INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(x:Execution)-[r:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(p:Artifact)
       WHERE p.type IN deploy_types AND NOT x.type IN $event_types
       RETURN coalesce(r.ts, x.create_time, 0) AS at
       UNION
       MATCH (m)-[:INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(o:Execution)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(p:Artifact)
       WHERE p.type IN deploy_types AND NOT o.type IN $event_types
       MATCH (o)<-[:REUSED]-(x:Execution)
       WHERE NOT EXISTS { (x)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(q:Artifact)
                          WHERE q.type IN deploy_types }
       RETURN coalesce(x.create_time, 0) AS at
       UNION
       MATCH (m)-[:INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(x:Execution)
       WHERE x.type = $deploy_type AND coalesce(x.`c.action`, 'deploy') IN ['deploy', 'rollback']
       RETURN coalesce(x.`c.at`, x.create_time, 0) AS at
     } AS deployed_at
WHERE trained_on OR size(deployed_at) > 0
OPTIONAL CALL (m, deploy_types, pipeline_types) {
  CALL (m) {
    MATCH (m)-[:ATTRIBUTED_TO]->(c:Context)
    RETURN c
    UNION
    MATCH (m)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(:Execution)-[:ASSOCIATED_WITH]->(c:Context)
    RETURN c
  }
  MATCH (c)-[:CHILD_OF*0..]->(r)
  WITH DISTINCT r
  WHERE 'Context' IN labels(r) AND NOT EXISTS { (r)-[:CHILD_OF]->() } AND NOT r.type IN deploy_types
  RETURN r AS pipeline ORDER BY CASE WHEN r.type IN pipeline_types THEN 0 ELSE 1 END, r.id LIMIT 1
}
RETURN {id: m.id, type: m.type, name: m.name, uri: m.uri, state: m.state, create_time: m.create_time} AS model,
       CASE WHEN pipeline IS NULL THEN null ELSE {id: pipeline.id, type: pipeline.type, name: pipeline.name,
            create_time: pipeline.create_time,
            parents: COLLECT { MATCH (pipeline)-[:CHILD_OF]->(q:Context) RETURN q.id }} END AS pipeline,
       trained_on,
       COLLECT { MATCH (m)<-[r:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(:Execution) RETURN r.ts } AS output_ts,
       deployed_at,
       [k IN keys(m) WHERE k CONTAINS '.' | [k, m[k]]] AS props,
       COLLECT {
         MATCH (m)-[:INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(x:Execution)
         WHERE x.type IN eval_types
            OR EXISTS { (x)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(e:Artifact) WHERE e.type IN eval_types }
         RETURN DISTINCT {id: x.id, type: x.type, name: x.name, state: x.last_known_state,
                          create_time: x.create_time, props: [k IN keys(x) WHERE k CONTAINS '.' | [k, x[k]]]}
       } AS evaluators,
       COLLECT {
         MATCH (m)-[:INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(x:Execution)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(e:Artifact)
         WHERE e.type IN eval_types OR x.type IN eval_types
         RETURN DISTINCT {id: e.id, type: e.type, name: e.name, uri: e.uri, state: e.state,
                          create_time: e.create_time, props: [k IN keys(e) WHERE k CONTAINS '.' | [k, e[k]]]}
       } AS evaluations,
       COLLECT {
         MATCH (m)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(:Execution)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]->(e:Artifact)
         WHERE e.type IN eval_types AND e <> m
         RETURN DISTINCT {id: e.id, type: e.type, name: e.name, uri: e.uri, state: e.state,
                          create_time: e.create_time, props: [k IN keys(e) WHERE k CONTAINS '.' | [k, e[k]]]}
       } AS producers
