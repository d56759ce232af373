// ExecutionType names are unique
// params:
// returns:
CREATE CONSTRAINT executiontype_name IF NOT EXISTS FOR (n:ExecutionType) REQUIRE n.name IS UNIQUE
