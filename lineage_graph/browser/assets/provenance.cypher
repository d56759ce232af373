// Browser view: an artifact's upstream plus the run and pipeline contexts of its producer.
// params: $id (spliced as an integer literal), __KIND__ (spliced kind label)
// returns: n, upstream, contexts
MATCH (n:__KIND__ {id: $id})
OPTIONAL MATCH (n)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*]-(u)
WITH n, collect(DISTINCT u) AS up
OPTIONAL MATCH (n)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(:Execution)-[:ASSOCIATED_WITH]->(c:Context)
OPTIONAL MATCH (c)-[:CHILD_OF*0..3]->(p:Context)
RETURN n, up[..300] AS upstream, collect(DISTINCT p) AS contexts
