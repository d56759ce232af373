"""Answer models for lineage, taint and the seed's questions: ids and chosen fields, not graphs.

Both store backends return these, so the property tests can compare Neo4j with networkx
answer for answer. Lists are in a documented, deterministic order, defined once at the end of
this module (``node_order``, ``edge_order``, ``input_order``, ``incident_order``): nodes by
kind (artifacts, executions, contexts), then id.

``WalkOptions`` is what a lineage walk keeps and how far it goes: the services pass it to the
stores (``Store.lineage_walk``); ``WalkKeywords`` is the same set as keyword arguments.

Property names the tracking work records on executions (custom properties) and that the
questions read, defined once here:

* code: ``code_hash``, ``git_commit``, ``git_branch``, ``git_dirty``, ``code_version``
  (see ``CODE_KEYS``);
* environment: ``python_version``, ``platform``, and one ``lib.<distribution>`` per library
  version (``lib.torch``, ``lib.scikit-learn``); a STRUCT ``environment`` ({name: version})
  is read as well and merged under the same names;
* errors: ``error`` (message), ``error_type``, ``error_traceback`` on FAILED executions;
* other system fields (``SYSTEM_KEYS``: step, memo_key, metrics ...) are never parameters.

``ExecutionSnapshot.parameters`` = declared properties + custom ones outside all of the above.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field

from .models import Kind

Direction = Literal["upstream", "downstream"]

# Execution custom-property names written by tracking/ and read by the questions.
CODE_KEYS: tuple[str, ...] = ("code_hash", "git_commit", "git_branch", "git_dirty", "code_version")
ENV_KEYS: tuple[str, ...] = ("python_version", "platform")
LIB_PREFIX = "lib."
ENVIRONMENT_STRUCT = "environment"
ERROR_KEYS: tuple[str, ...] = ("error", "error_type", "error_traceback")
# Other system fields tracking records on executions (tracking/fields.py); never parameters.
SYSTEM_KEYS: frozenset[str] = frozenset(
    {"step", "code_file", "module_hash", "memo_key", "memoizable", "cache_of", "metrics",
     "return_value", "unrecorded_args", "start_time", "end_time"}
)
# Other execution custom properties tracking records that are not hyperparameters
# (lineage_graph.tracking.fields is the reference; kept here so answers need no upward import).
TRACKING_KEYS: tuple[str, ...] = (
    "step", "code_file", "module_hash", "memo_key", "memoizable", "cache_of", "metrics",
    "return_value", "unrecorded_args", "error_traceback", "start_time", "end_time",
)

# Conventions for questions 6-8 (overridable per call).
MODEL_TYPES: tuple[str, ...] = ("Model",)
DEPLOYMENT_ARTIFACT_TYPES: tuple[str, ...] = ("PushedModel",)
DATASET_TYPES: tuple[str, ...] = ("Dataset", "Examples")
SUCCESS_STATES: tuple[str, ...] = ("COMPLETE", "CACHED")

_Frozen = ConfigDict(frozen=True, extra="forbid")


class NodeRef(BaseModel):
    """A node's identity: its kind and id (ids are unique per kind)."""

    model_config = _Frozen

    kind: Kind
    id: int


class LineageNode(BaseModel):
    """A node in an answer: identity, type and the few fields people read.

    ``state`` is the artifact state or the execution's ``last_known_state`` (None for
    contexts). ``hops`` is the shortest distance in edges from the start, when computed.
    ``properties`` holds user properties only when a query asked for them.
    """

    model_config = _Frozen

    kind: Kind
    id: int
    type: str
    name: str | None = None
    uri: str | None = None
    state: str | None = None
    create_time: int | None = None
    hops: int | None = None
    properties: dict[str, Any] | None = None

    @property
    def ref(self) -> NodeRef:
        return NodeRef(kind=self.kind, id=self.id)


class LineageEdge(BaseModel):
    """An event edge, pointing the way data flows (artifact -> execution for inputs)."""

    model_config = _Frozen

    source: NodeRef
    target: NodeRef
    type: str
    timestamp: int | None = None


class LineageResult(BaseModel):
    """Artifacts and executions reached by a walk (each sorted by id), edges on request.

    ``partial`` is True when a guardrail (node limit, time budget) cut the walk short;
    ``reason`` then says which. Depth limits are part of the question, not partial.
    """

    model_config = _Frozen

    artifacts: list[LineageNode] = Field(default_factory=list)
    executions: list[LineageNode] = Field(default_factory=list)
    edges: list[LineageEdge] | None = None
    partial: bool = False
    reason: str | None = None

    @property
    def nodes(self) -> list[LineageNode]:
        return [*self.artifacts, *self.executions]

    def ids(self, kind: Kind) -> list[int]:
        return [n.id for n in self.nodes if n.kind == kind]


