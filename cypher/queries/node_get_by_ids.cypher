// Nodes of one kind (__KIND__) by id; unknown ids give no row.
// params: $ids
// returns: props
UNWIND $ids AS id
MATCH (n:__KIND__ {id: id})
RETURN properties(n) AS props
