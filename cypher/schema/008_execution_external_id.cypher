// Execution external ids are unique, as in MLMD (nodes without one are exempt)
// params:
// returns:
CREATE CONSTRAINT execution_external_id IF NOT EXISTS FOR (n:Execution) REQUIRE n.external_id IS UNIQUE