class LineagePath(BaseModel):
    """One witness path, from the start to the end, in the direction data flowed."""

    model_config = _Frozen

    nodes: list[LineageNode]
    edge_types: list[str]

    @property
    def length(self) -> int:
        return len(self.edge_types)


class ContextNode(BaseModel):
    """A context with the ids of its parents (``CHILD_OF``)."""

    model_config = _Frozen

    id: int
    type: str
    name: str | None = None
    create_time: int | None = None
    parent_ids: list[int] = Field(default_factory=list)


class InputRef(BaseModel):
    """An artifact an execution read, with the event's type and path (slot)."""

    model_config = _Frozen

    id: int
    type: str
    name: str | None = None
    uri: str | None = None
    event: str
    path: tuple[int | str, ...] = ()


class ExecutionSnapshot(BaseModel):
    """What one execution was: its fields, properties, inputs and contexts (with ancestors)."""

    model_config = _Frozen

    execution: LineageNode
    properties: dict[str, Any] = Field(default_factory=dict)
    custom_properties: dict[str, Any] = Field(default_factory=dict)
    inputs: list[InputRef] = Field(default_factory=list)
    contexts: list[ContextNode] = Field(default_factory=list)
    ancestors: list[ContextNode] = Field(default_factory=list)

    @property
    def code(self) -> dict[str, Any]:
        return {k: self.custom_properties[k] for k in CODE_KEYS if k in self.custom_properties}

    @property
    def environment(self) -> dict[str, Any]:
        """Python and library versions: ``python_version``, ``lib.<name>``, STRUCT entries."""
        env: dict[str, Any] = {}
        struct = self.custom_properties.get(ENVIRONMENT_STRUCT)
        if isinstance(struct, dict):
            env.update({str(k): v for k, v in struct.items()})
        for k, v in self.custom_properties.items():
            if k in ENV_KEYS:
                env[k] = v
            elif k.startswith(LIB_PREFIX):
                env[k[len(LIB_PREFIX):]] = v
        return env

    @property
    def error(self) -> str | None:
        value = self.custom_properties.get("error")
        return None if value is None else str(value)

    @property
    def parameters(self) -> dict[str, Any]:
        """Hyperparameters: declared properties, then custom ones not about code/env/errors."""
        params = dict(self.properties)
        for k, v in self.custom_properties.items():
            if k in CODE_KEYS or k in ENV_KEYS or k in ERROR_KEYS or k in SYSTEM_KEYS:
                continue
            if k == ENVIRONMENT_STRUCT:
                continue
            if k in TRACKING_KEYS or k.startswith(LIB_PREFIX):
                continue
            params.setdefault(k, v)
        return params


class Change(BaseModel):
    """One difference: ``field`` in ``section`` went from ``before`` to ``after`` (None: absent)."""

    model_config = _Frozen

    section: Literal["inputs", "parameters", "code", "environment", "state"]
    field: str
    before: Any = None
    after: Any = None


class StepDiff(BaseModel):
    """How one step (execution type) differs between two executions of it."""

    model_config = _Frozen

    step: str
    before: LineageNode | None
    after: LineageNode | None
    changes: list[Change] = Field(default_factory=list)


class RunDiff(BaseModel):
    """What changed between two runs (contexts): per step, inputs/parameters/code/environment."""

    model_config = _Frozen

    run_a: int
    run_b: int
    steps: list[StepDiff] = Field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(s.changes for s in self.steps)


class FailedStep(BaseModel):
    """A failed execution, its error, and how it differs from the last success of its step."""

    model_config = _Frozen

    failed: ExecutionSnapshot
    last_success: ExecutionSnapshot | None = None
    diff: StepDiff | None = None


class TaintedNode(BaseModel):
    """A node an incident reached: ``hops`` from the bad node, ``via`` its predecessor.

    Following ``via`` back to the incident's source reconstructs a shortest explaining path
    (``Incident.path_to``); for a context, ``via`` is its member that was reached first.
    """

    model_config = _Frozen

    node: LineageNode
    hops: int
    via: NodeRef


