// Take the store-wide write lock: every write transaction starts here, so writers serialise
// and seq order is commit order. A no-op SET still takes the node's exclusive lock.
// params:
// returns: value
MERGE (c:Counter {kind: 'seq'})
ON CREATE SET c.value = 0
SET c.value = c.value
RETURN c.value AS value
