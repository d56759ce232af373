// Browser view: a node and everything it was derived from (any depth, each node once), the
// data-flow relationships among them, and the open incidents found in or reaching the start.
// params: $id (spliced as an integer literal), __KIND__ (spliced kind label)
// returns: n, upstream, flows, incidents, marks
MATCH (n:__KIND__ {id: $id})
OPTIONAL MATCH (n)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*]-(u)
WITH n, collect(DISTINCT u)[..300] AS up
WITH n, up, [n] + up AS shown
UNWIND shown AS a
OPTIONAL MATCH (a)-[f:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT|REUSED]->(b) WHERE b IN shown
WITH n, up, collect(DISTINCT f) AS flows
OPTIONAL MATCH (i:Incident {status: 'OPEN'})-[m:FOUND_IN|TAINTS]->(n)
RETURN n, up AS upstream, flows, collect(DISTINCT i) AS incidents, collect(DISTINCT m) AS marks