class Incident(BaseModel):
    """A recorded taint: the bad node, why, and (when inspected) what it reached."""

    model_config = _Frozen

    id: int
    reason: str
    created: int
    status: Literal["OPEN", "RESOLVED"]
    source: NodeRef
    barrier_types: list[str] = Field(default_factory=list)
    resolved: int | None = None
    resolution: str | None = None
    reached_count: int = 0
    reached: list[TaintedNode] | None = None

    def path_to(self, ref: NodeRef) -> list[NodeRef]:
        """The explaining path from the source to ``ref`` (following ``via``).

        Raises:
            KeyError: ``ref`` was not reached or ``reached`` was not loaded.
        """
        by_ref = {t.node.ref: t for t in self.reached or []}
        path = [ref]
        while path[-1] != self.source:
            path.append(by_ref[path[-1]].via)
        return list(reversed(path))


class Deployment(BaseModel):
    """The latest deployed (pushed) artifact, the model it came from, its contexts."""

    model_config = _Frozen

    deployed: LineageNode
    model: LineageNode | None = None
    contexts: list[ContextNode] = Field(default_factory=list)


class RankedModel(BaseModel):
    model_config = _Frozen

    model: LineageNode
    metric: Any = None


class CleanupList(BaseModel):
    """Everything a corrupt node reached, grouped: what to delete, retrain, undeploy."""

    model_config = _Frozen

    source: NodeRef
    artifacts: list[TaintedNode] = Field(default_factory=list)
    executions: list[TaintedNode] = Field(default_factory=list)
    contexts: list[TaintedNode] = Field(default_factory=list)
    models: list[TaintedNode] = Field(default_factory=list)
    deployments: list[TaintedNode] = Field(default_factory=list)


@dataclass(frozen=True, kw_only=True, slots=True)
class WalkOptions:
    """What a lineage walk returns and how far it goes (``lineage.upstream`` keywords).

    Attributes:
        max_depth: at most this many hops (edges); None is unbounded.
        types: keep only nodes of these type names (e.g. ``["Dataset"]``).
        kinds: keep only these kinds (``"artifact"``, ``"execution"``).
        roots_only: keep only the ends: nodes without further predecessors (upstream) or
            successors (downstream) in the same as-of graph, whatever ``max_depth`` says.
        as_of: the graph as it was at this time (ms since epoch).
        limit: node cap; beyond it the result is ``partial``.
        with_properties: include the user properties of each node.
        include_starts: also return the start nodes (hops 0) that pass the filters.
        with_edges: also return the event edges among the starts and the result (one more
            query).
        timeout: seconds; beyond it the result is ``partial`` (what arrived so far).

    Example::

        WalkOptions(types=["Dataset"], roots_only=True)
    """

    max_depth: int | None = None
    types: Sequence[str] | None = None
    kinds: Sequence[Kind | str] | None = None
    roots_only: bool = False
    as_of: int | None = None
    limit: int | None = None
    with_properties: bool = False
    include_starts: bool = False
    with_edges: bool = False
    timeout: float | None = None


class WalkKeywords(TypedDict, total=False):
    """``WalkOptions``'s fields as keyword arguments (``upstream(store, ref, max_depth=2)``)."""

    max_depth: int | None
    types: Sequence[str] | None
    kinds: Sequence[Kind | str] | None
    roots_only: bool
    as_of: int | None
    limit: int | None
    with_properties: bool
    include_starts: bool
    with_edges: bool
    timeout: float | None


# ---- the order of answers (both backends and the services sort with these) ---------------

KIND_ORDER: dict[Kind, int] = {Kind.ARTIFACT: 0, Kind.EXECUTION: 1, Kind.CONTEXT: 2}


def node_order(node: LineageNode | NodeRef) -> tuple[int, int]:
    """Nodes in answers: artifacts, then executions, then contexts; each by id."""
    return (KIND_ORDER[node.kind], node.id)


def tainted_order(t: TaintedNode) -> tuple[int, int]:
    """What taint reached: in node order."""
    return node_order(t.node)


def edge_order(e: LineageEdge) -> tuple[int, int, int, int, str, int]:
    """Edges in answers: by source, target (node order), type, timestamp."""
    return (*node_order(e.source), *node_order(e.target), e.type, e.timestamp or 0)


def input_order(i: InputRef) -> tuple[str, str, int]:
    """An execution's inputs: by event type, path (slot), artifact id."""
    return (i.event, json.dumps(list(i.path)), i.id)


def incident_order(i: Incident) -> tuple[int, int]:
    """Incidents by creation time, then id; lists show them newest first (``reverse=True``)."""
    return (i.created, i.id)
