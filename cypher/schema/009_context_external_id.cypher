// Context external ids are unique, as in MLMD (nodes without one are exempt)
// params:
// returns:
CREATE CONSTRAINT context_external_id IF NOT EXISTS FOR (n:Context) REQUIRE n.external_id IS UNIQUE
