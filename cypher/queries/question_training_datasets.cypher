// Which datasets trained a model (question 1): the artifacts upstream of it at any depth whose
// type has the dataset role (any type with $all_types), only the origins (nothing produced them)
// with $roots_only; each with its distance in hops. Roles as in question_deployments.
// params: $id, $roles_type, $roles_name, $role_defaults, $explicit, $all_types, $roots_only
// returns: node
CALL () {
  OPTIONAL MATCH (rm:Context {type: $roles_type, name: $roles_name})
  RETURN [k IN coalesce(keys(rm), []) WHERE k STARTS WITH 'c.' | [substring(k, 2), rm[k]]] AS stored
}
WITH [p IN $role_defaults WHERE NOT p[0] IN [s IN stored | s[0]]] + stored AS roles
WITH coalesce($explicit.dataset, [p IN roles WHERE p[1] = 'dataset' | p[0]]) AS dataset_types
MATCH (m:Artifact {id: $id})
CALL (m) {
  MATCH path = (m)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT|INPUT|DECLARED_INPUT|INTERNAL_INPUT*]-(u)
  RETURN u, min(length(path)) AS hops
}
WITH u, hops, dataset_types
WHERE 'Artifact' IN labels(u) AND ($all_types OR u.type IN dataset_types)
  AND (NOT $roots_only OR NOT EXISTS { (u)<-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT]-() })
RETURN {id: u.id, type: u.type, name: u.name, uri: u.uri, state: u.state, create_time: u.create_time,
        hops: hops} AS node
