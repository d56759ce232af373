// Every type of every kind (a write transaction's cache for validation).
// params:
// returns: label, props
MATCH (t)
WHERE t:ArtifactType OR t:ExecutionType OR t:ContextType
RETURN [l IN labels(t) WHERE l IN ['ArtifactType', 'ExecutionType', 'ContextType']][0] AS label,
       properties(t) AS props
