"""``lineage-graph report REF -o FILE.html``: one self-contained page to share.

The page people paste into a review or a post-mortem: the lineage graph drawn left to right
in the direction data flowed (``layout``: layers by longest path, order by barycentres;
``svg``: inline SVG coloured by kind, FAILED and TAINTED marked), and the answers that apply
to the reference (``build``: a model, another artifact, an execution, a run or pipeline, an
incident), rendered by ``page`` into HTML that needs no network to open (no script, no font,
no stylesheet fetched; every user-supplied string escaped).

Public API::

    build_report(store, ref, *, kind=None) -> Report     # the answers, one read each
    incident_report(store, incident_id) -> Report
    render_page(report) -> str                            # the HTML document
"""

from __future__ import annotations

from .build import Report, build_report, incident_report
from .page import render_page

__all__ = ["Report", "build_report", "incident_report", "render_page"]
