// Move a counter to at least $at_least (after an import that kept foreign ids), never back.
// params: $kind, $at_least
// returns: value
MERGE (c:Counter {kind: $kind})
ON CREATE SET c.value = 0
SET c.value = CASE WHEN c.value < $at_least THEN $at_least ELSE c.value END
RETURN c.value AS value
