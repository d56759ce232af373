// (type, name) is unique among Execution nodes, as in MLMD (unnamed nodes are exempt)
// params:
// returns:
CREATE CONSTRAINT execution_type_and_name IF NOT EXISTS FOR (n:Execution) REQUIRE (n.type, n.name) IS UNIQUE
