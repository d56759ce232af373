// Browser view: every open incident with the node it was found in and what it tainted.
// params: (none)
// returns: i, r, n
MATCH (i:Incident {status: 'OPEN'})-[r:FOUND_IN|TAINTS]->(n)
RETURN i, r, n
LIMIT 300
