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
ERROR_KEYS: tuple[str, ...] = ("error", "error_type", "error_traceback", "error_language")
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

# Fallback type lists of lineage-graph's own tracking; the questions read the stored role
# mapping instead (``lineage_graph.roles``; ``RoleQuery`` below).
MODEL_TYPES: tuple[str, ...] = ("Model",)
DEPLOYMENT_ARTIFACT_TYPES: tuple[str, ...] = ("PushedModel",)
DATASET_TYPES: tuple[str, ...] = ("Dataset", "Examples")
SUCCESS_STATES: tuple[str, ...] = ("COMPLETE", "CACHED")
# Custom-property prefixes that foreign vocabularies use for their own bookkeeping (OpenLineage
# run and job facets, ``ol.*``): never hyperparameters.
FOREIGN_SYSTEM_PREFIXES: tuple[str, ...] = ("ol.", "mlflow.")

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
    ``properties`` holds user properties only when a query asked for them. ``incidents``:
    the ids of the open incidents found in or reaching the node, ascending (empty when it is
    clean); every service answer fills it (``lineage_graph.incident_marks``).
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
    incidents: tuple[int, ...] = ()

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
    """A context with the ids of its parents (``CHILD_OF``) and its open incidents (as
    ``LineageNode.incidents``)."""

    model_config = _Frozen

    id: int
    type: str
    name: str | None = None
    create_time: int | None = None
    parent_ids: list[int] = Field(default_factory=list)
    incidents: tuple[int, ...] = ()


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
            if k in TRACKING_KEYS or k.startswith((LIB_PREFIX, *FOREIGN_SYSTEM_PREFIXES)):
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


# ---- roles, deployments, model comparisons (lineage_graph.roles / .deployments) -----------

ROLE_DATASET, ROLE_MODEL, ROLE_EVALUATION = "dataset", "model", "evaluation"
ROLE_DEPLOYMENT, ROLE_TRAINING, ROLE_PIPELINE = "deployment", "training", "pipeline"
ROLE_STATISTICS = "statistics"
ROLES: tuple[str, ...] = (
    ROLE_DATASET, ROLE_MODEL, ROLE_EVALUATION, ROLE_DEPLOYMENT, ROLE_TRAINING, ROLE_PIPELINE,
    ROLE_STATISTICS,
)
NO_ROLE = "none"  # a stored value that takes a default role away from a type
# The stored mapping: one Context of this type and name; custom properties type name -> role.
ROLES_CONTEXT_TYPE = "lineage_graph.Roles"
ROLES_CONTEXT_NAME = "roles"
# Deployment events lineage-graph records (lineage_graph.deployments): an Execution of one of
# these types, the model as its INPUT, associated with its target context; custom properties
# ``action`` and ``at`` (ms). Aliases are targets too (a ModelAlias context per alias name).
DEPLOY_TYPE, UNDEPLOY_TYPE, ALIAS_TYPE = "Deploy", "Undeploy", "SetAlias"
EVENT_EXECUTION_TYPES: tuple[str, ...] = (DEPLOY_TYPE, UNDEPLOY_TYPE, ALIAS_TYPE)
DEPLOYMENT_CONTEXT_TYPE, ALIAS_CONTEXT_TYPE = "Deployment", "ModelAlias"
ACTION_KEY, AT_KEY = "action", "at"
# How far an evaluation may be from the model it scores (model -> evaluator -> evaluation),
# and a pushed artifact from the model it pushes.
EVALUATION_HOPS = 2
PUSHED_MODEL_HOPS = 6

DeployAction = Literal["push", "deploy", "rollback", "undeploy", "alias", "unalias"]
# Actions after which the target holds nothing.
CLEARING_ACTIONS: frozenset[str] = frozenset({"undeploy", "unalias"})


class RoleQuery(BaseModel):
    """The roles a question asks the store with: ``defaults`` ((type name, role) pairs),
    overridden by the stored mapping (a ``NO_ROLE`` value removes a default), then per role by
    ``explicit`` type lists (a caller's ``model_types=...``)."""

    model_config = _Frozen

    defaults: tuple[tuple[str, str], ...] = ()
    explicit: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    def resolve(self, stored: dict[str, str]) -> dict[str, tuple[str, ...]]:
        """Type names per role (sorted), given the stored mapping."""
        merged = {t: r for t, r in self.defaults if t not in stored}
        merged.update(stored)
        out = {role: tuple(sorted(t for t, r in merged.items() if r == role)) for role in ROLES}
        out.update({role: tuple(types) for role, types in self.explicit.items()})
        return out

    def params(self) -> dict[str, Any]:
        """The Cypher parameters every role-aware statement takes."""
        return {
            "roles_type": ROLES_CONTEXT_TYPE,
            "roles_name": ROLES_CONTEXT_NAME,
            "role_defaults": [list(p) for p in self.defaults],
            "explicit": {role: list(types) for role, types in self.explicit.items()},
        }


