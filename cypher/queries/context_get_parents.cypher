// Direct parents of a context.
// params: $id
// returns: props
MATCH (:Context {id: $id})-[:CHILD_OF]->(p:Context)
RETURN properties(p) AS props
ORDER BY p.id
