// Nodes of one kind by external id, through the external id uniqueness constraint.
// params: $external_ids
// returns: props
UNWIND $external_ids AS x
MATCH (n:__KIND__ {external_id: x})
RETURN properties(n) AS props
