"""The lineage graph as inline SVG: boxes coloured by kind, arrows in the direction data flowed.

Each node is a ``<g class="node">`` with ``data-ref`` (``a:12``), ``data-kind``, ``data-type``,
``data-name``, ``data-failed``/``data-tainted`` (``true``/``false``) and ``data-incidents``, a
``<rect>`` filled with the kind's colour (the Browser style's, ``grass.KIND_PROPS``), the full
type and name as text (boxes grow to fit: nothing is cut), and a ``<title>`` for hover. A
FAILED execution gets a red border and a "FAILED" badge; a node an open incident reached an
orange dashed border and a "TAINTED #id" badge; a node can carry both. Everything that came
from the store is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from ..grass import KIND_PROPS
from ..models import Kind
from .layout import layered

FAILED_COLOUR = "rgb(226, 45, 55)"
TAINTED_COLOUR = "rgb(255, 140, 0)"
START_COLOUR = "rgb(20, 20, 20)"
KIND_COLOURS: dict[Kind, str] = {k: dict(KIND_PROPS[k])["color"] for k in KIND_PROPS}
PREFIX = {Kind.ARTIFACT: "a", Kind.EXECUTION: "e", Kind.CONTEXT: "c"}

_CHAR = 7.2  # px per character at 12px sans-serif, generous so text never overflows
_ROW, _GAP_X, _PAD = 86.0, 70.0, 20.0
_HEIGHT = 54.0


@dataclass(frozen=True)
class GraphNode:
    """A node to draw. ``failed``: a FAILED execution; ``incidents``: open incidents reaching it."""

    kind: Kind
    id: int
    type: str
    name: str | None = None
    state: str | None = None
    incidents: tuple[int, ...] = ()
    start: bool = False

    @property
    def ref(self) -> str:
        return f"{PREFIX[self.kind]}:{self.id}"

    @property
    def failed(self) -> bool:
        return self.kind is Kind.EXECUTION and self.state == "FAILED"

    @property
    def tainted(self) -> bool:
        return bool(self.incidents)


@dataclass(frozen=True)
class GraphEdge:
    """An arrow from ``source`` to ``target`` (refs such as ``a:12``), labelled ``type``."""

    source: str
    target: str
    type: str


def _badges(n: GraphNode) -> list[str]:
    marks = []
    if n.failed:
        marks.append("FAILED")
    if n.tainted:
        marks.append("TAINTED " + " ".join(f"#{i}" for i in n.incidents))
    return marks


def _width(n: GraphNode) -> float:
    lines = [n.type, n.name or "", " ".join(_badges(n)) + " " + n.ref]
    return max(120.0, max(len(s) for s in lines) * _CHAR + 24)


def render_svg(nodes: Sequence[GraphNode], edges: Sequence[GraphEdge]) -> str:
    """The ``<svg>`` element (no XML prolog: it is inlined into the page)."""
    by_ref = {n.ref: n for n in nodes}
    pairs = [(e.source, e.target) for e in edges if e.source in by_ref and e.target in by_ref]
    place = layered([n.ref for n in nodes], pairs)
    col_width = [0.0] * max(place.columns, 1)
    for n in nodes:
        c = place.positions[n.ref][0]
        col_width[c] = max(col_width[c], _width(n))
    col_x = [_PAD]
    for w in col_width[:-1]:
        col_x.append(col_x[-1] + w + _GAP_X)
    rows = max((r for _, r in place.positions.values()), default=0.0) + 1

    def centre(col: int, row: float) -> tuple[float, float]:
        return col_x[col] + col_width[col] / 2, _PAD + row * _ROW + _HEIGHT / 2

    width = col_x[-1] + col_width[-1] + _PAD
    height = _PAD * 2 + rows * _ROW
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        'font-family="sans-serif" font-size="12" role="img" aria-label="lineage graph">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="rgb(110, 116, 128)"/></marker></defs>',
    ]
    for e in edges:
        if e.source not in by_ref or e.target not in by_ref:
            continue
        (sc, sr), (tc, tr) = place.positions[e.source], place.positions[e.target]
        sx, sy = centre(sc, sr)
        tx, ty = centre(tc, tr)
        sx += col_width[sc] / 2 if sc <= tc else -col_width[sc] / 2
        tx -= col_width[tc] / 2 if sc <= tc else -col_width[tc] / 2
        points = [(sx, sy)]
        route = place.routes.get((e.source, e.target), [])
        points += [centre(c, r) for c, r in (route if sc <= tc else reversed(route))]
        points.append((tx, ty))
        d = "M " + " L ".join(f"{x:.1f} {y:.1f}" for x, y in points)
        out.append(
            f'<path class="edge" data-source="{escape(e.source)}" data-target="{escape(e.target)}"'
            f' data-type="{escape(e.type)}" d="{d}" fill="none" stroke="rgb(110, 116, 128)" '
            f'stroke-width="1.5" marker-end="url(#arrow)"><title>{escape(e.type)}</title></path>'
        )
    for n in nodes:
        c, r = place.positions[n.ref]
        cx, cy = centre(c, r)
        w = col_width[c]
        x, y = cx - w / 2, cy - _HEIGHT / 2
        stroke, dash, stroke_width = START_COLOUR if n.start else "rgb(60, 60, 60)", "", 1.5
        if n.tainted:
            stroke, dash, stroke_width = TAINTED_COLOUR, ' stroke-dasharray="7 3"', 4.0
        if n.failed:
            stroke, stroke_width = FAILED_COLOUR, 4.0
        classes = " ".join(["node", n.kind.value]
                           + (["failed"] if n.failed else []) + (["tainted"] if n.tainted else [])
                           + (["start"] if n.start else []))
        name = n.name or ""
        full = f"{n.ref} {n.type} {name}".strip() + "".join(f" [{b}]" for b in _badges(n))
        out.append(
            f'<g class="{classes}" data-ref="{n.ref}" data-kind="{n.kind.value}" '
            f'data-type="{escape(n.type)}" data-name="{escape(name)}" '
            f'data-failed="{str(n.failed).lower()}" data-tainted="{str(n.tainted).lower()}" '
            f'data-incidents="{" ".join(str(i) for i in n.incidents)}">'
            f"<title>{escape(full)}</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{_HEIGHT:.0f}" rx="8" '
            f'fill="{KIND_COLOURS[n.kind]}" stroke="{stroke}" stroke-width="{stroke_width}"{dash}/>'
            f'<text class="type" x="{cx:.1f}" y="{y + 16:.1f}" text-anchor="middle" '
            f'fill="white" font-weight="bold">{escape(n.type)}</text>'
            f'<text class="name" x="{cx:.1f}" y="{y + 32:.1f}" text-anchor="middle" '
            f'fill="white">{escape(name)}</text>'
            f'<text class="marks" x="{cx:.1f}" y="{y + 47:.1f}" text-anchor="middle" '
            f'font-size="10" fill="white">{escape(" ".join([*_badges(n), n.ref]))}</text>'
            "</g>"
        )
    out.append("</svg>")
    return "\n".join(out)
