// Replace the properties of existing nodes of one kind (the row carries every key, id included).
// params: $rows
// returns: updated
UNWIND $rows AS r
MATCH (n:__KIND__ {id: r.id})
SET n = r.props
RETURN count(n) AS updated
