"""The Browser stylesheet (GraSS) for the metadata graph, in the forms the Browser accepts.

A leaf (it imports only ``models``): ``browser`` serves and links the sheet, ``server`` writes
it into the ``neo4j.conf`` of the Neo4j it provisions (``post_connect_line``), and neither
imports the other.

One colour per kind (Artifact blue, Execution green, Context mauve, Incident black with a red
ring), captions ``{type} {name}``, and two rules that make trouble stand out: ``node.Failed``
(red, larger: FAILED executions) and ``node.Tainted`` (orange with a red ring: artifacts an
open incident reached). GraSS selects on labels only, so these need the ``Failed`` /
``Tainted`` labels on the nodes; their captions also spell the word.

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

KIND_PROPS: Mapping[Kind, _Props] = {
    Kind.ARTIFACT: (
        ("color", "rgb(74, 144, 226)"),
        ("border-color", "rgb(38, 96, 168)"),
        ("text-color-internal", "rgb(255, 255, 255)"),
        ("caption", _CAPTION),
    ),
    Kind.EXECUTION: (
        ("color", "rgb(80, 190, 120)"),
        ("border-color", "rgb(44, 128, 76)"),
        ("text-color-internal", "rgb(255, 255, 255)"),
        ("caption", _CAPTION),
    ),
    Kind.CONTEXT: (
        ("color", "rgb(178, 132, 200)"),
        ("border-color", "rgb(120, 80, 145)"),
        ("text-color-internal", "rgb(255, 255, 255)"),
        ("diameter", "90px"),
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
        ("font-size", "10px"),
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

_TROUBLE: tuple[tuple[str, _Props], ...] = (
    (f"node.{INCIDENT_LABEL}", (
        ("color", "rgb(40, 40, 40)"),
        ("border-color", "rgb(220, 30, 40)"),
        ("border-width", "4px"),
        ("text-color-internal", "rgb(255, 255, 255)"),
        ("diameter", "95px"),
        ("caption", "'Incident {reason}'"),
    )),
    (f"node.{FAILED_LABEL}", (
        ("color", "rgb(226, 45, 55)"),
        ("border-color", "rgb(120, 10, 20)"),
        ("border-width", "4px"),
        ("text-color-internal", "rgb(255, 255, 255)"),
        ("diameter", "95px"),
        ("caption", "'FAILED {type} {name}'"),
    )),
    (f"node.{TAINTED_LABEL}", (
        ("color", "rgb(255, 152, 0)"),
        ("border-color", "rgb(220, 30, 40)"),
        ("border-width", "4px"),
        ("text-color-internal", "rgb(40, 40, 40)"),
        ("diameter", "90px"),
        ("caption", "'TAINTED {type} {name}'"),
    )),
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


def post_connect_line(type_labels: Mapping[str, Kind] | None = None) -> str:
    """The ``neo4j.conf`` line ``browser.post_connect_cmd=style ...`` (the inline lineage style)."""
    return "browser.post_connect_cmd=" + post_connect_style(type_labels)
