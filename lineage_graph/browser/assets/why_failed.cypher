// Browser view: FAILED executions at or upstream of a node (a run or pipeline: in it), what
// they read (INPUT relationships) and the runs they belong to (ASSOCIATED_WITH).
// params: $id (spliced as an integer literal), __KIND__ (spliced kind label)
// returns: n, failed, inputs, reads, contexts, membership
MATCH (n:__KIND__ {id: $id})
OPTIONAL MATCH (n)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*]-(u)
WITH n, collect(DISTINCT u) AS up
OPTIONAL MATCH (n)<-[:CHILD_OF*0..3]-(:Context)<-[:ASSOCIATED_WITH]-(member:Execution)
WITH n, up, collect(DISTINCT member) AS members
WITH n, [x IN up + members + [n] WHERE x:Execution AND x.last_known_state = 'FAILED'] AS failed
UNWIND (CASE WHEN failed = [] THEN [null] ELSE failed END) AS f
OPTIONAL MATCH (a:Artifact)-[r:INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(f)
OPTIONAL MATCH (f)-[w:ASSOCIATED_WITH]->(c:Context)
RETURN n, failed, collect(DISTINCT a) AS inputs, collect(DISTINCT r) AS reads,
       collect(DISTINCT c) AS contexts, collect(DISTINCT w) AS membership
