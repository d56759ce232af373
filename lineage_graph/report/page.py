"""One self-contained HTML page for a ``Report``: no script, no external file, no font fetched.

The page opens offline (a mail attachment, a wiki upload): styles are inline in ``<style>``,
the graph is inline SVG. Every string that came from the store is escaped with
``html.escape`` (names, reasons and property values are user input).
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from .build import Report, Section
from .svg import FAILED_COLOUR, KIND_COLOURS, TAINTED_COLOUR, render_svg

_CSS = """
body { font-family: sans-serif; margin: 24px; color: rgb(30, 30, 30); }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
.summary { color: rgb(80, 80, 80); margin: 0 0 12px 0; }
.graph { overflow: auto; border: 1px solid rgb(220, 220, 220); padding: 8px; }
.legend span { display: inline-block; margin-right: 16px; }
.legend i { display: inline-block; width: 14px; height: 14px; vertical-align: middle;
            margin-right: 4px; border-radius: 3px; }
table { border-collapse: collapse; margin: 6px 0; }
td, th { border: 1px solid rgb(220, 220, 220); padding: 3px 8px; text-align: left;
         vertical-align: top; font-size: 13px; }
pre { background: rgb(246, 246, 246); padding: 8px; font-size: 13px; white-space: pre-wrap; }
.note { color: rgb(110, 110, 110); font-style: italic; }
.partial { color: rgb(180, 60, 0); }
"""


def _section(s: Section) -> str:
    parts = [f"<section><h2>{escape(s.title)}</h2>"]
    if s.rows:
        parts.append("<table>" + "".join(
            f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in s.rows
        ) + "</table>")
    if s.lines:
        parts.append("<pre>" + escape("\n".join(s.lines)) + "</pre>")
    if s.note:
        parts.append(f'<p class="note">{escape(s.note)}</p>')
    parts.append("</section>")
    return "".join(parts)


def _legend() -> str:
    items = [(KIND_COLOURS[k], k.value) for k in KIND_COLOURS]
    marks = (
        f'<span><i style="border: 3px solid {FAILED_COLOUR}"></i>FAILED</span>'
        f'<span><i style="border: 3px dashed {TAINTED_COLOUR}"></i>TAINTED (open incident)</span>'
    )
    return ('<p class="legend">' + "".join(
        f'<span><i style="background: {c}"></i>{escape(name)}</span>' for c, name in items
    ) + marks + " Arrows point the way data flowed.</p>")


def render_page(report: Report) -> str:
    """The HTML document (UTF-8 text)."""
    when = datetime.fromtimestamp(report.generated_at / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")
    graph = (render_svg(report.nodes, report.edges) if report.nodes
             else '<p class="note">nothing to draw</p>')
    partial = (f'<p class="partial">The graph was cut: {escape(report.partial)}</p>'
               if report.partial else "")
    summary = " · ".join(escape(s) for s in report.summary if s)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{escape(report.title)} - lineage-graph report</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{escape(report.title)}</h1>\n"
        f'<p class="summary" data-subject="{escape(report.subject)}">{summary}'
        f" · report of {escape(report.subject)}, generated {escape(when)}</p>\n"
        f'<h2>Lineage</h2>\n{_legend()}\n{partial}<div class="graph">{graph}</div>\n'
        + "\n".join(_section(s) for s in report.sections)
        + "\n</body>\n</html>\n"
    )
