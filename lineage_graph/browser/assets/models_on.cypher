// Browser view: a dataset, the models trained on it (downstream, any depth) and the steps between.
// params: $id (spliced as an integer literal), __KIND__ (spliced kind label)
// returns: n, between, models
MATCH (n:__KIND__ {id: $id})
OPTIONAL MATCH (n)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*]->(d)
WITH n, collect(DISTINCT d) AS down
WITH n, down, [x IN down WHERE x:Artifact AND x.type IN ['Model']] AS models
UNWIND (CASE WHEN models = [] THEN [null] ELSE models END) AS m
OPTIONAL MATCH (m)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*]-(y)
WITH n, down, models, collect(DISTINCT y) AS feeding
RETURN n, [x IN down WHERE x IN feeding][..300] AS between, models
