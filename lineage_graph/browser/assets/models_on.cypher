// Browser view: a dataset, the models trained on it (downstream, any depth; model types from
// the stored roles mapping) and the steps between, with the data-flow relationships among them.
// params: $id (spliced as an integer literal), __KIND__ (spliced kind label),
//         __MODEL_TYPES__ (spliced list of validated type names: the model role)
// returns: n, between, models, flows
MATCH (n:__KIND__ {id: $id})
OPTIONAL MATCH (n)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*]->(d)
WITH n, collect(DISTINCT d) AS down
WITH n, down, [x IN down WHERE x:Artifact AND x.type IN __MODEL_TYPES__] AS models
UNWIND (CASE WHEN models = [] THEN [null] ELSE models END) AS m
OPTIONAL MATCH (m)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*]-(y)
WITH n, down, models, collect(DISTINCT y) AS feeding
WITH n, models, [x IN down WHERE x IN feeding][..300] AS between
WITH n, models, between, [n] + models + between AS shown
UNWIND shown AS a
OPTIONAL MATCH (a)-[f:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT]->(b) WHERE b IN shown
RETURN n, between, models, collect(DISTINCT f) AS flows
