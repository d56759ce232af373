// Create nodes of one kind; each row's label is models.type_label(type), validated in Python.
// params: $rows
// returns: created
UNWIND $rows AS r
CREATE (n:__KIND__)
SET n = r.props, n:$(r.label)
RETURN count(n) AS created
