// OUTPUT events by timestamp: "is anything newer than T" is a seek (lineage_upstream walks as of T
// without time tests when nothing in the store is newer)
// params:
// returns:
CREATE RANGE INDEX event_output_by_ts IF NOT EXISTS FOR ()-[r:OUTPUT]-() ON (r.ts)
