// Direct children of a context.
// params: $id
// returns: props
MATCH (:Context {id: $id})<-[:CHILD_OF]-(c:Context)
RETURN properties(c) AS props
ORDER BY c.id
