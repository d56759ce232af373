"""Every lineage/taint/question answer for one history, as plain data (to compare backends)."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from lineage_graph import deployments as D
from lineage_graph import lineage as L
from lineage_graph import questions as Q
from lineage_graph.answers import LineagePath
from lineage_graph.errors import NotFoundError
from lineage_graph.models import Kind
from lineage_graph.store.base import Store

from .histories import History


def _dump(x: Any) -> Any:
    if hasattr(x, "model_dump"):
        return x.model_dump(mode="json")
    if isinstance(x, list):
        return [_dump(i) for i in x]
    if isinstance(x, dict):
        return {k: _dump(v) for k, v in x.items()}
    return x


def _without_times(x: Any) -> Any:
    """An answer minus ``create_time``: nodes written while asking (a rollback, an alias)
    get the store's clock, which differs per backend."""
    if isinstance(x, dict):
        return {k: _without_times(v) for k, v in x.items() if k != "create_time"}
    if isinstance(x, list):
        return [_without_times(v) for v in x]
    return x


def _path_summary(store: Store, p: LineagePath | None) -> Any:
    # Shortest paths are not unique: compare their length and check each is a real path.
    if p is None:
        return None
    edges = {(e.source, e.target) for e in store.lineage_edges([n.ref for n in p.nodes])}
    for a, b in pairwise(p.nodes):
        assert (a.ref, b.ref) in edges, f"{a.ref} -> {b.ref} is not an edge"
    return (p.nodes[0].ref.model_dump(mode="json"), p.nodes[-1].ref.model_dump(mode="json"),
            p.length)


