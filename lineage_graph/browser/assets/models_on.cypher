// Browser view: a dataset, the models trained on it (downstream, any depth) and the steps between.
// params: $id (spliced as an integer literal), __KIND__ (spliced kind label)
// returns: n, between, models
MATCH (n:__KIND__ {id: $id})
OPTIONAL MATCH (n)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*]->(m:Artifact)
WHERE m.type IN ['Model']
WITH n, collect(DISTINCT m) AS models
OPTIONAL MATCH (n)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*]->(x)
WHERE EXISTS { (x)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*0..]->(m2:Artifact) WHERE m2 IN models }
RETURN n, collect(DISTINCT x)[..300] AS between, models
