// Types of one kind (__TYPE__ is ArtifactType, ExecutionType or ContextType), all or by name.
// params: $names
// returns: props
MATCH (t:__TYPE__)
WHERE $names IS NULL OR t.name IN $names
RETURN properties(t) AS props
ORDER BY t.id
