// Nodes of one kind by (type, name), through the (type, name) uniqueness constraint.
// params: $keys
// returns: props
UNWIND $keys AS k
MATCH (n:__KIND__ {type: k.type, name: k.name})
RETURN properties(n) AS props
