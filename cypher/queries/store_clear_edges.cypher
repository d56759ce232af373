// Delete every relationship, in batches (auto-commit only). Run before store_clear so that no
// batch has to detach a node with hundreds of thousands of edges (a pipeline context in a large
// store), which would exceed the server's transaction memory pool.
// params:
// returns:
MATCH ()-[r]->()
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS
