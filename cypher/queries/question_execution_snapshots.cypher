// Snapshots of executions (properties, inputs, contexts with ancestors): the given executions,
// those associated with the given contexts, and the producers of the given artifacts.
// Answers hyperparameters, pipeline and run, library/code versions, and run diffs.
// params: $execution_ids, $context_ids, $produced_ids
// returns: snap
CALL () {
  MATCH (x:Execution) WHERE x.id IN $execution_ids RETURN x
  UNION
  MATCH (c:Context)<-[:ASSOCIATED_WITH]-(x:Execution) WHERE c.id IN $context_ids RETURN x
  UNION
  MATCH (a:Artifact)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(x:Execution) WHERE a.id IN $produced_ids RETURN x
}
RETURN {id: x.id, type: x.type, name: x.name, state: x.last_known_state, create_time: x.create_time,
            props: [k IN keys(x) WHERE k CONTAINS '.' | [k, x[k]]],
            inputs: COLLECT { MATCH (a:Artifact)-[r:INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(x)
                              RETURN {id: a.id, type: a.type, name: a.name, uri: a.uri, event: type(r), path: r.path} },
            contexts: COLLECT { MATCH (x)-[:ASSOCIATED_WITH]->(c:Context)
                                RETURN {id: c.id, type: c.type, name: c.name, create_time: c.create_time,
                                        parents: COLLECT { MATCH (c)-[:CHILD_OF]->(p:Context) RETURN p.id }} },
            ancestors: COLLECT { MATCH (x)-[:ASSOCIATED_WITH]->(:Context)-[:CHILD_OF*1..]->(c:Context)
                                 WITH DISTINCT c
                                 RETURN {id: c.id, type: c.type, name: c.name, create_time: c.create_time,
                                         parents: COLLECT { MATCH (c)-[:CHILD_OF]->(p:Context) RETURN p.id }} }} AS snap
