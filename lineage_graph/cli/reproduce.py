"""``lineage-graph reproduce MODEL``: what rebuilding a model takes, and what differs today.

Examples::

    lineage-graph reproduce Model:churn-v3                    # readable manifest
    lineage-graph reproduce Model:churn-v3 --json -o churn.manifest.json
    lineage-graph reproduce Model:churn-v3 --check            # from the store, compared now
    lineage-graph reproduce --check --manifest churn.manifest.json   # no database needed

``--check`` exits 1 when anything differs (a dataset's content, a source file, the git
commit, a library or Python version) and 0 when nothing does; ``lineage_graph.reproduce`` has
the rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import InvalidInputError
from .common import Connection, JsonOpt, connects, emit_json

app = typer.Typer()


def _read_manifest(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InvalidInputError(f"{path} does not exist", field="manifest", value=str(path))
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path} is not JSON: {exc}", field="manifest",
                                value=str(path)) from exc
    if not isinstance(doc, dict):
        raise InvalidInputError(f"{path} is not a manifest", field="manifest", value=str(path))
    return doc


def _text(doc: dict[str, Any]) -> str:
    model = doc["model"]
    lines = [f"model {model['type']}:{model['name']}  uri {model['uri']}  "
             f"fingerprint {model['fingerprint']}"]
    for step in doc["steps"]:
        e = step["execution"]
        code = step["code"]
        lines.append(f"{'train' if step['training'] else 'step '} {e['type']}:{e['name']} "
                     f"({e['state']})")
        lines.append(f"  code {code.get('step', '?')} {code.get('code_hash', '?')}  "
                     f"git {code.get('git_commit', '-')}")
        if step["parameters"]:
            params = ", ".join(f"{k}={v}" for k, v in step["parameters"].items())
            lines.append(f"  parameters {params}")
        libs = ", ".join(f"{k} {v}" for k, v in step["libraries"].items())
        lines.append(f"  python {step['python_version']}  {libs}")
    for d in doc["datasets"]:
        lines.append(f"dataset {d['type']}:{d['name']}  {d['uri']}  {d['fingerprint']}")
    return "\n".join(lines)


@app.command("reproduce")
@connects
def reproduce_cmd(
    conn: Connection,
    model: Annotated[str | None, typer.Argument(
        help="The model: Model:NAME, a:ID or @alias (not needed with --manifest).")] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Compare with today: dataset contents, source files, git commit, "
                        "library and Python versions; exit 1 if any differ.")] = False,
    manifest_file: Annotated[Path | None, typer.Option(
        "--manifest", help="With --check: a saved manifest instead of the store.")] = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Also write the manifest (JSON) to this file.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """A manifest of everything needed to rebuild MODEL (training steps, code, data, versions),
    or with --check which of it differs today."""
    from .. import reproduce

    if manifest_file is not None:
        if not check:
            raise InvalidInputError("--manifest goes with --check", field="manifest")
        doc = _read_manifest(manifest_file)
    elif model is None:
        raise InvalidInputError("give a MODEL (or --check --manifest FILE)", field="MODEL")
    else:
        with conn.store(start=True) as store:
            doc = reproduce.manifest(store, model)
    if output is not None:
        output.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    if not check:
        if as_json:
            emit_json(doc)
        else:
            typer.echo(_text(doc))
        return
    report = reproduce.check(doc)
    if as_json:
        emit_json(report.as_dict())
    else:
        for c in report.checks:
            if c.status == "same":
                continue
            mark = {"differs": "DIFFERS", "missing": "MISSING", "unchecked": "unchecked"}
            typer.echo(f"{mark[c.status]:9} {c.what} {c.name}: recorded {c.recorded}, "
                       f"now {c.now}" + (f" ({c.note})" if c.note else ""))
        same = sum(c.status == "same" for c in report.checks)
        typer.echo(f"{len(report.differences)} differ, {same} the same")
    if report.differs:
        raise typer.Exit(1)
