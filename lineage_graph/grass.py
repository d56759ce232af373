"""The Browser stylesheet (GraSS) for the metadata graph, in the forms the Browser accepts.

A leaf (it imports only ``models``): ``browser`` serves and links the sheet, ``server`` writes
it into the ``neo4j.conf`` of the Neo4j it provisions (``post_connect_line``), and neither
imports the other.

One colour per kind (Artifact blue, Execution green, Context mauve, Incident black with a red
ring), captions ``{type} {name}``, and rules that make trouble stand out without hiding the
kind: ``node.Failed`` (FAILED executions: red fill, caption ``FAILED ...``), ``node.Tainted``
(what an open incident reached: the kind's fill kept, a thick orange ring, caption
``TAINTED ...``) and ``node.Failed.Tainted`` (both: red fill, orange ring, both words).
GraSS selects on labels only, so these need the ``Failed`` / ``Tainted`` labels on the nodes.
Which incident reached a node is the ``Incident {id}`` node the views draw next to it
(``TAINTS``/``FOUND_IN``): a caption can only interpolate the node's own properties.

Captions that fit: the Browser splits a caption on spaces and fits the words into the circle
(``fitCaptionIntoCircle``: lines of the chord's width, at most diameter / font-size lines); a
word wider than its line is cut with an ellipsis. Names are single long words
(``customer-events-2024-w12``, ``churn-prediction-2024-w15/Trainer``), so at the Browser's
default size they were cut after ~12 characters. The sheet uses an 8px caption font and
diameters sized so names of up to ~42 characters (artifacts, executions) fit whole;
the full name is always in the properties panel (click a node) and in ``lineage-graph
report``. A shorter stored caption would need a property written with the node (see
``browser/__init__``).

How neo4j-browser 5.24.0 treats GraSS (read in its bundle, checked in headless Chromium):

* A rule body is split on ``;`` and each declaration on its first ``:``, so values never
  contain ``:`` or ``;``. Quotes toggle "inside a string" and are dropped.
* The loaded rules replace the whole stylesheet; of the rules matching a node, later ones win.
* For every label it draws, the Browser checks for a rule whose labels are a subset of that
  one label; if none sets a colour or caption it APPENDS a generated rule (``node.Dataset
  {color: #DA7194}``), which then beats our kind colours. So the sheet carries a rule per
  type label (``node.Dataset``) before the kind rules: give ``type_labels`` for the store's
  types; the well-known MLMD/TFX type names are always included.
* Colours are SVG paints, so ``rgb(r, g, b)`` works; we never write ``#``, which a
  ``cmd=edit&arg=`` URL cannot carry (see ``links``).

Forms:

* ``grass_text()``: the stylesheet, for ``:style http://localhost:<port>/lineage.grass``;
* ``style_command()``: ``:style <rules on one line>``, runnable from the editor (the editor
  does not split ``:style`` commands on ``;``), so it can travel in a Browser URL;
* ``post_connect_style()``: the same without the colon and with every ``;`` quoted as
  ``';'``: ``browser.post_connect_cmd`` splits commands on ``;`` outside quotes, while the
  GraSS parser drops the quotes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .models import Kind, type_label

FAILED_LABEL = "Failed"
TAINTED_LABEL = "Tainted"
INCIDENT_LABEL = "Incident"

# Type names the MLMD/TFX world uses; their labels get rules even before such types exist.
WELL_KNOWN_TYPES: Mapping[Kind, tuple[str, ...]] = {
    Kind.ARTIFACT: (
        "Dataset", "Examples", "ExampleStatistics", "Schema", "ExampleAnomalies",
        "TransformGraph", "Model", "ModelBlessing", "ModelEvaluation", "PushedModel",
        "InfraBlessing", "HyperParameters", "Metrics",
    ),
    Kind.EXECUTION: (
        "ExampleGen", "StatisticsGen", "SchemaGen", "ExampleValidator", "Transform",
        "Trainer", "Tuner", "Evaluator", "InfraValidator", "Pusher", "Deploy", "Train",
        "Ingest", "Evaluate",
    ),
    Kind.CONTEXT: ("Pipeline", "PipelineRun", "Experiment", "Deployment", "Run"),
}

_Props = tuple[tuple[str, str], ...]

_CAPTION = "'{type} {name}'"
CAPTION_FONT = "8px"
# Diameters that fit a name of ~42 (artifacts, executions) / ~34 (contexts) characters on one
# line at CAPTION_FONT (measured in Chromium: ~4.2 px per character of 8px sans-serif; the
# longest demo name, ``churn-prediction-2024-w12/examples-train``, is 40).
DIAMETER: Mapping[Kind, str] = {
    Kind.ARTIFACT: "180px", Kind.EXECUTION: "180px", Kind.CONTEXT: "150px",
}

KIND_PROPS: Mapping[Kind, _Props] = {
    Kind.ARTIFACT: (
        ("color", "rgb(74, 144, 226)"),
        ("border-color", "rgb(38, 96, 168)"),
        ("text-color-internal", "rgb(255, 255, 255)"),
        ("diameter", DIAMETER[Kind.ARTIFACT]),
        ("caption", _CAPTION),
    ),
    Kind.EXECUTION: (
        ("color", "rgb(80, 190, 120)"),
        ("border-color", "rgb(44, 128, 76)"),
        ("text-color-internal", "rgb(255, 255, 255)"),
        ("diameter", DIAMETER[Kind.EXECUTION]),
        ("caption", _CAPTION),
    ),
    Kind.CONTEXT: (
        ("color", "rgb(178, 132, 200)"),
        ("border-color", "rgb(120, 80, 145)"),
        ("text-color-internal", "rgb(255, 255, 255)"),
        ("diameter", DIAMETER[Kind.CONTEXT]),
        ("caption", _CAPTION),
    ),
}

_BASE: tuple[tuple[str, _Props], ...] = (
    ("node", (
        ("diameter", "80px"),
        ("color", "rgb(165, 171, 182)"),
        ("border-color", "rgb(154, 161, 172)"),
        ("border-width", "2px"),
        ("text-color-internal", "rgb(255, 255, 255)"),
        ("font-size", CAPTION_FONT),
        ("caption", _CAPTION),
    )),
    ("relationship", (
        ("color", "rgb(120, 126, 138)"),
        ("shaft-width", "2px"),
        ("font-size", "8px"),
        ("padding", "3px"),
        ("text-color-external", "rgb(60, 60, 60)"),
        ("text-color-internal", "rgb(255, 255, 255)"),
        ("caption", "'<type>'"),
    )),
)

FAILED_COLOUR = "rgb(226, 45, 55)"
TAINTED_RING = "rgb(255, 140, 0)"

# Tainted sets no fill: the kind's colour (type colours in a downstream view where everything
# is tainted) stays, the ring and the caption say TAINTED. A node that is both FAILED and
# TAINTED matches the last rule, which says both (several classes: the node needs all).
_TROUBLE: tuple[tuple[str, _Props], ...] = (
    (f"node.{INCIDENT_LABEL}", (
        ("color", "rgb(40, 40, 40)"),
        ("border-color", "rgb(220, 30, 40)"),
        ("border-width", "4px"),
        ("text-color-internal", "rgb(255, 255, 255)"),
        ("diameter", "150px"),
        ("caption", "'Incident {id} {reason}'"),
    )),
    (f"node.{FAILED_LABEL}", (
        ("color", FAILED_COLOUR),
        ("border-color", "rgb(120, 10, 20)"),
        ("border-width", "4px"),
        ("text-color-internal", "rgb(255, 255, 255)"),
        ("caption", "'FAILED {type} {name}'"),
    )),
    (f"node.{TAINTED_LABEL}", (
        ("border-color", TAINTED_RING),
        ("border-width", "8px"),
        ("caption", "'TAINTED {type} {name}'"),
    )),
    (f"node.{FAILED_LABEL}.{TAINTED_LABEL}", (
        ("color", FAILED_COLOUR),
        ("border-color", TAINTED_RING),
        ("border-width", "8px"),
        ("text-color-internal", "rgb(255, 255, 255)"),
        ("caption", "'FAILED TAINTED {type} {name}'"),
    )),
)

# Deployment events (lineage_graph.deployments) are named "<target>/<action>@<ISO time>", one
# long word the circle cannot fit: their caption reads the action and target properties
# instead (custom properties are stored as ``c.<name>``); the name stays in the properties.
EVENT_TYPES: tuple[str, ...] = ("Deploy", "Undeploy", "SetAlias")
# After the trouble rules (so a plain event is not captioned by its name), each with its
# TAINTED form after it; two classes keep the selectors distinct from the per-type rules.
_EVENTS: tuple[tuple[str, _Props], ...] = tuple(
    rule
    for t in EVENT_TYPES
    for rule in (
        (f"node.{Kind.EXECUTION.label}.{t}", (("caption", "'{type} {c.action} {c.target}'"),)),
        (f"node.{t}.{TAINTED_LABEL}", (("caption", "'TAINTED {type} {c.action} {c.target}'"),)),
    )
)

_RELATIONSHIPS: tuple[tuple[str, _Props], ...] = (
    ("relationship.ATTRIBUTED_TO", (("color", "rgb(200, 200, 205)"), ("shaft-width", "1px"))),
    ("relationship.ASSOCIATED_WITH", (("color", "rgb(200, 200, 205)"), ("shaft-width", "1px"))),
    ("relationship.CHILD_OF", (("color", "rgb(178, 132, 200)"), ("shaft-width", "1px"))),
    # Incidents: where the bad data was found and every node it reached.
    ("relationship.FOUND_IN", (("color", "rgb(220, 30, 40)"), ("shaft-width", "4px"))),
    ("relationship.TAINTS", (("color", "rgb(240, 120, 120)"), ("shaft-width", "2px"))),
)


def _label_kinds(type_labels: Mapping[str, Kind]) -> dict[str, Kind]:
    """Well-known type labels plus the given ones (the given kind wins on a clash)."""
    labels: dict[str, Kind] = {}
    for kind, names in WELL_KNOWN_TYPES.items():
        for name in names:
            labels[type_label(name)] = kind
    labels.update(type_labels)
    reserved = {k.label for k in Kind} | {INCIDENT_LABEL, FAILED_LABEL, TAINTED_LABEL}
    return {label: kind for label, kind in sorted(labels.items()) if label not in reserved}


def type_labels_of(types: Iterable[tuple[Kind, str]]) -> dict[str, Kind]:
    """``{label: kind}`` for (kind, type name) pairs, e.g. from ``store.get_types``.

    Raises:
        ValueError: a type name is not a valid type name.
    """
    return {type_label(name): kind for kind, name in types}


def rules(type_labels: Mapping[str, Kind] | None = None) -> list[tuple[str, _Props]]:
    """The stylesheet as (selector, declarations) in the order the Browser applies them."""
    ordered: list[tuple[str, _Props]] = list(_BASE)
    # Per-type rules first: they exist so the Browser adds no generated rule for the label;
    # the kind rules after them decide what a node really looks like.
    for label, kind in _label_kinds(type_labels or {}).items():
        ordered.append((f"node.{label}", KIND_PROPS[kind]))
    for kind in (Kind.ARTIFACT, Kind.EXECUTION, Kind.CONTEXT):
        ordered.append((f"node.{kind.label}", KIND_PROPS[kind]))
    ordered.extend(_TROUBLE)
    ordered.extend(_EVENTS)
    ordered.extend(_RELATIONSHIPS)
    return ordered


def grass_text(type_labels: Mapping[str, Kind] | None = None) -> str:
    """The stylesheet as a ``.grass`` document.

    Args:
        type_labels: ``{label: kind}`` of the store's types (see ``type_labels_of``).
    """
    blocks = []
    for selector, props in rules(type_labels):
        body = "".join(f"  {name}: {value};\n" for name, value in props)
        blocks.append(f"{selector} {{\n{body}}}\n")
    return "\n".join(blocks)


def _one_line(type_labels: Mapping[str, Kind] | None) -> str:
    return " ".join(
        f"{selector} {{" + "".join(f"{name}: {value}; " for name, value in props) + "}"
        for selector, props in rules(type_labels)
    )


def style_command(type_labels: Mapping[str, Kind] | None = None) -> str:
    """``:style`` and the whole stylesheet on one line, runnable in the Browser's editor."""
    return ":style " + _one_line(type_labels)


