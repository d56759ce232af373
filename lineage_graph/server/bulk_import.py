"""A fresh ``neo4j`` database from CSV files: Neo4j's ``neo4j-admin database import full``.

The admin importer writes the store files directly (no transactions, no Cypher), which is
why it is the fast way to a first load; it needs the database stopped and the files on the
server's own filesystem. So it works on the local server only: this stops it, runs
``org.neo4j.cli.AdminTool`` on the cached jars (like ``admin.backup``/``restore``), and starts
it again on its ports. A remote server (``NEO4J_URI``) has to run ``neo4j-admin database
import`` there, on files copied to it: nothing here can reach its disk.

The CSV files and what they mean are ``lineage_graph.interop.bulk``'s business; this module
only passes them on (``CsvGroup``: a header file and a data file per label/type group).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .admin import DATABASE, _admin, _require_provisioned
from .local import LocalServer
from .tools import Progress, log_progress

# Only the ``:LABEL`` column holds lists; no label contains it (models.type_label).
ARRAY_DELIMITER = ";"


@dataclass(frozen=True)
class CsvGroup:
    """One ``--nodes``/``--relationships`` argument: a header file, then its data file."""

    header: Path
    data: Path

    def argument(self) -> str:
        return f"{self.header},{self.data}"


@dataclass(frozen=True)
class ImportRun:
    """What one ``neo4j-admin database import`` did."""

    seconds: float
    restarted: bool
    report_file: Path


def admin_import(
    nodes: Sequence[CsvGroup],
    relationships: Sequence[CsvGroup],
    workdir: Path,
    *,
    server: LocalServer | None = None,
    progress: Progress = log_progress,
) -> ImportRun:
    """Replace the local server's ``neo4j`` database with the graph in these CSV files.

    The caller has made sure the database held nothing worth keeping (the import overwrites
    it). The server is stopped meanwhile and started again afterwards if it ran.

    Raises:
        UnavailableError: no local server was provisioned here, or the import failed (its
            first line of complaint, with the log file's name).
    """
    server = server or LocalServer()
    _require_provisioned(server)
    report = workdir / "import.report"
    args = [
        "full", DATABASE,
        "--overwrite-destination=true",
        f"--array-delimiter={ARRAY_DELIMITER}",
        # User strings may hold line breaks (quoted fields spanning lines).
        "--multiline-fields=true",
        # Any bad row is a bug in the CSV writer: fail rather than drop it silently.
        "--bad-tolerance=0",
        "--skip-bad-relationships=false",
        "--skip-duplicate-nodes=false",
        f"--report-file={report}",
        *(f"--nodes={g.argument()}" for g in nodes),
        *(f"--relationships={g.argument()}" for g in relationships),
    ]  # fmt: skip
    # An argument file: hundreds of groups (one per property signature) would otherwise
    # strain the command line. picocli (neo4j-admin's parser) expands ``@file``.
    argfile = workdir / "import.args"
    argfile.write_text("\n".join(_quoted(a) for a in args) + "\n", encoding="utf-8")
    t0 = time.monotonic()
    with server.offline(progress) as state:
        progress(f"Importing {len(nodes)} node and {len(relationships)} relationship files")
        # The importer reports its progress on stdout: into a log, never into ours (which
        # may be a JSON document).
        log = server.paths.logs_dir / "import.log"
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            _admin(server, ["database", "import", f"@{argfile}"], progress, stdout=out)
    return ImportRun(time.monotonic() - t0, state is not None, report)


def _quoted(arg: str) -> str:
    # picocli's @file: whitespace separates arguments unless quoted; quotes escaped by \.
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'
