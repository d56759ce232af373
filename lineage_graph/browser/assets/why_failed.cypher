// Browser view: FAILED executions at or upstream of a node, with what they read and their runs.
// params: $id (spliced as an integer literal), __KIND__ (spliced kind label)
// returns: n, failed, inputs, contexts
MATCH (n:__KIND__ {id: $id})
OPTIONAL MATCH (n)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*]-(u)
WITH n, collect(DISTINCT u) AS up
WITH n, [x IN up + [n] WHERE x:Execution AND x.last_known_state = 'FAILED'] AS failed
UNWIND (CASE WHEN failed = [] THEN [null] ELSE failed END) AS f
OPTIONAL MATCH (a:Artifact)-[:INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(f)
OPTIONAL MATCH (f)-[:ASSOCIATED_WITH]->(c:Context)
RETURN n, failed, collect(DISTINCT a) AS inputs, collect(DISTINCT c) AS contexts
