// Create nodes of one kind; each row's label is models.type_label(type), validated in Python,
// and r.add the state labels it starts with (neo4j_codec.state_labels: [] or ['Failed']).
// params: $rows
// returns: created
UNWIND $rows AS r
CREATE (n:__KIND__)
SET n = r.props, n:$(r.label), n:$(r.add)
RETURN count(n) AS created
