// ContextType names are unique
// params:
// returns:
CREATE CONSTRAINT contexttype_name IF NOT EXISTS FOR (n:ContextType) REQUIRE n.name IS UNIQUE
