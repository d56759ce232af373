// executions by last known state
// params:
// returns:
CREATE RANGE INDEX execution_by_last_known_state IF NOT EXISTS FOR (n:Execution) ON (n.last_known_state)
