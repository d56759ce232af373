// Browser view: a node and everything it was derived from (any depth, each node once).
// params: $id (spliced as an integer literal), __KIND__ (spliced kind label)
// returns: n, upstream
MATCH (n:__KIND__ {id: $id})
OPTIONAL MATCH (n)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*]-(u)
WITH n, collect(DISTINCT u) AS up
RETURN n, up[..300] AS upstream
