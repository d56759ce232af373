// (type, name) is unique among Context nodes, as in MLMD (unnamed nodes are exempt)
// params:
// returns:
CREATE CONSTRAINT context_type_and_name IF NOT EXISTS FOR (n:Context) REQUIRE (n.type, n.name) IS UNIQUE
