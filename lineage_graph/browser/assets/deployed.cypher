// Browser view: a deployed artifact, the step that pushed it, the model behind it, its contexts.
// params: $id (spliced as an integer literal), __KIND__ (spliced kind label)
// returns: d, pusher, model, contexts
MATCH (d:__KIND__ {id: $id})
OPTIONAL MATCH (d)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(e:Execution)
OPTIONAL MATCH (e)<-[:INPUT|DECLARED_INPUT|INTERNAL_INPUT]-(m:Artifact)
OPTIONAL MATCH (d)-[:ATTRIBUTED_TO]->(c:Context)
RETURN d, collect(DISTINCT e) AS pusher, collect(DISTINCT m) AS model, collect(DISTINCT c) AS contexts
