// Insert or replace types of one kind, keyed by their unique name.
// params: $rows
// returns: id
UNWIND $rows AS r
MERGE (t:__TYPE__ {name: r.name})
SET t = r
RETURN t.id AS id
