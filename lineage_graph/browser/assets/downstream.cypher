// Browser view: a node and everything derived from it (any depth, each node once).
// params: $id (spliced as an integer literal), __KIND__ (spliced kind label)
// returns: n, downstream
MATCH (n:__KIND__ {id: $id})
OPTIONAL MATCH (n)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*]->(d)
WITH n, collect(DISTINCT d) AS down
RETURN n, down[..300] AS downstream