class DeploymentRow(BaseModel):
    """A deployment event as a store finds it (``Store.deployment_rows``): every target it
    went to, and whether the question's start reached it (``own``)."""

    model_config = _Frozen

    action: DeployAction
    at: int
    execution: LineageNode
    model: LineageNode | None = None
    pushed: LineageNode | None = None
    targets: list[ContextNode] = Field(default_factory=list)
    own: bool = False


class DeploymentEvent(BaseModel):
    """One event in a target's history: a push (a pushed-model artifact, at its push time),
    a deploy, rollback or undeploy, or an alias move. ``model`` is what the target holds
    after it (for an undeploy: what it stopped holding)."""

    model_config = _Frozen

    action: DeployAction
    at: int
    target: ContextNode | None = None
    model: LineageNode | None = None
    pushed: LineageNode | None = None
    execution: LineageNode

    @property
    def clears(self) -> bool:
        return self.action in CLEARING_ACTIONS


class TargetState(BaseModel):
    """A deployment target (or alias) now: its latest event unless that cleared it, and its
    whole history, oldest first. ``target`` None gathers pushes recorded without any context."""

    model_config = _Frozen

    target: ContextNode | None = None
    live: DeploymentEvent | None = None
    history: list[DeploymentEvent] = Field(default_factory=list)


class Deployments(BaseModel):
    """Question 6 in full: the start's own deployment events (oldest first) and every target
    and alias they went to, with what is live there now and its history."""

    model_config = _Frozen

    start: NodeRef
    events: list[DeploymentEvent] = Field(default_factory=list)
    targets: list[TargetState] = Field(default_factory=list)
    aliases: list[TargetState] = Field(default_factory=list)


class Deployment(BaseModel):
    """The answer to "which version was deployed last": what was deployed (the pushed
    artifact of a push, else the model itself), the model, its target (``contexts``), when
    (``at``), how (``action``), and whether it is still live there."""

    model_config = _Frozen

    deployed: LineageNode
    model: LineageNode | None = None
    contexts: list[ContextNode] = Field(default_factory=list)
    action: DeployAction = "push"
    at: int | None = None
    live: bool = True


class MetricSource(BaseModel):
    """Where a model's metrics may be kept: the model itself (``model``), an evaluation
    artifact or step downstream of it (``evaluation``, ``evaluator``; ``hops`` away), or an
    evaluation artifact its producer wrote beside it (``producer``)."""

    model_config = _Frozen

    relation: Literal["model", "evaluation", "evaluator", "producer"]
    node: LineageNode
    hops: int = 0
    properties: dict[str, Any] = Field(default_factory=dict)


class ModelCandidate(BaseModel):
    """A model as ``Store.model_candidates`` finds it: its pipeline, when it was trained
    (its earliest OUTPUT event, else its creation), whether it is downstream of the dataset
    (else it is a deployed model of the same pipeline, a possible baseline), when it was
    deployed (push and deploy/rollback times, sorted), and where its metrics may be."""

    model_config = _Frozen

    model: LineageNode
    pipeline: ContextNode | None = None
    trained_at: int = 0
    trained_on: bool = True
    deployed_at: list[int] = Field(default_factory=list)
    sources: list[MetricSource] = Field(default_factory=list)


class ModelCandidates(BaseModel):
    """Raw material of question 7: the models trained on a dataset and the deployed models
    of their pipelines (to find each pipeline's previously deployed model)."""

    model_config = _Frozen

    candidates: list[ModelCandidate] = Field(default_factory=list)


class RankedModel(BaseModel):
    """A model with its metric value and where that value was read (None: not recorded)."""

    model_config = _Frozen

    model: LineageNode
    metric: Any = None
    source: LineageNode | None = None
    pipeline: ContextNode | None = None


class PipelineComparison(BaseModel):
    """One pipeline's models trained on the dataset (best first), its newest one, the model
    deployed before it (``baseline``), and whether the newest is better (None: unknown)."""

    model_config = _Frozen

    pipeline: ContextNode | None = None
    models: list[RankedModel] = Field(default_factory=list)
    newest: RankedModel | None = None
    baseline: RankedModel | None = None
    better: bool | None = None


class ModelComparison(BaseModel):
    """Question 7: models trained on a dataset, ranked by ``metric`` within each pipeline
    (``models``: all of them, best first; ``mixed`` when they come from several pipelines,
    whose metrics need not be comparable). ``metric_found`` is False when no model has the
    metric anywhere; ``available`` then lists the metric names they do have."""

    model_config = _Frozen

    dataset: NodeRef
    metric: str
    higher_is_better: bool = True
    models: list[RankedModel] = Field(default_factory=list)
    pipelines: list[PipelineComparison] = Field(default_factory=list)
    mixed: bool = False
    metric_found: bool = False
    available: list[str] = Field(default_factory=list)


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
