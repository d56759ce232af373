// ContextType ids are unique (they come from the type Counter)
// params:
// returns:
CREATE CONSTRAINT contexttype_id IF NOT EXISTS FOR (n:ContextType) REQUIRE n.id IS UNIQUE
