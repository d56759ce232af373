// Browser view: what is deployed now and how it got there. The start's deployment events (a
// model: the Deploy/Undeploy/SetAlias executions it is the INPUT of, and the pushed-model
// artifacts made from it; a target or alias: its own; a pipeline: the pushes of its runs),
// the targets they went to, and each target's whole history: every event with its model,
// every push attributed to it. `live` is each target's latest event (a table column).
// params: $id (spliced as an integer literal), __KIND__ (spliced kind label),
//         __EVENT_TYPES__ (spliced list: the event execution types lineage-graph records),
//         __DEPLOYMENT_TYPES__ (spliced list of validated type names: the deployment role),
//         __MODEL_TYPES__ (the model role: the model behind each push)
// returns: n, targets, events, models, pushes, links, live
MATCH (n:__KIND__ {id: $id})
OPTIONAL MATCH (n)<-[:CHILD_OF*0..3]-(run:Context)
WITH n, collect(DISTINCT run) AS runs
OPTIONAL MATCH (n)-[:INPUT]->(own:Execution)-[:ASSOCIATED_WITH]->(t1:Context)
  WHERE own.type IN __EVENT_TYPES__
WITH n, runs, collect(DISTINCT t1) AS t1s
OPTIONAL MATCH (n)-[:INPUT]->(:Execution)-[:OUTPUT]->(:Artifact)-[:ATTRIBUTED_TO]->(t2:Context)
  WHERE t2.type IN __DEPLOYMENT_TYPES__
WITH n, runs, t1s, collect(DISTINCT t2) AS t2s
UNWIND (CASE WHEN runs = [] THEN [null] ELSE runs END) AS run
OPTIONAL MATCH (run)<-[:ATTRIBUTED_TO]-(p:Artifact)-[:ATTRIBUTED_TO]->(t3:Context)
  WHERE p.type IN __DEPLOYMENT_TYPES__ AND t3.type IN __DEPLOYMENT_TYPES__
WITH n, t1s, t2s, collect(DISTINCT t3) AS t3s
WITH n, t1s + t2s + t3s
        + [x IN [n] WHERE x:Context AND x.type IN __DEPLOYMENT_TYPES__ + ['ModelAlias']] AS ts
UNWIND (CASE WHEN ts = [] THEN [null] ELSE ts END) AS t
OPTIONAL MATCH (t)<-[a:ASSOCIATED_WITH]-(ev:Execution) WHERE ev.type IN __EVENT_TYPES__
OPTIONAL MATCH (m:Artifact)-[i:INPUT]->(ev)
WITH n, t, ev, collect(DISTINCT m) AS evms, collect(DISTINCT a) + collect(DISTINCT i) AS evrels
ORDER BY t.id, ev.`c.at` DESC
WITH n, t, collect(ev) AS evs, reduce(acc = [], x IN collect(evms) | acc + x) AS ms,
     reduce(acc = [], x IN collect(evrels) | acc + x) AS rels
OPTIONAL MATCH (t)<-[b:ATTRIBUTED_TO]-(pushed:Artifact) WHERE pushed.type IN __DEPLOYMENT_TYPES__
OPTIONAL MATCH (pm:Artifact)-[pi:INPUT]->(px:Execution)-[po:OUTPUT]->(pushed)
  WHERE pm.type IN __MODEL_TYPES__
WITH n, t, evs, ms, rels, collect(DISTINCT pm) AS pms,
     collect(DISTINCT pushed) + collect(DISTINCT px) AS ps,
     collect(DISTINCT b) + collect(DISTINCT pi) + collect(DISTINCT po) AS pushrels
RETURN n, collect(t) AS targets,
       reduce(acc = [], x IN collect(evs) | acc + x) AS events,
       reduce(acc = [], x IN collect(ms + pms) | acc + x) AS models,
       reduce(acc = [], x IN collect(ps) | acc + x) AS pushes,
       reduce(acc = [], x IN collect(rels + pushrels) | acc + x) AS links,
       [x IN collect([t.name, head(evs).name]) WHERE x[0] IS NOT NULL] AS live
