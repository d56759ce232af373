// What taint from a bad node would reach (nothing written): every downstream node with its hop
// count (BFS pruning expand; executions of barrier types are neither reached nor passed), the ids
// of its direct predecessors and its contexts (store/lineage_rules.py picks each via).
// params: $kind, $id, $barriers
// returns: id, kind, type, name, uri, state, create_time, hops, preds, contexts
CALL () {
  MATCH (s:Artifact {id: $id}) WHERE $kind = 'artifact' RETURN s
  UNION
  MATCH (s:Execution {id: $id}) WHERE $kind = 'execution' RETURN s
}
CALL (s) {
  MATCH p = (s) (()-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(x) WHERE NOT (x:Execution AND x.type IN $barriers))+ (u)
  WHERE u <> s
  RETURN u, min(length(p)) AS hops
}
RETURN u.id AS id, CASE WHEN u:Artifact THEN 'artifact' ELSE 'execution' END AS kind, u.type AS type,
       u.name AS name, u.uri AS uri, coalesce(u.state, u.last_known_state) AS state,
       u.create_time AS create_time, hops,
       COLLECT { MATCH (u)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT]-(v) RETURN DISTINCT v.id } AS preds,
       COLLECT { MATCH (u)-[:ATTRIBUTED_TO|ASSOCIATED_WITH]->(c:Context)
                 RETURN {id: c.id, type: c.type, name: c.name, create_time: c.create_time} } AS contexts
