// Browser view: a node and everything derived from it (any depth, each node once), the
// data-flow relationships among them, and the open incidents found in or reaching the start.
// params: $id (spliced as an integer literal), __KIND__ (spliced kind label)
// returns: n, downstream, flows, incidents, marks
MATCH (n:__KIND__ {id: $id})
OPTIONAL MATCH (n)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*]->(d)
WITH n, collect(DISTINCT d)[..300] AS down
WITH n, down, [n] + down AS shown
UNWIND shown AS a
OPTIONAL MATCH (a)-[f:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT|REUSED]->(b) WHERE b IN shown
WITH n, down, collect(DISTINCT f) AS flows
OPTIONAL MATCH (i:Incident {status: 'OPEN'})-[m:FOUND_IN|TAINTS]->(n)
RETURN n, down AS downstream, flows, collect(DISTINCT i) AS incidents, collect(DISTINCT m) AS marks
