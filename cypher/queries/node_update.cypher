// Replace the properties of existing nodes of one kind (the row carries every key, id included)
// and their state labels (neo4j_codec.state_labels: r.add to set, r.drop to remove, e.g.
// ['Failed']); other labels (type, Tainted) are kept.
// params: $rows
// returns: updated
UNWIND $rows AS r
MATCH (n:__KIND__ {id: r.id})
SET n = r.props, n:$(r.add)
REMOVE n:$(r.drop)
RETURN count(n) AS updated
