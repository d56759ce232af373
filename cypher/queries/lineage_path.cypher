// One shortest path along the data flow from source to target (why target is downstream):
// ANY with both ends bound is a bidirectional BFS (ShortestPath), never path enumeration.
// params: $source_kind, $source_id, $target_kind, $target_id
// returns: nodes, rels
CALL () {
  MATCH (n:Artifact {id: $source_id}) WHERE $source_kind = 'artifact' RETURN n
  UNION
  MATCH (n:Execution {id: $source_id}) WHERE $source_kind = 'execution' RETURN n
}
WITH n AS s
CALL () {
  MATCH (n:Artifact {id: $target_id}) WHERE $target_kind = 'artifact' RETURN n
  UNION
  MATCH (n:Execution {id: $target_id}) WHERE $target_kind = 'execution' RETURN n
}
WITH s, n AS t
WHERE s <> t
MATCH p = ANY (s)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT]->+(t)
RETURN [x IN nodes(p) | {id: x.id, kind: CASE WHEN x:Artifact THEN 'artifact' ELSE 'execution' END,
        type: x.type, name: x.name, uri: x.uri, state: coalesce(x.state, x.last_known_state),
        create_time: x.create_time}] AS nodes,
       [r IN relationships(p) | type(r)] AS rels
