// ExecutionType ids are unique (they come from the type Counter)
// params:
// returns:
CREATE CONSTRAINT executiontype_id IF NOT EXISTS FOR (n:ExecutionType) REQUIRE n.id IS UNIQUE
