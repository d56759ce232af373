// Listing of the contexts (__KIND__) an artifact is attributed to, starting from that
// artifact (an id seek) ($artifact_id is non-null).
// Same filters, order and keyset paging as node_list (read it for the semantics); only
// the anchor differs so the planner starts from an index instead of a label scan.
// params: $type, $types, $name, $name_regex, $uri, $external_ids, $states, $state_key, $context_id, $artifact_id, $execution_id, $property_filters, $create_time_min, $create_time_max, $update_time_min, $update_time_max, $changed_after, $order_key, $descending, $after_id, $after_key, $limit
// returns: props
MATCH (:Artifact {id: $artifact_id})-[:ATTRIBUTED_TO]->(m:__KIND__)
WITH DISTINCT m AS n
WHERE ($type IS NULL OR n.type = $type)
  AND ($types IS NULL OR n.type IN $types)
  AND ($name IS NULL OR n.name = $name)
  AND ($name_regex IS NULL OR n.name =~ $name_regex)
  AND ($uri IS NULL OR n.uri = $uri)
  AND ($external_ids IS NULL OR n.external_id IN $external_ids)
  AND ($states IS NULL OR n[$state_key] IN $states)
  AND ($context_id IS NULL
       OR EXISTS { MATCH (n)-[:ATTRIBUTED_TO|ASSOCIATED_WITH]->(:Context {id: $context_id}) })
  AND ($artifact_id IS NULL
       OR EXISTS { MATCH (:Artifact {id: $artifact_id})-[:ATTRIBUTED_TO]->(n) })
  AND ($execution_id IS NULL
       OR EXISTS { MATCH (:Execution {id: $execution_id})-[:ASSOCIATED_WITH]->(n) })
  AND ($create_time_min IS NULL OR n.create_time >= $create_time_min)
  AND ($create_time_max IS NULL OR n.create_time < $create_time_max)
  AND ($update_time_min IS NULL OR n.update_time >= $update_time_min)
  AND ($update_time_max IS NULL OR n.update_time < $update_time_max)
  AND ($changed_after IS NULL OR n.seq > $changed_after)
  AND all(f IN $property_filters WHERE
        CASE f.op
          WHEN '=' THEN n[f.key] = f.value
          WHEN '!=' THEN n[f.key] <> f.value
          WHEN '<' THEN n[f.key] < f.value
          WHEN '<=' THEN n[f.key] <= f.value
          WHEN '>' THEN n[f.key] > f.value
          WHEN '>=' THEN n[f.key] >= f.value
        END)
WITH n, n[$order_key] AS k
WHERE $after_id IS NULL
   OR (NOT $descending AND (
         CASE WHEN $after_key IS NULL
              THEN k IS NULL AND n.id > $after_id
              ELSE k IS NULL OR k > $after_key OR (k = $after_key AND n.id > $after_id)
         END))
   OR ($descending AND (
         CASE WHEN $after_key IS NULL
              THEN k IS NOT NULL OR n.id < $after_id
              ELSE k IS NOT NULL AND (k < $after_key OR (k = $after_key AND n.id < $after_id))
         END))
RETURN properties(n) AS props
ORDER BY CASE WHEN $descending THEN k END DESC,
         CASE WHEN $descending THEN n.id END DESC,
         CASE WHEN $descending THEN null ELSE k END ASC,
         CASE WHEN $descending THEN null ELSE n.id END ASC
LIMIT $limit
