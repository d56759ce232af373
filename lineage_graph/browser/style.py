"""The Browser stylesheet (GraSS) for the metadata graph.

The sheet itself lives in the leaf module ``lineage_graph.grass`` (the server writes it into
the ``neo4j.conf`` of the Neo4j it provisions, and must not import this package); this module
is its name inside ``browser``. See ``lineage_graph.grass`` for how the Browser reads GraSS and
the forms the sheet takes.
"""

from __future__ import annotations

from ..grass import (
    FAILED_LABEL,
    INCIDENT_LABEL,
    KIND_PROPS,
    TAINTED_LABEL,
    WELL_KNOWN_TYPES,
    grass_text,
    post_connect_line,
    post_connect_style,
    rules,
    style_command,
    type_labels_of,
)

__all__ = [
    "FAILED_LABEL",
    "INCIDENT_LABEL",
    "KIND_PROPS",
    "TAINTED_LABEL",
    "WELL_KNOWN_TYPES",
    "grass_text",
    "post_connect_line",
    "post_connect_style",
    "rules",
    "style_command",
    "type_labels_of",
]
