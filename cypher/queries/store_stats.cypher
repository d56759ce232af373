// How much the store holds: nodes per kind, edges, types, counters (for `init` and tests).
// params:
// returns: artifacts, executions, contexts, types, relationships, counters
CALL () { MATCH (n:Artifact) RETURN count(n) AS artifacts }
CALL () { MATCH (n:Execution) RETURN count(n) AS executions }
CALL () { MATCH (n:Context) RETURN count(n) AS contexts }
CALL () {
  MATCH (t) WHERE t:ArtifactType OR t:ExecutionType OR t:ContextType
  RETURN count(t) AS types
}
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
CALL () { MATCH (c:Counter) RETURN collect([c.kind, c.value]) AS counters }
RETURN artifacts, executions, contexts, types, relationships, counters
