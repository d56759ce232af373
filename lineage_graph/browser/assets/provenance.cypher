// Browser view: an artifact's upstream with the data-flow relationships among it, plus the run
// and pipeline of its producer (only those contexts: every other context would bring an edge
// from each of its members), and the open incidents found in or reaching it.
// params: $id (spliced as an integer literal), __KIND__ (spliced kind label)
// returns: n, upstream, flows, contexts, membership, parents, incidents, marks
MATCH (n:__KIND__ {id: $id})
OPTIONAL MATCH (n)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*]-(u)
WITH n, collect(DISTINCT u)[..300] AS up
WITH n, up, [n] + up AS shown
UNWIND shown AS a
OPTIONAL MATCH (a)-[f:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT|REUSED]->(b) WHERE b IN shown
WITH n, up, collect(DISTINCT f) AS flows
OPTIONAL MATCH (n)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(:Execution)-[:ASSOCIATED_WITH]->(c:Context)
OPTIONAL MATCH (c)-[:CHILD_OF*0..3]->(p:Context)
WITH n, up, flows, collect(DISTINCT p) AS contexts
OPTIONAL MATCH (n)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(:Execution)-[w:ASSOCIATED_WITH]->(:Context)
WITH n, up, flows, contexts, collect(DISTINCT w) AS membership
UNWIND (CASE WHEN contexts = [] THEN [null] ELSE contexts END) AS x
OPTIONAL MATCH (x)-[h:CHILD_OF]->(y) WHERE y IN contexts
WITH n, up, flows, contexts, membership, collect(DISTINCT h) AS parents
OPTIONAL MATCH (i:Incident {status: 'OPEN'})-[m:FOUND_IN|TAINTS]->(n)
RETURN n, up AS upstream, flows, contexts, membership, parents, collect(DISTINCT i) AS incidents,
       collect(DISTINCT m) AS marks
