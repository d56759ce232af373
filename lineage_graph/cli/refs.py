"""REF: how the command line names a node. The rules live in ``lineage_graph.refs`` (the
Python API parses references the same way):

* ``a:48`` / ``e:48`` / ``c:48`` (or ``artifact:48`` ...): the artifact, execution or context
  with that id;
* ``TYPE:NAME``, split at the FIRST colon (``Model:churn:v3`` is type ``Model``, name
  ``churn:v3``);
* ``@NAME``: the model an alias points at now;
* a bare ``48``: the node with that id when only one kind has one; when several kinds do, an
  error lists them (ids are separate sequences per kind).

``--kind`` restricts the lookup to one kind. Output names nodes the same way (``ref_text``).
"""

from __future__ import annotations

from ..refs import (
    KIND_PREFIXES,
    SEARCH_ORDER,
    ParsedRef,
    node_ref,
    parse_ref,
    ref_text,
    resolve_node,
)

__all__ = [
    "KIND_PREFIXES",
    "SEARCH_ORDER",
    "ParsedRef",
    "node_ref",
    "parse_ref",
    "ref_text",
    "resolve_node",
]
