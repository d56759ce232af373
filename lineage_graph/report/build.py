"""The answers a report shows, gathered from the services (read only).

What applies depends on the reference:

* a model (or any artifact): training datasets, hyperparameters, pipeline and run, code and
  library versions of its producer; why it failed (FAILED upstream); where it is deployed now
  and how it got there; the models trained on its datasets (compared on ``metric``); its
  metrics (on it and on evaluations of it); and the graph upstream of it plus what it fed;
* an execution: its parameters, code, environment, inputs and contexts, why it failed;
* a run or pipeline (a context): its steps with their states and errors, why it failed;
* an incident (``i:ID``): the bad node, the reason, every node reached with its explaining
  path, and what to clean up (models, deployments).

Every node shown carries its open incidents (``Store.open_incidents``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import lineage, questions, roles
from ..answers import (
    ROLE_EVALUATION,
    ROLE_MODEL,
    ContextNode,
    Incident,
    LineageEdge,
    LineageNode,
    LineageResult,
    NodeRef,
)
from ..errors import InvalidInputError, NotFoundError
from ..models import Artifact, Kind, Node
from ..refs import node_ref, ref_text, resolve_node
from .svg import GraphEdge, GraphNode

if TYPE_CHECKING:
    from ..store.base import Store

INCIDENT_PREFIXES = ("i:", "incident:")
GRAPH_LIMIT = 400  # nodes drawn at most; the page says when the graph was cut
DOWNSTREAM_HOPS = 4  # what an artifact fed: evaluations, pushes, deployment events


@dataclass(frozen=True)
class Section:
    """One block of the page: a table of (key, value) rows and/or lines of text."""

    title: str
    rows: Sequence[tuple[str, str]] = ()
    lines: Sequence[str] = ()
    note: str | None = None


@dataclass(frozen=True)
class Report:
    """Everything the page shows (plain strings; ``page`` escapes them)."""

    title: str
    subject: str  # "model", "artifact", "execution", "run", "incident"
    summary: Sequence[str]
    nodes: Sequence[GraphNode]
    edges: Sequence[GraphEdge]
    sections: Sequence[Section]
    generated_at: int = field(default_factory=lambda: int(time.time() * 1000))
    partial: str | None = None


def _short(kind: Kind) -> str:
    return {Kind.ARTIFACT: "a", Kind.EXECUTION: "e", Kind.CONTEXT: "c"}[kind]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _label(n: LineageNode | Node | ContextNode) -> str:
    ref = f"c:{n.id}" if isinstance(n, ContextNode) else ref_text(n)
    return f"{ref} {n.type} {n.name or ''}".strip()


def _when(ms: int | None) -> str:
    from datetime import UTC, datetime

    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")


class _Graph:
    """Nodes and edges collected from several answers, each once."""

    def __init__(self, start: NodeRef | None) -> None:
        self.start = start
        self.nodes: dict[NodeRef, LineageNode] = {}
        self.edges: dict[tuple[str, str, str], GraphEdge] = {}

    def add_nodes(self, nodes: Iterable[LineageNode]) -> None:
        for n in nodes:
            self.nodes.setdefault(n.ref, n)

    def add_result(self, result: LineageResult) -> None:
        self.add_nodes(result.nodes)
        for e in result.edges or []:
            self.add_edge(e)

    def add_edge(self, e: LineageEdge) -> None:
        s = f"{_short(e.source.kind)}:{e.source.id}"
        t = f"{_short(e.target.kind)}:{e.target.id}"
        self.edges.setdefault((s, t, e.type), GraphEdge(s, t, e.type))

    def draw(self, store: Store) -> tuple[list[GraphNode], list[GraphEdge]]:
        refs = sorted(self.nodes, key=lambda r: (r.kind.value, r.id))
        open_ = store.open_incidents(refs) if refs else {}
        nodes = [
            GraphNode(kind=r.kind, id=r.id, type=self.nodes[r].type, name=self.nodes[r].name,
                      state=self.nodes[r].state, incidents=tuple(open_.get(r, ())),
                      start=r == self.start)
            for r in refs
        ]
        return nodes, sorted(self.edges.values(), key=lambda e: (e.source, e.target, e.type))


def _lineage_node(node: Node) -> LineageNode:
    assert node.id is not None
    state = getattr(node, "state", None) or getattr(node, "last_known_state", None)
    return LineageNode(kind=node.kind, id=node.id, type=node.type, name=node.name,
                       uri=getattr(node, "uri", None),
                       state=None if state is None else getattr(state, "value", str(state)),
                       create_time=node.create_time)


def _incident_lines(store: Store, graph: _Graph) -> Section:
    refs = list(graph.nodes)
    found = store.open_incidents(refs) if refs else {}
    ids = sorted({i for v in found.values() for i in v})
    lines = []
    for i in ids:
        inc = lineage.incident(store, i)
        touched = ", ".join(_label(graph.nodes[r]) for r, v in sorted(
            found.items(), key=lambda kv: (kv[0].kind.value, kv[0].id)) if i in v)
        lines.append(f"#{inc.id} ({inc.status}, {_when(inc.created)}): {inc.reason}; "
                     f"reaches here: {touched}")
    return Section("Open incidents", lines=lines or ["none of the nodes shown is tainted"])


def _why_failed(store: Store, ref: NodeRef) -> Section:
    steps = questions.why_failed(store, ref)
    lines = []
    for s in steps:
        ex = s.failed.execution
        lines.append(f"FAILED {_label(ex)}: {s.failed.error or 'no error recorded'}")
        if s.last_success is None:
            lines.append("  no earlier success of this step")
        else:
            lines.append(f"  changed since {_label(s.last_success.execution)}:")
            for ch in s.diff.changes if s.diff else []:
                lines.append(f"    {ch.section}.{ch.field}: {ch.before!r} -> {ch.after!r}")
    return Section("Why it failed", lines=lines or ["no failed execution at or upstream of it"])


def _snapshot_sections(snap: Any) -> list[Section]:
    seen: dict[int, str] = {}
    for c in [*snap.contexts, *snap.ancestors]:
        seen.setdefault(c.id, _label(c))  # a pipeline is both a context and an ancestor
    ctx = list(seen.values())
    return [
        Section("Hyperparameters",
                rows=[(k, _text(v)) for k, v in sorted(snap.parameters.items())],
                note=None if snap.parameters else "none recorded"),
        Section("Pipeline and run", lines=[f"produced by {_label(snap.execution)} "
                                           f"({snap.execution.state})", *ctx]),
        Section("Code", rows=[(k, _text(v)) for k, v in sorted(snap.code.items())],
                note=None if snap.code else "none recorded"),
        Section("Environment",
                rows=[(k, _text(v)) for k, v in sorted(snap.environment.items())],
                note=None if snap.environment else "none recorded"),
    ]


def _deployments(store: Store, ref: NodeRef) -> Section:
    answer = questions.deployments(store, ref)
    lines = []
    for st in [*answer.targets, *answer.aliases]:
        name = st.target.name if st.target else "(no target)"
        if st.live is None:
            lines.append(f"{name}: nothing deployed now")
        else:
            m = st.live.model
            lines.append(f"{name}: {_label(m) if m else '?'} live since {_when(st.live.at)} "
                         f"({st.live.action})")
        for ev in st.history:
            m = ev.model
            lines.append(f"  {_when(ev.at)}  {ev.action}  {_label(m) if m else ''}")
    return Section("Deployments", lines=lines or ["never deployed"])


def _metrics(store: Store, node: Node, down: LineageResult) -> Section:
    rows = [(f"{ref_text(node)} {k}", _text(v))
            for k, v in sorted({**node.properties, **node.custom_properties}.items())]
    evaluations = set(roles.current(store).types(ROLE_EVALUATION))
    for n in down.artifacts:
        if n.type in evaluations:
            for k, v in sorted((n.properties or {}).items()):
                rows.append((f"{ref_text(n)} {n.type} {k}", _text(v)))
    return Section("Metrics and properties", rows=rows,
                   note=None if rows else "none recorded on the model or its evaluations")


def _models_on(store: Store, datasets: Sequence[LineageNode], metric: str) -> Section:
    lines = []
    for d in datasets:
        got = questions.models_trained_on(store, d.id, metric)
        lines.append(f"on {_label(d)}:")
        if not got.models:
            lines.append("  no model trained on it")
            continue
        if not got.metric_found:
            lines.append(f"  no {metric!r} recorded; metrics they have: "
                         f"{', '.join(got.available) or 'none'}")
        for p in got.pipelines:
            where = p.pipeline.name if p.pipeline else "no pipeline"
            ranked = ", ".join(f"{r.model.name} {metric}={_text(r.metric)}" for r in p.models)
            lines.append(f"  {where}: {ranked}")
            if p.newest and p.baseline:
                verdict = {True: "better", False: "not better", None: "cannot tell"}[p.better]
                lines.append(f"    newest {p.newest.model.name} vs previously deployed "
                             f"{p.baseline.model.name}: {verdict}")
        if got.mixed:
            lines.append("  (models of several pipelines: metrics may not be comparable)")
    return Section(f"Models trained on its datasets (by {metric})",
                   lines=lines or ["no training dataset"])


def _artifact_report(store: Store, node: Node, metric: str) -> Report:
    assert node.id is not None
    ref = node_ref(node)
    up = lineage.upstream(store, ref, with_edges=True, limit=GRAPH_LIMIT)
    down = lineage.downstream(store, ref, with_edges=True, max_depth=DOWNSTREAM_HOPS,
                              limit=GRAPH_LIMIT, with_properties=True)
    graph = _Graph(ref)
    graph.add_nodes([_lineage_node(node)])
    graph.add_result(up)
    graph.add_result(down)
    is_model = node.type in roles.current(store).types(ROLE_MODEL)
    datasets = questions.training_datasets(store, node.id)
    snap = questions.producer(store, node.id)
    sections = [Section("Training datasets", lines=[
        f"{_label(d)}  {d.uri or ''}".rstrip() for d in datasets] or ["none upstream"])]
    if snap is not None:
        sections += _snapshot_sections(snap)
    else:
        sections.append(Section("Pipeline and run", lines=["no execution produced it"]))
    sections += [
        _metrics(store, node, down),
        _why_failed(store, ref),
        _deployments(store, ref),
        _models_on(store, datasets[:3], metric),
        _incident_lines(store, graph),
    ]
    nodes, edges = graph.draw(store)
    partial = up.reason or down.reason if (up.partial or down.partial) else None
    return Report(
        title=f"{node.type} {node.name or ''}".strip(),
        subject="model" if is_model else "artifact",
        summary=[f"{ref_text(node)} {node.type} {node.name or ''}",
                 f"uri: {node.uri}" if isinstance(node, Artifact) and node.uri else "",
                 f"state: {node.state.value}" if isinstance(node, Artifact) else ""],
        nodes=nodes, edges=edges, sections=sections, partial=partial,
    )


def _execution_report(store: Store, node: Node) -> Report:
    assert node.id is not None
    ref = node_ref(node)
    graph = _Graph(ref)
    graph.add_nodes([_lineage_node(node)])
    graph.add_result(lineage.lineage_subgraph(store, [ref], hops=2, limit=GRAPH_LIMIT))
    snaps = store.execution_snapshots(execution_ids=[node.id])
    sections: list[Section] = []
    for snap in snaps[:1]:
        sections += _snapshot_sections(snap)
        sections.append(Section("Inputs", lines=[
            f"{i.type} {i.name or ''} {i.uri or ''} ({i.event})".strip() for i in snap.inputs]
            or ["none"]))
    sections += [_why_failed(store, ref), _incident_lines(store, graph)]
    nodes, edges = graph.draw(store)
    state = getattr(node, "last_known_state", None)
    return Report(title=f"{node.type} {node.name or ''}".strip(), subject="execution",
                  summary=[f"{ref_text(node)} {node.type} {node.name or ''}",
                           f"state: {_text(state and state.value)}"],
                  nodes=nodes, edges=edges, sections=sections)


def _context_report(store: Store, node: Node) -> Report:
    assert node.id is not None
    ref = node_ref(node)
    contexts = [node, *store.get_children_contexts_by_context(node.id)]
    executions = {e.id: e for c in contexts if c.id is not None
                  for e in store.get_executions_by_context(c.id) if e.id is not None}
    graph = _Graph(None)
    starts = [NodeRef(kind=Kind.EXECUTION, id=i) for i in sorted(executions)]
    if starts:
        graph.add_result(lineage.lineage_subgraph(store, starts, hops=1, limit=GRAPH_LIMIT))
    steps = []
    for e in sorted(executions.values(), key=lambda e: (e.create_time or 0, e.id or 0)):
        error = e.custom_properties.get("error")
        steps.append((f"{ref_text(e)} {e.type} {e.name or ''}",
                      f"{e.last_known_state.value}" + (f": {error}" if error else "")))
    sections = [
        Section("Steps", rows=steps, note=None if steps else "no execution in it"),
        _why_failed(store, ref),
        Section("Contexts", lines=[_label(c) for c in contexts[1:]] or ["no child context"]),
        _incident_lines(store, graph),
    ]
    nodes, edges = graph.draw(store)
    return Report(title=f"{node.type} {node.name or ''}".strip(), subject="run",
                  summary=[f"{ref_text(node)} {node.type} {node.name or ''}",
                           f"{len(executions)} executions"],
                  nodes=nodes, edges=edges, sections=sections)


def incident_report(store: Store, incident_id: int) -> Report:
    """An incident: what it was found in, why, everything it reached and by which path."""
    inc: Incident = lineage.incident(store, incident_id)
    reached = inc.reached or []
    graph = _Graph(inc.source)
    graph.add_nodes([_lineage_node(resolve_node(store, inc.source))])
    drawn = [t for t in reached if t.node.kind is not Kind.CONTEXT]
    graph.add_nodes(t.node for t in drawn)
    for t in drawn:
        if t.via != t.node.ref:
            graph.add_edge(LineageEdge(source=t.via, target=t.node.ref, type="TAINTS"))
    names = {t.node.ref: t.node for t in reached}
    names[inc.source] = graph.nodes[inc.source]
    rows = []
    for t in sorted(reached, key=lambda t: (t.hops, t.node.kind.value, t.node.id)):
        try:
            path = " -> ".join(ref_text(names[r]) if r in names else str(r.id)
                               for r in inc.path_to(t.node.ref))
        except KeyError:
            path = "?"
        rows.append((f"{_label(t.node)}", f"{t.hops} hops: {path}"))
    model_types = set(roles.current(store).types(ROLE_MODEL))
    models = [_label(t.node) for t in reached if t.node.type in model_types]
    contexts = [_label(t.node) for t in reached if t.node.kind is Kind.CONTEXT]
    sections = [
        Section("Incident", rows=[
            ("id", str(inc.id)), ("status", inc.status), ("reason", inc.reason),
            ("found in", _label(graph.nodes[inc.source])), ("recorded", _when(inc.created)),
            ("resolved", _when(inc.resolved)), ("resolution", _text(inc.resolution)),
            ("stops at types", ", ".join(inc.barrier_types)),
        ]),
        Section("Models to retrain or withdraw", lines=models or ["none reached"]),
        Section("Contexts flagged (runs, deployments)", lines=contexts or ["none"]),
        Section("Reach, with explaining paths", rows=rows,
                note=None if rows else "it reached nothing"),
    ]
    nodes, edges = graph.draw(store)
    return Report(title=f"Incident #{inc.id}: {inc.reason}", subject="incident",
                  summary=[f"found in {_label(graph.nodes[inc.source])}", f"status {inc.status}",
                           f"{len(reached)} nodes reached"],
                  nodes=nodes, edges=edges, sections=sections)


def incident_id(ref: str) -> int | None:
    """The id of ``i:ID`` / ``incident:ID``; None when ``ref`` names no incident."""
    text = ref.strip()
    for prefix in INCIDENT_PREFIXES:
        if text.lower().startswith(prefix):
            rest = text[len(prefix):]
            if not rest.isdigit():
                raise InvalidInputError(f"REF {ref!r}: an incident is i:ID with a numeric id",
                                        field="REF", value=ref)
            return int(rest)
    return None


def build_report(store: Store, ref: str, *, kind: Kind | None = None,
                 metric: str = "auc") -> Report:
    """The report for a reference: ``a:ID``/``e:ID``/``c:ID``, ``TYPE:NAME``, ``@ALIAS``, an
    id, or ``i:ID`` for an incident.

    Raises:
        NotFoundError: nothing has that reference.
        InvalidInputError: a malformed reference.
    """
    number = incident_id(ref)
    if number is not None:
        return incident_report(store, number)
    node = resolve_node(store, ref, kind)
    if node.kind is Kind.ARTIFACT:
        return _artifact_report(store, node, metric)
    if node.kind is Kind.EXECUTION:
        return _execution_report(store, node)
    if node.kind is Kind.CONTEXT:
        return _context_report(store, node)
    raise NotFoundError(f"cannot report on {ref!r}")  # pragma: no cover - kinds are closed
