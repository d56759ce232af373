"""The Browser guide's slides: the eight questions on the demo history, runnable."""

from __future__ import annotations

from .. import demo
from ..browser.guide import Slide
from ..browser.views import view
from ..errors import NotFoundError
from ..store.base import Store


def _intro(style_url: str) -> tuple[str, str]:
    return (
        "Each slide asks one of the questions lineage-graph answers. Click a query to copy "
        "it into the editor, then press Run.",
        "Colours: artifacts blue, executions green, contexts mauve, incidents black; FAILED "
        "executions red, tainted nodes ringed orange. If the graph is grey, open the style "
        "link that `lineage-graph browse --style` prints, or run "
        f"`:style {style_url}` while `lineage-graph browse --serve` runs.",
    )


def slides(store: Store, style_url: str = "http://localhost:7399/lineage.grass") -> list[Slide]:
    """Slides for the demo's questions, or a single how-to slide when it is not loaded.

    ``style_url``: where the serving asset server really offers the style (its port).
    """
    _INTRO = _intro(style_url)
    try:
        ids = demo.locate(store)
    except NotFoundError:
        return [
            Slide("lineage-graph", (*_INTRO, (
                "The demo history is not loaded: run `lineage-graph demo`, then open this "
                "guide again."))),
            Slide("Open incidents", ("Everything an incident tainted:",), (view("incidents"),),
                  "lineage-graph incidents"),
        ]
    out = [Slide("lineage-graph: the eight questions", _INTRO)]
    for a in demo.answers(store, ids):
        out.append(Slide(f"{a.number}. {a.question}", (), (view(a.view, a.node_id, a.kind),),
                         a.command))
    return out
