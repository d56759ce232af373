"""Subscriptions: at-least-once, durable cursor across consumer restarts, idempotent handlers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from lineage_graph import lineage
from lineage_graph.errors import InvalidInputError
from lineage_graph.models import Artifact, ArtifactState, ArtifactType
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.base import Store
from lineage_graph.tracking import Dataset, fields, run, step
from lineage_graph.tracking.subscriptions import (
    Delivery,
    FileCursors,
    StoreCursors,
    Watcher,
    executions_reaching,
    incidents_opened,
    new_artifacts,
)


class Crash(Exception):
    """The consumer dies while handling a delivery."""


def _models(store: Store, n: int, start: int = 0) -> list[int]:
    store.put_types([ArtifactType(name="Model"), ArtifactType(name="Dataset")])
    return store.put_artifacts(
        [Artifact(type="Model", uri=f"/models/{i}", state="LIVE") for i in range(start, start + n)]
    )


def test_no_loss_and_no_repeat_across_a_consumer_restart(store: Store) -> None:
    ids = _models(store, 6)
    store.put_artifacts([Artifact(type="Dataset", uri="/d", state="LIVE")])  # not subscribed
    seen: list[Delivery] = []

    def crash_on_third(d: Delivery) -> None:
        seen.append(d)
        if len(seen) == 3:
            raise Crash

    sub = new_artifacts("deployer", "Model")
    with pytest.raises(Crash):
        Watcher(store, sub).poll(crash_on_third)
    assert [d.node.id for d in seen] == ids[:3]  # type: ignore[union-attr]
    # a fresh consumer (restart): resumes AT the delivery that was not finished
    after: list[Delivery] = []
    assert Watcher(store, sub).poll(after.append) == 4
    assert [d.node.id for d in after] == ids[2:]  # type: ignore[union-attr]
    assert after[0].key == seen[2].key  # the redelivery carries the same idempotency key
    # handled deliveries are never delivered again; new ones are
    assert Watcher(store, sub).poll(after.append) == 0
    more = _models(store, 2, start=6)
    assert Watcher(store, sub).poll(after.append) == 2
    assert [d.node.id for d in after[-2:]] == more  # type: ignore[union-attr]
    assert all(d.node.type == "Model" for d in after)  # type: ignore[union-attr]


def test_an_idempotent_handler_has_each_effect_once(store: Store) -> None:
    ids = _models(store, 5)
    effects: dict[str, int] = {}  # the handler's own durable state, keyed by Delivery.key
    attempts: Counter[int] = Counter()
    crash_once = {ids[1], ids[3]}

    def handler(d: Delivery) -> None:
        assert d.node is not None and d.node.id is not None
        attempts[d.node.id] += 1
        effects.setdefault(d.key, d.node.id)  # idempotent: a repeat changes nothing
        if d.node.id in crash_once:
            crash_once.discard(d.node.id)
            raise Crash

    sub = new_artifacts("indexer", "Model")
    for _ in range(3):
        try:
            Watcher(store, sub).poll(handler)
            break
        except Crash:
            continue
    assert sorted(effects.values()) == ids
    assert attempts == {i: (2 if i in (ids[1], ids[3]) else 1) for i in ids}


def test_a_changed_node_is_delivered_again_as_it_is_now(store: Store) -> None:
    [mid] = _models(store, 1)
    got: list[Delivery] = []
    w = Watcher(store, new_artifacts("w", "Model", states=None))
    w.poll(got.append)
    m = store.get_artifacts_by_id([mid])[0]
    store.put_artifacts([m.model_copy(update={"state": ArtifactState.MARKED_FOR_DELETION})])
    w.poll(got.append)
    assert [d.node.state.value for d in got] == ["LIVE", "MARKED_FOR_DELETION"]  # type: ignore[union-attr]
    assert got[0].key != got[1].key


def test_start_now_skips_history_and_keeps_that_position(store: Store) -> None:
    _models(store, 3)
    sub = new_artifacts("late", "Model")
    assert Watcher(store, sub, start="now").pending() == []
    new = _models(store, 1, start=3)
    got: list[Delivery] = []
    Watcher(store, sub, start="now").poll(got.append)  # restarted: "now" was saved
    assert [d.node.id for d in got] == new  # type: ignore[union-attr]


@step
def flaky(data: Dataset, fail: bool = False) -> int:
    if fail:
        raise RuntimeError("disk full")
    return 1


def test_executions_reaching_a_state(store: Store, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.write_text("x")
    with run(pipeline="p", name="ok", store=store):
        flaky(Dataset(raw))
    with pytest.raises(RuntimeError), run(pipeline="p", name="bad", store=store):
        flaky(Dataset(raw), fail=True)
    got: list[Delivery] = []
    Watcher(store, executions_reaching("alerts", ("FAILED",))).poll(got.append)
    assert [(d.node.name, d.node.custom_properties[fields.ERROR_MESSAGE]) for d in got] == [  # type: ignore[union-attr]
        ("bad/flaky", "disk full")]


def test_incidents_are_delivered_once(store: Store) -> None:
    [mid] = _models(store, 1)
    got: list[Delivery] = []
    sub = incidents_opened("quarantine")
    Watcher(store, sub).poll(got.append)
    lineage.mark_bad(store, lineage.artifact(mid), "labels were shuffled")
    Watcher(store, sub).poll(got.append)
    Watcher(store, sub).poll(got.append)
    assert [(d.incident.reason, d.incident.source.id) for d in got] == [  # type: ignore[union-attr]
        ("labels were shuffled", mid)]


def test_incidents_upstream_of_a_watched_model(store: Store, tmp_path: Path) -> None:
    raw_a, raw_b = tmp_path / "a.txt", tmp_path / "b.txt"
    raw_a.write_text("a")
    raw_b.write_text("b")
    with run(pipeline="p", name="r", store=store):
        flaky(Dataset(raw_a))
    watched_exec = store.get_executions()[0]
    with run(pipeline="p", name="r2", store=store):
        flaky(Dataset(raw_b))
    by_uri = {a.uri: a.id for a in store.get_artifacts()}
    watched = lineage.execution(watched_exec.id or 0)
    sub = incidents_opened("guard", reaching=watched)
    got: list[Delivery] = []
    lineage.mark_bad(store, lineage.artifact(by_uri[str(raw_b)] or 0), "unrelated input")
    Watcher(store, sub).poll(got.append)
    assert got == []
    lineage.mark_bad(store, lineage.artifact(by_uri[str(raw_a)] or 0), "corrupt input")
    Watcher(store, sub).poll(got.append)
    Watcher(store, sub).poll(got.append)
    assert [d.incident.reason for d in got] == ["corrupt input"]  # type: ignore[union-attr]


def test_file_cursors_are_replaced_atomically(store: Store, tmp_path: Path) -> None:
    ids = _models(store, 3)
    cursors = FileCursors(tmp_path / "cursors")
    got: list[Delivery] = []
    Watcher(store, new_artifacts("f", "Model"), cursors=cursors).poll(got.append)
    assert [d.node.id for d in got] == ids  # type: ignore[union-attr]
    assert json.loads((tmp_path / "cursors" / "f.json").read_text()) == {
        "position": got[-1].position}
    assert [p.name for p in (tmp_path / "cursors").iterdir()] == ["f.json"]  # no temp left
    assert Watcher(store, new_artifacts("f", "Model"), cursors=cursors).pending() == []
    # store cursors are separate: nothing was saved there
    assert StoreCursors(store).load("f") is None


def test_bad_subscription_names_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="subscription name"):
        new_artifacts("no spaces please", "Model")


CONSUMER = textwrap.dedent("""
    import json, os, sys
    from lineage_graph.store.neo4j import Neo4jStore
    from lineage_graph.server import Neo4jTarget
    from lineage_graph.tracking.subscriptions import Watcher, new_artifacts
    target = Neo4jTarget(uri=os.environ["T_URI"], user=os.environ["T_USER"],
                         password=os.environ["T_PASSWORD"], database=os.environ.get("T_DB"))
    store = Neo4jStore.from_target(target)
    die_at = int(sys.argv[1])
    def handle(d):
        with open(sys.argv[2], "a") as log:
            log.write(f"{d.node.id}\\n")
        if d.node.id == die_at:
            os._exit(9)   # killed: no cleanup, no exception handling
    Watcher(store, new_artifacts("killed-consumer", "Model")).poll(handle)
    store.close()
