// Which of these contexts are long-lived (they have child contexts, like a pipeline, or are of a
// deployment-role type), with the artifact each holds now: the newest of the artifacts attributed
// to it (by create_time) and the inputs of the executions associated with it (by the execution's
// create_time: a deployment event's model), ties by id. Taint flags a long-lived context only
// when that artifact is tainted.
// params: $ids, $long_lived_types
// returns: id, newest
UNWIND $ids AS cid
MATCH (c:Context {id: cid})
WHERE c.type IN $long_lived_types OR EXISTS { (c)<-[:CHILD_OF]-(:Context) }
CALL (c) {
  CALL (c) {
    MATCH (c)<-[:ATTRIBUTED_TO]-(a:Artifact)
    RETURN a.id AS aid, coalesce(a.create_time, 0) AS t
    UNION
    MATCH (c)<-[:ASSOCIATED_WITH]-(e:Execution)<-[:INPUT]-(a:Artifact)
    RETURN a.id AS aid, coalesce(e.create_time, 0) AS t
  }
  WITH aid, t ORDER BY t DESC, aid DESC LIMIT 1
  RETURN aid AS newest
}
RETURN c.id AS id, newest
