"""A Neo4j Browser guide (``:play <url>``): slides with runnable queries.

Browser 5.x guide format (checked against neo4j-browser 5.24.0): an HTML page whose
``<slide>`` elements become carousel slides, conventionally inside ``<article class="guide">
<carousel class="deck container-fluid">``; the title is the page's first heading. A
``<pre class="runnable">`` block is copied into the editor when clicked (the user then runs
it). ``<script>``, ``on*=`` attributes and ``javascript:`` links are stripped by the Browser.
The guide must be fetched over http(s) from an allow-listed host with CORS (see ``serve``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Slide:
    """One slide: a heading, a few paragraphs (plain text) and runnable statements."""

    title: str
    paragraphs: Sequence[str] = ()
    queries: Sequence[str] = ()
    command: str | None = None  # a CLI command that answers the same question


def _slide(s: Slide) -> str:
    parts = [f"<h3>{escape(s.title)}</h3>"]
    parts += [f"<p>{escape(p)}</p>" for p in s.paragraphs]
    if s.command:
        parts.append(f"<p>From a shell: <code>{escape(s.command)}</code></p>")
    for q in s.queries:
        parts.append(
            '<pre class="pre-scrollable code runnable">' + escape(q) + "</pre>"
        )
    return (
        "<slide class=\"row-fluid\">\n<div class=\"col-sm-12\">\n"
        + "\n".join(parts)
        + "\n</div>\n</slide>"
    )


def guide_html(title: str, slides: Sequence[Slide]) -> str:
    """The guide page.

    Args:
        title: the guide's title (first heading and ``<title>``).
        slides: the slides, in order.
    """
    body = "\n".join(_slide(s) for s in slides)
    return (
        "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title></head>\n<body>\n"
        "<article class=\"guide\">\n<carousel class=\"deck container-fluid\">\n"
        f"{body}\n</carousel>\n</article>\n</body>\n</html>\n"
    )