def post_connect_style(type_labels: Mapping[str, Kind] | None = None) -> str:
    """The stylesheet as one ``browser.post_connect_cmd`` command (no leading colon).

    Every ``;`` becomes ``';'``: post_connect_cmd keeps semicolons inside quotes, and the
    GraSS parser drops quote characters, so the rules arrive intact.
    """
    return "style " + _one_line(type_labels).replace(";", "';'")


# After the style, clear the stream: every ``:style`` command adds a frame whose header is the
# command itself, i.e. the whole inline stylesheet (13 kB above the results at every login).
# No Browser command applies a style without that frame (neo4j-browser 5.24: the ``style``
# command always adds one; ``:style <url>`` would need the asset server up at every connect),
# so the frame is removed right away. ``clear`` runs once per connect, before any query of the
# session, so it only drops the connect frame and the start guide.
QUIET_AFTER_STYLE = "clear"


def post_connect_commands(type_labels: Mapping[str, Kind] | None = None) -> str:
    """The value of ``browser.post_connect_cmd``: apply the style, then clear the stream."""
    return f"{post_connect_style(type_labels)}; {QUIET_AFTER_STYLE}"


def post_connect_line(type_labels: Mapping[str, Kind] | None = None) -> str:
    """The ``neo4j.conf`` line ``browser.post_connect_cmd=style ...; clear`` (the inline
    lineage style, applied without leaving the stylesheet in the stream)."""
    return "browser.post_connect_cmd=" + post_connect_commands(type_labels)
