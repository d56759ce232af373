// The server's advertised HTTP address, so that Browser links work without configuration.
// params: (none)
// returns: name, value
SHOW SETTINGS YIELD name, value
WHERE name IN ['server.http.enabled', 'server.http.advertised_address']
RETURN name, value
