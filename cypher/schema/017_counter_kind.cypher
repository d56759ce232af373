// one Counter node per sequence (artifact, execution, context, type, seq, incident)
// params:
// returns:
CREATE CONSTRAINT counter_kind IF NOT EXISTS FOR (n:Counter) REQUIRE n.kind IS UNIQUE
