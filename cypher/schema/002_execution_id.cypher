// Execution ids are unique (they come from the execution Counter)
// params:
// returns:
CREATE CONSTRAINT execution_id IF NOT EXISTS FOR (n:Execution) REQUIRE n.id IS UNIQUE
