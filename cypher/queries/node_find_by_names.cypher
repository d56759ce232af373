// Nodes of one kind by (type, name), through the (type, name) uniqueness constraint.
// The hint pins the constraint's composite index: inside a transaction that has written
// nodes, the planner was seen choosing the range index on type and filtering on name
// (1.3M rows for 2,410 keys in one benchmark batch instead of 2,410 seeks).
// params: $keys
// returns: props
UNWIND $keys AS k
MATCH (n:__KIND__ {type: k.type, name: k.name})
USING INDEX n:__KIND__(type, name)
RETURN properties(n) AS props
