// Context ids are unique (they come from the context Counter)
// params:
// returns:
CREATE CONSTRAINT context_id IF NOT EXISTS FOR (n:Context) REQUIRE n.id IS UNIQUE
