// Browser view: one incident, the node it was found in and everything it tainted.
// params: $id (spliced as an integer literal)
// returns: i, r, n
MATCH (i:Incident {id: $id})-[r:FOUND_IN|TAINTS]->(n)
RETURN i, r, n
LIMIT 300
