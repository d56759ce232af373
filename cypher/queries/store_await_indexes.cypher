// Wait until every index is online (after init_schema created some).
// params: $timeout_seconds
// returns:
CALL db.awaitIndexes($timeout_seconds)
