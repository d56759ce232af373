// Execution nodes changed after a seq (subscribers' cursor)
// params:
// returns:
CREATE RANGE INDEX execution_by_seq IF NOT EXISTS FOR (n:Execution) ON (n.seq)
