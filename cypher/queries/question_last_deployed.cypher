// The last deployed version: the newest artifact of a deployment type (e.g. PushedModel) downstream
// of an artifact/execution, or attributed to a context or its descendants; with the nearest
// upstream model (fewest hops, then lowest id) and the deployment's contexts.
// Walk targets carry no label and are tested with labels() after the walk: a labelled target
// lets the planner seek it by index and run VarLengthExpand(Into), which enumerates paths.
// params: $kind, $id, $deploy_types, $model_types
// returns: deployed, model, model_hops, contexts
CALL () {
  MATCH (s:Artifact {id: $id}) WHERE $kind = 'artifact'
  MATCH (s)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*0..]->(d)
  WITH DISTINCT d WHERE d.type IN $deploy_types AND 'Artifact' IN labels(d)
  RETURN d
  UNION
  MATCH (s:Execution {id: $id}) WHERE $kind = 'execution'
  MATCH (s)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*0..]->(d)
  WITH DISTINCT d WHERE d.type IN $deploy_types AND 'Artifact' IN labels(d)
  RETURN d
  UNION
  MATCH (:Context {id: $id})<-[:CHILD_OF*0..]-(c)<-[:ATTRIBUTED_TO]-(d)
  WHERE $kind = 'context' AND d.type IN $deploy_types AND 'Context' IN labels(c)
  RETURN d
}
WITH d
ORDER BY coalesce(d.create_time, 0) DESC, d.id DESC
LIMIT 1
OPTIONAL CALL (d) {
  MATCH p = (d)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*]-(m)
  WHERE m.type IN $model_types AND 'Artifact' IN labels(m)
  RETURN m, min(length(p)) AS model_hops
  ORDER BY model_hops, m.id
  LIMIT 1
}
RETURN {id: d.id, type: d.type, name: d.name, uri: d.uri, state: d.state, create_time: d.create_time} AS deployed,
       CASE WHEN m IS NULL THEN null ELSE {id: m.id, type: m.type, name: m.name, uri: m.uri, state: m.state,
            create_time: m.create_time} END AS model,
       model_hops,
       COLLECT { MATCH (d)-[:ATTRIBUTED_TO]->(c:Context)
                 RETURN {id: c.id, type: c.type, name: c.name, create_time: c.create_time,
                         parents: COLLECT { MATCH (c)-[:CHILD_OF]->(p:Context) RETURN p.id }} } AS contexts
