"""The Neo4j backend (the product). See the graph model below; queries live in cypher/.

Graph model (../shared/DESIGN.md):

* ``(:Artifact:<TypeLabel> {id, type, name, uri, state, external_id, create_time, update_time,
  seq, ...props})``; ``(:Execution:<TypeLabel> {..., last_known_state})``;
  ``(:Context:<TypeLabel> {...})``. ``<TypeLabel>`` is ``models.type_label(type)``.
* User properties are native properties in their own key namespace: declared ``p.<name>``,
  custom ``c.<name>``; STRUCT (dict/list) values are JSON strings under ``pj.<name>`` /
  ``cj.<name>``. System keys never contain a dot, so a user property can never overwrite one.
* Types: ``(:ArtifactType|ExecutionType|ContextType {id, name, version, description,
  base_type, properties})`` with ``properties`` a JSON object string ``{name: "INT", ...}``.
* Events: ``(a)-[:INPUT|DECLARED_INPUT|INTERNAL_INPUT {ts, path}]->(e)`` and
  ``(e)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT {ts, path}]->(a)``; ``path``
  is a JSON array string of steps (ints and strings).
* ``(a)-[:ATTRIBUTED_TO]->(c)``, ``(e)-[:ASSOCIATED_WITH]->(c)``, ``(child)-[:CHILD_OF]->(parent)``.
* Ids come from ``(:Counter {kind})`` nodes (``artifact``, ``execution``, ``context``, ``type``,
  ``seq``, ``incident``) updated in the writing transaction; ``(:SchemaVersion {version})``.
"""

from __future__ import annotations

from .base import Store
from .neo4j_lineage import Neo4jLineageMixin


class Neo4jStore(Neo4jLineageMixin, Store):  # type: ignore[misc]
    """Filled in by the metadata-store work (issue 4)."""
