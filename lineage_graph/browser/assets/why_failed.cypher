// Browser view: FAILED executions at or upstream of a node, with what they read and their runs.
// params: $id (spliced as an integer literal), __KIND__ (spliced kind label)
// returns: n, failed, inputs, contexts
MATCH (n:__KIND__ {id: $id})
OPTIONAL MATCH (n)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*0..]-(f:Execution {last_known_state: 'FAILED'})
WITH n, collect(DISTINCT f) AS failed
OPTIONAL MATCH (a:Artifact)-[:INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(f2:Execution)
WHERE f2 IN failed
OPTIONAL MATCH (f2)-[:ASSOCIATED_WITH]->(c:Context)
RETURN n, failed, collect(DISTINCT a) AS inputs, collect(DISTINCT c) AS contexts
