// The server's data directory (to measure the store's size on disk).
// params: (none)
// returns: value
SHOW SETTINGS YIELD name, value WHERE name = 'server.directories.data' RETURN value
