// Delete every node and edge except the schema version node, in batches (auto-commit only).
// Constraints and indexes are schema, not data: they stay.
// params:
// returns:
MATCH (n)
WHERE NOT n:SchemaVersion
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 10000 ROWS
