// One incident; with $with_reached, every node it reached with hops and via (its explaining path).
// params: $id, $with_reached
// returns: incident, reached_count, reached
MATCH (i:Incident {id: $id})
RETURN i {.*} AS incident, COUNT { (i)-[:TAINTS]->() } AS reached_count,
       CASE WHEN $with_reached THEN COLLECT {
         MATCH (i)-[t:TAINTS]->(n)
         RETURN {id: n.id,
                 kind: CASE WHEN n:Artifact THEN 'artifact' WHEN n:Execution THEN 'execution' ELSE 'context' END,
                 type: n.type, name: n.name, uri: n.uri, state: coalesce(n.state, n.last_known_state),
                 create_time: n.create_time, hops: t.hops, via: t.via, via_kind: t.via_kind}
       } END AS reached
