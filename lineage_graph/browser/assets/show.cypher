// Browser view: one node with its neighbours (events, contexts, incidents).
// params: $id (spliced as an integer literal), __KIND__ (spliced kind label)
// returns: n, r, m
MATCH (n:__KIND__ {id: $id})
OPTIONAL MATCH (n)-[r]-(m)
RETURN n, r, m
LIMIT 300
