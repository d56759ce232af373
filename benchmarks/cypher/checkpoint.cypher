// Flush the page cache to the store files, so their size on disk is the data's size.
// params: (none)
// returns: success, message
CALL db.checkpoint() YIELD success, message RETURN success, message
