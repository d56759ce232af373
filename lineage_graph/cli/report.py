"""``lineage-graph report REF -o FILE.html``: a self-contained page for a model, run or incident.

REF is any reference (``a:ID``, ``e:ID``, ``c:ID``, ``TYPE:NAME``, ``@ALIAS``, an id) or
``i:ID`` for an incident. The page needs no network to open (``lineage_graph.report``). At
module level this imports only typer and ``cli.common``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import InvalidInputError
from .common import Connection, JsonOpt, KindOpt, connects, emit_json, kind_of

app = typer.Typer(no_args_is_help=True)


@app.command()
@connects
def report(
    conn: Connection,
    ref: Annotated[str, typer.Argument(
        metavar="REF", help="a:ID, e:ID, c:ID, TYPE:NAME, @ALIAS, an id, or i:ID (incident).")],
    output: Annotated[str, typer.Option(
        "-o", "--output", help="The HTML file to write ('-': standard output).")],
    metric: Annotated[str, typer.Option(
        "--metric", help="Metric to compare the models trained on the same datasets.")]
    = "auc",
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    kind: KindOpt = None, as_json: JsonOpt = False,
) -> None:
    """Write one HTML page (no network needed to open it): the lineage graph drawn left to
    right, coloured by kind, FAILED and TAINTED marked, and the answers that apply to REF."""
    import sys

    from ..report import build_report, render_page

    target = None if output == "-" else Path(output)
    if target is not None:
        if target.exists() and not force:
            raise InvalidInputError(f"--output {output}: the file exists (--force overwrites)",
                                    field="output", value=output)
        if not target.parent.is_dir():
            raise InvalidInputError(f"--output {output}: no directory {target.parent}",
                                    field="output", value=output)
    with conn.store() as store:
        rep = build_report(store, ref, kind=kind_of(kind), metric=metric)
    html = render_page(rep)
    if target is None:
        sys.stdout.write(html)
        return
    target.write_text(html, encoding="utf-8")
    if as_json:
        emit_json({"path": str(target), "subject": rep.subject, "title": rep.title,
                   "nodes": len(rep.nodes), "edges": len(rep.edges)})
    else:
        typer.echo(f"wrote {target} ({rep.subject} {rep.title}: {len(rep.nodes)} nodes)")
