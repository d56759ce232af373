// Take the store-wide write lock: every write transaction starts here, so writers serialise
// and seq order is commit order. The SET writes a constant: it takes the node's exclusive
// lock without reading anything first (`SET c.value = c.value` read the value before it
// held the lock and wrote that stale value back, so two writers could get the same numbers).
// Every later read of a counter in the transaction happens under the lock.
// params:
// returns: locked
MERGE (c:Counter {kind: 'seq'})
ON CREATE SET c.value = 0
SET c.locked = true
RETURN true AS locked
