// Context nodes changed after a seq (subscribers' cursor)
// params:
// returns:
CREATE RANGE INDEX context_by_seq IF NOT EXISTS FOR (n:Context) ON (n.seq)
