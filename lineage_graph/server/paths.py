"""Where the local server's pieces live on disk.

Three places, each overridable from the environment:

* **cache** - the Neo4j jars fetched from Maven Central (re-creatable, ~140 MB):
  ``platformdirs.user_cache_dir("lineage-graph")``.
* **data** - the server home: ``conf/``, ``data/`` (the databases), ``logs/``, ``run/``:
  ``platformdirs.user_data_dir("lineage-graph")/neo4j``.
* **state** - ``server.json`` (pid, ports, version), ``password`` (mode 0600), a lock file:
  ``platformdirs.user_state_dir("lineage-graph")``.

``LINEAGE_GRAPH_HOME=<dir>`` puts all three under ``<dir>/cache``, ``<dir>/data`` and
``<dir>/state``. ``LINEAGE_GRAPH_CACHE=<dir>`` moves only the jar cache (tests point many
temporary homes at one cache so that none of them downloads again).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP = "lineage-graph"
HOME_ENV = "LINEAGE_GRAPH_HOME"
CACHE_ENV = "LINEAGE_GRAPH_CACHE"


@dataclass(frozen=True)
class Paths:
    """Resolved directories for one installation of the local server."""

    cache: Path
    data_root: Path
    state: Path

    @classmethod
    def from_env(cls) -> Paths:
        """Directories from ``LINEAGE_GRAPH_HOME`` / ``LINEAGE_GRAPH_CACHE`` or the platform's.

        Returns:
            The paths; nothing is created on disk.
        """
        home = os.environ.get(HOME_ENV)
        if home:
            root = Path(home).expanduser().resolve()
            cache, data_root, state = root / "cache", root / "data", root / "state"
        else:
            cache = Path(platformdirs.user_cache_dir(APP))
            data_root = Path(platformdirs.user_data_dir(APP))
            state = Path(platformdirs.user_state_dir(APP))
        override = os.environ.get(CACHE_ENV)
        if override:
            cache = Path(override).expanduser().resolve()
        return cls(cache=cache, data_root=data_root, state=state)

    @property
    def server_home(self) -> Path:
        """Neo4j's ``--home-dir``: holds ``conf/``, ``data/``, ``logs/``, ``run/``, ``plugins/``."""
        return self.data_root / "neo4j"

    @property
    def conf_dir(self) -> Path:
        return self.server_home / "conf"

    @property
    def data_dir(self) -> Path:
        """The databases (``server.directories.data``)."""
        return self.server_home / "data"

    @property
    def logs_dir(self) -> Path:
        return self.server_home / "logs"

    @property
    def run_dir(self) -> Path:
        return self.server_home / "run"

    @property
    def console_log(self) -> Path:
        """The server's stdout/stderr; with ``--console-mode`` this is the user log."""
        return self.logs_dir / "console.log"

    @property
    def state_file(self) -> Path:
        return self.state / "server.json"

    @property
    def password_file(self) -> Path:
        return self.state / "password"

    @property
    def lock_file(self) -> Path:
        return self.state / "lock"
