// Reserve a range of numbers from each named counter in one statement (ids per kind, seq).
// params: $requests
// returns: kind, first
UNWIND $requests AS r
MERGE (c:Counter {kind: r.kind})
ON CREATE SET c.value = 0
SET c.value = c.value + r.count
RETURN r.kind AS kind, c.value - r.count + 1 AS first
