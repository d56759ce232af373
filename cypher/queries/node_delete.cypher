// Delete nodes of one kind with every edge touching them; unknown ids are ignored.
// params: $ids
// returns: deleted
UNWIND $ids AS id
MATCH (n:__KIND__ {id: id})
DETACH DELETE n
RETURN count(id) AS deleted
