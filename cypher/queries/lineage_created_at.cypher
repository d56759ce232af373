// When artifacts came to be: each one's create_time and, per output event that wrote it, the
// later of the event's timestamp and its execution's create_time (upstream "as of its creation" walks at the later of create_time and the earliest of
// these; store/lineage_base.creation_time). Only output-typed relationships are expanded, so a
// dataset read by thousands of executions costs nothing extra.
// params: $ids
// returns: id, create_time, output_ts
MATCH (a:Artifact) WHERE a.id IN $ids
RETURN a.id AS id, a.create_time AS create_time,
       [(a)<-[r:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-(x:Execution)
          WHERE r.ts IS NOT NULL OR x.create_time IS NOT NULL
          | CASE WHEN r.ts IS NULL OR x.create_time > r.ts THEN x.create_time ELSE r.ts END] AS output_ts