def answers(store: Store, h: History) -> dict[str, Any]:
    """Ask everything about ``h`` (already loaded in ``store``), under its incidents."""
    out: dict[str, Any] = {}
    for k, bad in enumerate(h.taints):
        found = L.mark_bad(store, L.artifact(bad), f"bad rows {k}")
        if bad in h.resolved:
            L.resolve_incident(store, found.id, "re-ingested")
    out["open incidents"] = [i.id for i in L.incidents(store, "OPEN")]
    arts = [a.id for a in h.artifacts if a.id is not None]
    execs = [e.id for e in h.executions if e.id is not None]
    models = [a.id for a in h.artifacts if a.type == "Model" and a.id is not None]
    datasets = [a.id for a in h.artifacts if a.type == "Dataset" and a.id is not None]
    pipelines = [c.id for c in h.contexts if c.type == "Pipeline" and c.id is not None]
    runs = [c.id for c in h.contexts if c.type == "PipelineRun" and c.id is not None]
    # Lineage walks from two starts (a raw dataset; a model, else the newest artifact).
    starts = sorted({arts[0], models[0] if models else arts[-1]})
    for a in starts:
        ref = L.artifact(a)
        out[f"up {a}"] = _dump(L.upstream(store, ref))
        out[f"down {a}"] = _dump(L.downstream(store, ref, with_edges=True))
        out[f"up roots {a}"] = _dump(L.upstream(store, ref, roots_only=True, kinds=["artifact"]))
        out[f"down d2 {a}"] = _dump(L.downstream(store, ref, max_depth=2))
        out[f"up as-of {a}"] = _dump(L.upstream_as_of(store, a))
        out[f"down leaves Model {a}"] = _dump(
            L.downstream(store, ref, roots_only=True, types=["Model", "PushedModel"])
        )
        path = L.explain(store, L.artifact(arts[0]), ref)
        out[f"explain {arts[0]}->{a}"] = _path_summary(store, path)
        out[f"cleanup {a}"] = _dump(Q.cleanup_list(store, ref))
        out[f"cleanup barrier {a}"] = _dump(Q.cleanup_list(store, ref, barrier_types=["Validator"]))
        out[f"last deployed {a}"] = _dump(Q.last_deployed(store, ref))
        out[f"why failed {a}"] = _dump(Q.why_failed(store, ref))
    if execs:
        e = L.execution(execs[len(execs) // 2])
        out["up exec"] = _dump(L.upstream(store, e, max_depth=3))
        out["subgraph"] = _dump(L.lineage_subgraph(store, [e], hops=2))
        out["why failed exec"] = _dump(Q.why_failed(store, e))
    out["training datasets"] = [_dump(Q.training_datasets(store, m)) for m in models[:2]]
    out["training roots"] = [
        _dump(Q.training_datasets(store, m, types=None, roots_only=True)) for m in models[:2]
    ]
    # Deployments in time: of each model, each target and alias, each pipeline.
    for m in models[:3]:
        out[f"deployments model {m}"] = _dump(Q.deployments(store, L.artifact(m)))
    targets = [c for c in h.contexts if c.type in ("Deployment", "ModelAlias")]
    for c in targets:
        assert c.id is not None
        out[f"deployments {c.type} {c.id}"] = _dump(Q.deployments(store, L.context(c.id)))
        out[f"last deployed {c.type} {c.id}"] = _dump(Q.last_deployed(store, L.context(c.id)))
    if execs:
        out["deployments exec"] = _dump(Q.deployments(store, L.execution(execs[0])))
    out["producers"] = [_dump(Q.producer(store, a)) for a in arts[-3:]]
    for d in datasets[:2]:
        out[f"models on {d}"] = _dump(Q.models_trained_on(store, d, "accuracy"))
    for p in pipelines:
        out[f"deployed pipeline {p}"] = _dump(Q.last_deployed(store, L.context(p)))
        out[f"deployments pipeline {p}"] = _dump(Q.deployments(store, L.context(p)))
        out[f"why failed pipeline {p}"] = _dump(Q.why_failed(store, L.context(p)))
        if len(L.pipeline_runs(store, p)) >= 2:
            out[f"diff pipeline {p}"] = _dump(L.diff_run_n(store, p, 1))
    if len(runs) >= 2:
        out["diff runs"] = _dump(L.diff_runs(store, runs[0], runs[-1]))
    # A rollback and an alias move written through lineage_graph.deployments (same ids and
    # times on both backends), then the history they produce.
    deployment_names = [c.name for c in h.contexts if c.type == "Deployment" and c.name]
    if deployment_names:
        name = deployment_names[0]
        try:
            rolled: Any = _without_times(_dump(D.rollback(store, name, at=h.clock + 5)))
        except NotFoundError as exc:
            rolled = str(exc)
        out["rollback"] = rolled
        out["history after rollback"] = _without_times(_dump(D.history(store, name)))
    if models:
        alias = D.set_alias(store, "champion", L.artifact(models[-1]), at=h.clock)
        out["alias"] = _without_times(_dump(alias))
        out["alias resolved"] = _dump(D.resolve_alias(store, "champion"))
    # Taint, recorded: compare what the incident reached (its clock differs per backend).
    incident = L.mark_bad(store, L.artifact(arts[0]), "corrupt rows", barrier_types=["Validator"])
    got = _without_times(L.incident(store, incident.id).model_dump(mode="json"))
    for k in ("created",):
        got.pop(k)
    out["incident"] = got
    resolved = L.resolve_incident(store, incident.id, "re-ingested").model_dump(mode="json")
    out["resolved"] = {k: v for k, v in resolved.items() if k not in ("created", "resolved")}
    out["incidents"] = [i.id for i in L.incidents(store, "RESOLVED")]
    return out


def check_incident_paths(store: Store, incident_id: int) -> None:
    """Every reached node's explaining path (via) is a real chain of edges from the source."""
    inc = L.incident(store, incident_id)
    for t in inc.reached or []:
        path = inc.path_to(t.node.ref)
        assert path[0] == inc.source
        walk = [r for r in path if r.kind is not Kind.CONTEXT]
        edges = {(e.source, e.target) for e in store.lineage_edges(walk)}
        for a, b in pairwise(walk):
            assert (a, b) in edges
