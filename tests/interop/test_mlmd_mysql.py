"""MLMD stores kept in MySQL import like SQLite ones (heavy: needs Debian's mariadb-server).

A private ``mariadbd`` runs as a plain process in a temp dir for this module, with a real
user and password (MLMD logs in with ``mysql_native_password``). The real ml-metadata library
writes the generated history of ``mlmd_history`` into it; lineage-graph imports it through
``mysql_config_from_file`` + ``open_mlmd`` (the CLI's path), and every type, node, event and
link is compared with MLMD's own reads and with the same history imported from SQLite.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ml_metadata.metadata_store import MetadataStore
from ml_metadata.proto import metadata_store_pb2 as pb

from lineage_graph.errors import UnavailableError
from lineage_graph.interop.mlmd import import_mlmd, mysql_config_from_file, open_mlmd
from lineage_graph.models import Kind, Node
from lineage_graph.store.base import Store
from lineage_graph.store.memory import MemoryStore

from . import mlmd_history
from .test_mlmd import assert_same_as_mlmd

pytestmark = pytest.mark.heavy

USER, PASSWORD = "lineage", "mlmd-test-pw"
_SBIN = os.pathsep.join((os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"))
_INT32 = 2**31  # MLMD's MySQL schema stores int_value as INT (32 bits); SQLite's is 64


@dataclass(frozen=True)
class MariaDB:
    host: str
    port: int
    root: Path

    def config_file(self, database: str, *, password: str = PASSWORD, proto: bool = False) -> Path:
        """A ``--mysql-config`` file (JSON, or text proto) for ``database``."""
        fields: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "database": database,
            "user": USER,
            "password": password,
        }
        path = self.root / f"{database}-{password}.{'pbtxt' if proto else 'json'}"
        if proto:
            path.write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in fields.items()))
        else:
            path.write_text(json.dumps(fields))
        return path

    def writer(self, database: str) -> MetadataStore:
        """A read-write MLMD store that creates ``database`` (the import side never does)."""
        config = pb.ConnectionConfig()
        config.mysql.host = self.host
        config.mysql.port = self.port
        config.mysql.database = database
        config.mysql.user = USER
        config.mysql.password = PASSWORD
        config.mysql.skip_db_creation = False
        return MetadataStore(config)


def _tool(name: str) -> str:
    found = shutil.which(name, path=_SBIN)
    if found is None:
        pytest.fail(
            f"the MLMD-on-MySQL test needs {name} from Debian's MariaDB: "
            "apt-get install mariadb-server",
            pytrace=False,
        )
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def mariadb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MariaDB]:
    """A private mariadbd on a free 127.0.0.1 port with one password user; stopped after."""
    install_db, server = _tool("mariadb-install-db"), _tool("mariadbd")
    root = tmp_path_factory.mktemp("mariadb")
    data = root / "data"
    me = getpass.getuser()
    done = subprocess.run(
        [
            install_db,
            "--no-defaults",
            f"--datadir={data}",
            f"--user={me}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.fail(f"mariadb-install-db failed: {done.stderr[-2000:]}", pytrace=False)
    # Run once at start-up: the user MLMD logs in as (it creates its databases itself).
    init = root / "init.sql"
    init.write_text(
        f"CREATE USER '{USER}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}';\n"
        f"GRANT ALL PRIVILEGES ON *.* TO '{USER}'@'127.0.0.1';\n"
    )
    port = _free_port()
    log = root / "mariadbd.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                server,
                "--no-defaults",
                f"--datadir={data}",
                f"--socket={root / 'mysqld.sock'}",
                f"--pid-file={root / 'mysqld.pid'}",
                f"--tmpdir={root}",
                f"--port={port}",
                "--bind-address=127.0.0.1",
                "--skip-name-resolve",
                f"--user={me}",
                f"--init-file={init}",
                "--innodb-buffer-pool-size=32M",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while "ready for connections" not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"mariadbd did not start: {log.read_text(errors='replace')[-2000:]}",
                    pytrace=False,
                )
            time.sleep(0.2)
        yield MariaDB(host="127.0.0.1", port=port, root=root)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def small_ints(monkeypatch: pytest.MonkeyPatch) -> None:
    """The generator's 2**40-range custom ints folded into 32 bits (MLMD-on-MySQL's INT).

    Folding after the draw keeps the random sequence, so SQLite gets the same history.
    """
    original = mlmd_history._set_values

    def folded(target: Any, rng: Any, tag: int) -> None:
        original(target, rng, tag)
        target["i"].int_value = target["i"].int_value % _INT32

    monkeypatch.setattr(mlmd_history, "_set_values", folded)


def _ids(nodes: Iterable[Node]) -> list[int]:
    return sorted(n.id for n in nodes if n.id is not None)


def _contents(store: Store, mlmd: MetadataStore) -> dict[str, Any]:
    """Everything imported, minus the times MLMD stamps itself at write time."""
    out: dict[str, Any] = {}
    for kind in (Kind.ARTIFACT, Kind.EXECUTION, Kind.CONTEXT):
        out[f"{kind.value} types"] = sorted(
            (t.model_dump(mode="json") for t in store.get_types(kind)), key=lambda t: t["name"]
        )
    ids = {
        Kind.ARTIFACT: [a.id for a in mlmd.get_artifacts()],
        Kind.EXECUTION: [e.id for e in mlmd.get_executions()],
        Kind.CONTEXT: [c.id for c in mlmd.get_contexts()],
    }
    for kind, wanted in ids.items():
        out[kind.value] = sorted(
            (
                n.model_dump(mode="json", exclude={"create_time", "update_time"})
                for n in store.get_nodes_by_id(kind, wanted)
            ),
            key=lambda n: n["id"],
        )
    out["events"] = sorted(
        (e.artifact_id, e.execution_id, e.type.value, tuple(e.path))
        for e in store.get_events(execution_ids=ids[Kind.EXECUTION])
    )
    out["links"] = {
        c: (
            _ids(store.get_artifacts_by_context(c)),
            _ids(store.get_executions_by_context(c)),
            _ids(store.get_parent_contexts(c)),
        )
        for c in ids[Kind.CONTEXT]
    }
    return out


def test_mysql_store_imports_every_field_like_sqlite(
    mariadb: MariaDB, memory_store: MemoryStore, small_ints: None, tmp_path: Path
) -> None:
    rw = mlmd_history.build(
        tmp_path / "unused", executions=30, seed=3, runs_every=7, start=mariadb.writer("mlmd_lib")
    )
    events = rw.get_events_by_execution_ids([e.id for e in rw.get_executions()])
    assert {e.type for e in events} == set(pb.Event.Type.values()) - {pb.Event.UNKNOWN}
    assert {a.state for a in rw.get_artifacts()} == set(pb.Artifact.State.values())

    config = mysql_config_from_file(mariadb.config_file("mlmd_lib"))
    assert config.mysql.skip_db_creation  # the import side never creates a database
    mlmd = open_mlmd(mysql_config=config)
    report = import_mlmd(memory_store, mlmd, batch=7)
    assert report.new == {
        "context": len(mlmd.get_contexts()),
        "artifact": len(mlmd.get_artifacts()),
        "execution": len(mlmd.get_executions()),
    }
    assert report.events_new == len(events) and report.events_skipped == 0
    assert report.parent_contexts > 0 and report.attributions > 0 and report.associations > 0
    assert_same_as_mlmd(memory_store, mlmd)

    # The same history written to SQLite imports to the same graph (values survive MySQL).
    sqlite_file = tmp_path / "same.sqlite"
    mlmd_history.build(sqlite_file, executions=30, seed=3, runs_every=7)
    from_sqlite = MemoryStore()
    import_mlmd(from_sqlite, open_mlmd(sqlite_file))
    assert _contents(memory_store, mlmd) == _contents(from_sqlite, open_mlmd(sqlite_file))

    again = import_mlmd(memory_store, open_mlmd(mysql_config=config), batch=7)
    assert sum(again.new.values()) == 0 and sum(again.updated.values()) == 0
    assert again.events_new == 0 and again.events_known == len(events)


def test_mysql_errors_are_one_sentence(mariadb: MariaDB) -> None:
    wrong = mysql_config_from_file(mariadb.config_file("mlmd_lib", password="not-it"))
    with pytest.raises(UnavailableError, match=rf"cannot reach MySQL 127\.0\.0\.1:{mariadb.port}"):
        open_mlmd(mysql_config=wrong)


# The real CLI in a child process; only its destination is swapped for the memory store
# (the Neo4j side of ``import mlmd`` is covered by test_cli_interop).
_CLI = """
import sys
from lineage_graph.cli import interop, main
from lineage_graph.store.memory import MemoryStore
interop._store = MemoryStore
sys.argv = ["lineage-graph", *sys.argv[1:]]
main()
"""


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _CLI, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_imports_with_a_mysql_config_file(
    mariadb: MariaDB, small_ints: None, tmp_path: Path
) -> None:
    rw = mlmd_history.build(
        tmp_path / "unused", executions=12, seed=9, start=mariadb.writer("mlmd_cli")
    )
    config = mariadb.config_file("mlmd_cli", proto=True)
    done = _cli("import", "mlmd", "--mysql-config", str(config), "--json", "--batch", "5")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    n_events = len(rw.get_events_by_execution_ids([e.id for e in rw.get_executions()]))
    assert doc["new"] == {
        "artifact": len(rw.get_artifacts()),
        "execution": 12,
        "context": len(rw.get_contexts()),
    }
    assert doc["events"] == {"new": n_events, "known": 0, "skipped_unknown_type": 0}
    assert doc["types"] == 8 and doc["parent_contexts"] == len(rw.get_contexts()) - 1

    bad = _cli("import", "mlmd", "--mysql-config", str(mariadb.config_file("x", password="no")))
    assert bad.returncode != 0
    assert "cannot reach MySQL" in bad.stderr and "Traceback" not in bad.stderr
