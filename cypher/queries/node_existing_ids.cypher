// Which of these ids exist among nodes of one kind (to refuse dangling references).
// params: $ids
// returns: ids
UNWIND $ids AS id
MATCH (n:__KIND__ {id: id})
RETURN collect(n.id) AS ids