""")


def test_a_killed_consumer_process_resumes_where_it_died(
    neo4j_store: Store, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    ids = _models(neo4j_store, 5)
    script, log = tmp_path / "consumer.py", tmp_path / "handled.log"
    script.write_text(CONSUMER)
    env = {**os.environ, "T_URI": neo4j_target.uri, "T_USER": neo4j_target.user,
           "T_PASSWORD": neo4j_target.password, "T_DB": neo4j_target.database or ""}
    if not neo4j_target.database:
        env.pop("T_DB")
    first = subprocess.run([sys.executable, str(script), str(ids[2]), str(log)], env=env,
                           capture_output=True, text=True, timeout=300, check=False)
    assert first.returncode == 9, first.stderr
    second = subprocess.run([sys.executable, str(script), "-1", str(log)], env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert second.returncode == 0, second.stderr
    handled = [int(x) for x in log.read_text().split()]
    # ids[2] was being handled when the process died: delivered again, nothing else twice
    assert handled == ids[:3] + ids[2:]
    assert neo4j_store.get_context_by_type_and_name(
        fields.CURSOR_CONTEXT_TYPE, "killed-consumer") is not None


def test_tainted_models_are_skipped_unless_asked(store: Store) -> None:
    """A trigger that deploys new models must not deploy one built from data marked bad."""
    ids = _models(store, 3)
    lineage.mark_bad(store, lineage.artifact(ids[1]), "trained on shuffled labels")
    got: list[Delivery] = []
    assert Watcher(store, new_artifacts("deployer", "Model")).poll(got.append) == 2
    assert [d.node.id for d in got] == [ids[0], ids[2]]  # type: ignore[union-attr]
    assert all(d.incidents == () for d in got)
    # The cursor moved past the tainted one: nothing pending, nothing delivered twice.
    assert Watcher(store, new_artifacts("deployer", "Model")).poll(got.append) == 0

    audit: list[Delivery] = []
    sub = new_artifacts("auditor", "Model", include_tainted=True)
    assert Watcher(store, sub).poll(audit.append) == 3
    [incident] = lineage.incidents(store, "OPEN")
    assert [d.incidents for d in audit] == [(), (incident.id,), ()]
    assert audit[1].describe()["incidents"] == [incident.id]

    # Once resolved, a change of the model is delivered again like any other.
    lineage.resolve_incident(store, incident.id, "relabelled")
    store.put_artifacts([store.get_artifacts_by_id([ids[1]])[0].model_copy(
        update={"uri": "/models/1-fixed"})])
    assert Watcher(store, new_artifacts("deployer", "Model")).poll(got.append) == 1
    assert got[-1].node.id == ids[1]  # type: ignore[union-attr]
