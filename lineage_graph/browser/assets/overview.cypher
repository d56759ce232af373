// Browser view: the pipelines and their runs (a map to start from).
// params: (none)
// returns: p, r, run
MATCH (p:Context)<-[r:CHILD_OF]-(run:Context)
RETURN p, r, run
LIMIT 300
