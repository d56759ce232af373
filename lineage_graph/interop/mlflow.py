"""Import an MLflow tracking store (and its model registry) through MLflow's own client.

``import_mlflow(store, "mlruns")`` or ``import_mlflow(store, "sqlite:///mlflow.db")`` (any
tracking URI MLflow's ``MlflowClient`` reads: a ``mlruns`` directory, a database URI, a
tracking server). Mapping:

==============================  ==========================================================
MLflow                          lineage-graph
==============================  ==========================================================
experiment                      Context ``mlflow.Experiment`` (name = experiment name)
run                             Execution ``mlflow.Run`` (name ``<run name>/<run id>``):
                                state FINISHED->COMPLETE, FAILED->FAILED, KILLED->CANCELED,
                                RUNNING->RUNNING, SCHEDULED->NEW; params as declared STRING
                                properties; ``metrics`` {key: latest}; ``start_time``,
                                ``end_time``; ``git_commit``/``step`` from the source tags;
                                the rest (run id, user, tags...) in the STRUCT ``mlflow.info``
nested run (mlflow.parentRunId)  associated with a Context ``mlflow.ParentRun`` (its
                                parent's, CHILD_OF the experiment), not with the experiment:
                                the parent holds its children, as autolog's ``Fit`` does
metric history                  a ``Metrics`` OUTPUT artifact: latest values and ``history``
                                {key: [[step, timestamp, value], ...]}
dataset input                   ``Dataset`` artifact ``<name>@<digest>`` (uri: the source's
                                uri), INPUT event at path (context tag, name)
logged model (MLflow 3), or     ``Model`` artifact (uri: its artifact location; files, flavor,
mlflow.log-model.history (2.x)  params and the run's metrics on it), OUTPUT event ("model",
                                name); a model input of a run is an INPUT event
run artifacts (top level)       ``File`` artifacts, OUTPUT events ("artifacts", path)
registered model                Context ``mlflow.RegisteredModel``; ``aliases`` {alias:
                                version} on it
model version                   see ``version_as_deployment``: a ``PushedModel``, produced by
                                an ``mlflow.RegisterModelVersion`` execution from its Model
==============================  ==========================================================

Every entity keeps its MLflow id as its external id (``mlflow:run:<run id>``...). A second
import writes only what is new or changed (an update by id with equal content writes
nothing: ``skip_unchanged``), so re-importing a finished store adds nothing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from .. import roles
from ..errors import InvalidInputError, UnavailableError
from ..models import (
    Artifact,
    ArtifactState,
    ArtifactType,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    Kind,
    Node,
    ParentContext,
    PropertyType,
    Value,
)
from ..store.base import Store
from ..store.rules import WriteRules
from .names import property_name

if TYPE_CHECKING:  # mlflow is an optional extra: imported lazily at run time
    from mlflow.tracking import MlflowClient

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``: phase is ``experiments``, ``runs``, ``registry``."""

EXPERIMENT = "mlflow.Experiment"
PARENT_RUN = "mlflow.ParentRun"
REGISTERED_MODEL = "mlflow.RegisteredModel"
RUN = "mlflow.Run"
REGISTER = "mlflow.RegisterModelVersion"
DATASET = "Dataset"
MODEL = "Model"
METRICS = "Metrics"
FILE = "File"
PUSHED_MODEL = "PushedModel"
MLFLOW_STRUCT = "mlflow.info"  # the custom STRUCT holding what has no field of its own
PAGE = 1000

_RUN_STATES = {
    "FINISHED": ExecutionState.COMPLETE,
    "FAILED": ExecutionState.FAILED,
    "KILLED": ExecutionState.CANCELED,
    "RUNNING": ExecutionState.RUNNING,
    "SCHEDULED": ExecutionState.NEW,
}
_MODEL_STATES = {
    "READY": ArtifactState.LIVE,
    "PENDING": ArtifactState.PENDING,
    "FAILED": ArtifactState.ABANDONED,
}
_VERSION_STATES = {
    "READY": (ArtifactState.LIVE, ExecutionState.COMPLETE),
    "PENDING_REGISTRATION": (ArtifactState.PENDING, ExecutionState.RUNNING),
    "FAILED_REGISTRATION": (ArtifactState.ABANDONED, ExecutionState.FAILED),
}
_SQLITE_MAGIC = b"SQLite format 3\x00"


def _client_class() -> Any:
    try:
        from mlflow.tracking import MlflowClient
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise UnavailableError(
            "MLflow import needs the mlflow library: pip install 'lineage-graph[mlflow]'"
        ) from exc
    return MlflowClient


# ---- opening --------------------------------------------------------------------------------


def tracking_uri_of(where: str | Path) -> str:
    """A tracking URI MLflow reads, checked first so a typo never creates an empty store.

    A directory (``mlruns``) becomes a ``file://`` URI; ``sqlite:///`` must name an existing
    SQLite file; other URIs (``postgresql://``, ``http://``...) are given to MLflow as they are.

    Raises:
        InvalidInputError: ``tracking_uri``: the directory or database file does not exist.
    """
    text = str(where)
    parsed = urlparse(text)
    if parsed.scheme in ("", "file") and len(parsed.scheme) != 1:
        path = Path(parsed.path if parsed.scheme == "file" else text)
        if not path.is_dir():
            raise InvalidInputError(
                f"MLflow store {text}: no such directory", field="tracking_uri", value=text
            )
        return path.resolve().as_uri()
    if parsed.scheme == "sqlite":
        db = Path(text[len("sqlite:///") :]) if text.startswith("sqlite:///") else None
        if db is None or not db.is_file():
            raise InvalidInputError(
                f"MLflow store {text}: no such database file", field="tracking_uri", value=text
            )
        with db.open("rb") as fh:
            if fh.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
                raise InvalidInputError(
                    f"MLflow store {text}: not an SQLite database", field="tracking_uri", value=text
                )
    return text


def open_mlflow(tracking_uri: str | Path, registry_uri: str | None = None) -> MlflowClient:
    """An ``MlflowClient`` on ``tracking_uri`` (and the registry, by default the same store).

    Raises:
        InvalidInputError: see ``tracking_uri_of``.
        UnavailableError: mlflow is not installed.
    """
    client_class = _client_class()
    uri = tracking_uri_of(tracking_uri)
    return client_class(tracking_uri=uri, registry_uri=registry_uri or uri)  # type: ignore[no-any-return]


# ---- values -----------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON-safe: non-finite floats as text, None dropped from dicts, other objects as text."""
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def _struct(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in _plain(values).items() if v not in (None, {}, [])}


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return _plain(json.loads(text))
    except (ValueError, TypeError):
        return text


def _metric_value(value: float) -> Value:
    return value if math.isfinite(value) else str(value)


# ---- the report ---------------------------------------------------------------------------


@dataclass
class MlflowImportReport:
    """What an import did: per entity, how many were new and how many were already stored
    (of those, only changed ones were written)."""

    new: dict[str, int] = field(default_factory=dict)
    known: dict[str, int] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)

    def count(self, entity: str, *, new: bool) -> None:
        target = self.new if new else self.known
        target[entity] = target.get(entity, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {"new": dict(self.new), "known": dict(self.known), "renamed": dict(self.renamed)}


# ---- the import ---------------------------------------------------------------------------


def _ids(store: Store, kind: Kind, external_ids: Iterable[str]) -> dict[str, Node]:
    wanted = sorted(set(external_ids))
    if not wanted:
        return {}
    found: Sequence[Node]
    if kind is Kind.ARTIFACT:
        found = store.get_artifacts_by_external_ids(wanted)
    elif kind is Kind.EXECUTION:
        found = store.get_executions_by_external_ids(wanted)
    else:
        found = store.get_contexts_by_external_ids(wanted)
    return {n.external_id: n for n in found if n.external_id is not None}


def _with_id(node: Any, stored: dict[str, Node], report: MlflowImportReport, entity: str) -> Any:
    """``node`` carrying the id of the stored node with its external id (an update by id,
    written only when its content changed), else as a new node."""
    found = stored.get(node.external_id)
    report.count(entity, new=found is None)
    return node if found is None else node.model_copy(update={"id": found.id})


def _paged(fetch: Callable[[str | None], Any]) -> Iterator[Any]:
    token: str | None = None
    while True:
        page = fetch(token)
        yield from page
        token = getattr(page, "token", None)
        if not token:
            return


def _declare_types(store: Store) -> None:
    """Declare the types this import writes that the store lacks (a stored type keeps its
    declared properties)."""
    wanted: list[ArtifactType | ExecutionType | ContextType] = [
        ContextType(name=EXPERIMENT, description="MLflow experiment"),
        ContextType(name=PARENT_RUN, description="MLflow run with nested runs"),
        ContextType(name=REGISTERED_MODEL, description="MLflow registered model"),
        ExecutionType(name=RUN, description="MLflow run"),
        ExecutionType(name=REGISTER, description="MLflow model version registration"),
        ArtifactType(name=DATASET),
        ArtifactType(name=MODEL),
        ArtifactType(name=METRICS),
        ArtifactType(name=FILE),
        ArtifactType(name=PUSHED_MODEL),
    ]
    missing = [t for t in wanted if not store.get_types(t.kind, [t.name])]
    if missing:
        store.put_types(missing)
    # The questions read roles from the stored mapping: MLflow's datasets, logged models,
    # metrics, registered versions (PushedModel) and experiments (which runs are compared).
    roles.learn(store, wanted)


def import_mlflow(
    store: Store,
    tracking_uri: str | Path,
    *,
    registry_uri: str | None = None,
    progress: Progress | None = None,
) -> MlflowImportReport:
    """Bring an MLflow store's history into ``store`` (idempotent; see the module docstring).

    Args:
        store: the destination (either backend).
        tracking_uri: a ``mlruns`` directory, ``file://``, ``sqlite:///`` or other MLflow URI.
        registry_uri: the model registry (default: the tracking store).
        progress: called as ``progress(phase, done, total)``.

    Returns:
        The report: per entity, how many were new and how many were already known.

    Raises:
        InvalidInputError: ``tracking_uri`` names no store.
        AlreadyExistsError: a name (e.g. an experiment's) is taken in ``store`` by a node
            from elsewhere.
        UnavailableError: mlflow is not installed.

    Example:
        >>> report = import_mlflow(store, "mlruns")  # doctest: +SKIP
        >>> report.as_dict()["new"]  # doctest: +SKIP
        {'experiment': 2, 'run': 5, ...}
    """
    client = open_mlflow(tracking_uri, registry_uri)
    return _Import(store, client, progress).run()


class _Import:
    def __init__(self, store: Store, client: Any, progress: Progress | None) -> None:
        self.store = store
        self.client = client
        self.tick: Progress = progress or (lambda phase, done, total: None)
        self.report = MlflowImportReport()
        self.experiment_contexts: dict[str, Context] = {}  # experiment id -> context (no id)
        self.run_experiment: dict[str, str] = {}  # run id -> experiment id
        self.logged_models: dict[str, Any] = {}  # model id -> LoggedModel
        self.models_written: set[str] = set()  # external ids of Model artifacts written

    def run(self) -> MlflowImportReport:
        from mlflow.entities import ViewType

        _declare_types(self.store)
        experiments = list(
            _paged(
                lambda t: self.client.search_experiments(
                    view_type=ViewType.ALL, max_results=PAGE, page_token=t
                )
            )
        )
        experiments.sort(key=lambda e: (e.creation_time or 0, str(e.experiment_id)))
        for i, exp in enumerate(experiments, 1):
            self._experiment(exp)
            self.tick("experiments", i, len(experiments))
        for i, exp in enumerate(experiments, 1):
            self._logged_models(exp)
            self._runs(exp)
            self._orphan_models(exp)
            self.tick("runs", i, len(experiments))
        self._registry()
        return self.report

    # ---- experiments ---------------------------------------------------------------------

    def _experiment(self, exp: Any) -> None:
        ctx = Context(
            type=EXPERIMENT,
            name=str(exp.name),
            external_id=f"mlflow:experiment:{exp.experiment_id}",
            custom_properties={
                "start_time": int(exp.creation_time or 0),
                MLFLOW_STRUCT: _struct(
                    experiment_id=str(exp.experiment_id),
                    artifact_location=exp.artifact_location,
                    lifecycle_stage=exp.lifecycle_stage,
                    last_update_time=exp.last_update_time,
                    tags=dict(exp.tags or {}),
                ),
            },
        )
        stored = _ids(self.store, Kind.CONTEXT, [str(ctx.external_id)])
        node = _with_id(ctx, stored, self.report, "experiment")
        [ctx_id] = self.store.atomic(
            lambda w: w.put_contexts([node], reuse=False, skip_unchanged=True)
        )
        self.experiment_contexts[str(exp.experiment_id)] = ctx.model_copy(update={"id": ctx_id})

    # ---- models ------------------------------------------------------------------------------

    def _logged_models(self, exp: Any) -> None:
        search = getattr(self.client, "search_logged_models", None)
        if search is None:  # MLflow 2.x: models are read from the runs' history tags
            return
        for lm in _paged(
            lambda t: search(
                experiment_ids=[str(exp.experiment_id)], max_results=PAGE, page_token=t
            )
        ):
            self.logged_models[str(lm.model_id)] = lm

    def _model_artifact(self, lm: Any, run_metrics: dict[str, Value]) -> Artifact:
        files: list[dict[str, Any]] = []
        lister = getattr(self.client, "list_logged_model_artifacts", None)
        if lister is not None:
            try:
                files = [
                    {"path": f.path, "size": f.file_size, "is_dir": f.is_dir}
                    for f in lister(lm.model_id)
                ]
            except Exception:  # a model whose artifacts are gone is still the model
                files = []
        own = {m.key: _metric_value(m.value) for m in (lm.metrics or [])}
        status = getattr(lm.status, "value", lm.status)
        return Artifact(
            type=MODEL,
            name=f"{lm.name}@{lm.model_id}",
            uri=str(lm.artifact_location),
            external_id=f"mlflow:model:{lm.model_id}",
            state=_MODEL_STATES.get(str(status), ArtifactState.UNKNOWN),
            custom_properties={
                **run_metrics,
                **own,
                MLFLOW_STRUCT: _struct(
                    model_id=lm.model_id,
                    model_uri=lm.model_uri,
                    model_type=lm.model_type,
                    status=str(status),
                    source_run_id=lm.source_run_id,
                    creation_time=lm.creation_timestamp,
                    tags=dict(lm.tags or {}),
                    params=dict(lm.params or {}),
                    files=files,
                ),
            },
        )

    def _history_models(self, run: Any, run_metrics: dict[str, Value]) -> list[Artifact]:
        """MLflow 2.x models, from the ``mlflow.log-model.history`` tag."""
        history = _json(run.data.tags.get("mlflow.log-model.history"))
        out: list[Artifact] = []
        for entry in history if isinstance(history, list) else []:
            if not isinstance(entry, dict) or "artifact_path" not in entry:
                continue
            path = str(entry["artifact_path"])
            uri = f"runs:/{run.info.run_id}/{path}"
            out.append(
                Artifact(
                    type=MODEL,
                    name=f"{path}@{run.info.run_id}",
                    uri=f"{run.info.artifact_uri}/{path}",
                    external_id=f"mlflow:model:{uri}",
                    state=ArtifactState.LIVE,
                    custom_properties={
                        **run_metrics,
                        MLFLOW_STRUCT: _struct(
                            model_uri=uri,
                            flavors=entry.get("flavors"),
                            model_uuid=entry.get("model_uuid"),
                            created=entry.get("utc_time_created"),
                        ),
                    },
                )
            )
        return out

    def _orphan_models(self, exp: Any) -> None:
        """Logged models no run produced (``source_run_id`` empty): attributed to their
        experiment only."""
        orphans = [
            lm
            for lm in self.logged_models.values()
            if str(lm.experiment_id) == str(exp.experiment_id) and not lm.source_run_id
        ]
        if not orphans:
            return
        artifacts = [self._model_artifact(lm, {}) for lm in orphans]
        stored = _ids(self.store, Kind.ARTIFACT, [str(a.external_id) for a in artifacts])
        nodes = [_with_id(a, stored, self.report, "model") for a in artifacts]
        ctx = self.experiment_contexts[str(exp.experiment_id)]

        def work(w: WriteRules) -> None:
            ids = w.put_nodes(Kind.ARTIFACT, nodes, skip_unchanged=True)
            [ctx_id] = w.put_contexts([ctx], reuse=True)
            w.link_all(ids, [], [ctx_id])

        self.store.atomic(work)
        self.models_written.update(str(a.external_id) for a in artifacts)

    # ---- runs --------------------------------------------------------------------------------

    def _runs(self, exp: Any) -> None:
        from mlflow.entities import ViewType

        runs = list(
            _paged(
                lambda t: self.client.search_runs(
                    [str(exp.experiment_id)],
                    run_view_type=ViewType.ALL,
                    max_results=PAGE,
                    page_token=t,
                )
            )
        )
        runs.sort(key=lambda r: (r.info.start_time or 0, r.info.run_id))
        parents = {r.data.tags.get("mlflow.parentRunId") for r in runs} - {None}
        by_id = {r.info.run_id: r for r in runs}
        keys = sorted({k for r in runs for k in r.data.params})
        names = {k: property_name(k) for k in keys}
        self.report.renamed.update({f"param {k}": v for k, v in names.items() if v != k})
        if keys:
            [stored] = self.store.get_types(Kind.EXECUTION, [RUN])
            declared = dict.fromkeys(names.values(), PropertyType.STRING)
            if not declared.keys() <= stored.properties.keys():
                self.store.put_types(
                    [stored.model_copy(update={"properties": {**declared, **stored.properties}})]
                )
        for r in runs:
            self.run_experiment[r.info.run_id] = str(exp.experiment_id)
        for r in runs:
            self._run(exp, r, r.info.run_id in parents, by_id, names)

    def _parent_context(self, run_id: str, by_id: dict[str, Any]) -> Context:
        parent = by_id.get(run_id)
        name = parent.info.run_name if parent is not None else None
        return Context(
            type=PARENT_RUN,
            name=f"{name}/{run_id}" if name else run_id,
            external_id=f"mlflow:parent-run:{run_id}",
        )

    def _run(
        self, exp: Any, run: Any, is_parent: bool, by_id: dict[str, Any], names: dict[str, str]
    ) -> None:
        info, data = run.info, run.data
        run_id = str(info.run_id)
        tags = dict(data.tags or {})
        histories = {key: self.client.get_metric_history(run_id, key) for key in data.metrics}
        latest: dict[str, Value] = {k: _metric_value(v) for k, v in data.metrics.items()}
        custom: dict[str, Value] = {
            "start_time": int(info.start_time or 0),
            MLFLOW_STRUCT: _struct(
                run_id=run_id,
                run_name=info.run_name,
                user=info.user_id,
                artifact_uri=info.artifact_uri,
                lifecycle_stage=info.lifecycle_stage,
                tags=tags,
            ),
        }
        if info.end_time:
            custom["end_time"] = int(info.end_time)
        if latest:
            custom["metrics"] = dict(latest)
        if tags.get("mlflow.source.git.commit"):
            custom["git_commit"] = tags["mlflow.source.git.commit"]
        if tags.get("mlflow.source.name"):
            custom["step"] = tags["mlflow.source.name"]
        execution = Execution(
            type=RUN,
            name=f"{info.run_name}/{run_id}" if info.run_name else run_id,
            external_id=f"mlflow:run:{run_id}",
            last_known_state=_RUN_STATES.get(str(info.status), ExecutionState.UNKNOWN),
            properties={names[k]: str(v) for k, v in data.params.items()},
            custom_properties=custom,
        )
        items: list[tuple[Artifact, EventType, tuple[str | int, ...], int | None]] = []

        def add(
            artifact: Artifact, etype: EventType, path: tuple[str | int, ...], ts: int | None
        ) -> None:
            items.append((artifact, etype, path, ts))

        inputs = getattr(run, "inputs", None)
        for di in getattr(inputs, "dataset_inputs", None) or []:
            ds = di.dataset
            role = next((t.value for t in di.tags or [] if t.key == "mlflow.data.context"), "input")
            add(_dataset(ds), EventType.INPUT, (str(role), str(ds.name)), info.start_time)
        for mi in getattr(inputs, "model_inputs", None) or []:
            lm = self.logged_models.get(str(mi.model_id))
            if lm is not None:
                add(
                    self._model_artifact(lm, {}),
                    EventType.INPUT,
                    ("model", str(lm.name)),
                    info.start_time,
                )
        outputs = getattr(run, "outputs", None)
        model_outputs = list(getattr(outputs, "model_outputs", None) or [])
        seen_models: set[str] = set()
        for mo in model_outputs:
            lm = self.logged_models.get(str(mo.model_id))
            if lm is not None and str(lm.model_id) not in seen_models:
                seen_models.add(str(lm.model_id))
                add(
                    self._model_artifact(lm, latest),
                    EventType.OUTPUT,
                    ("model", str(lm.name)),
                    info.end_time,
                )
        # Models a run produced but did not list as outputs (or logged by MLflow 2.x).
        for lm in self.logged_models.values():
            if lm.source_run_id == run_id and str(lm.model_id) not in seen_models:
                seen_models.add(str(lm.model_id))
                add(
                    self._model_artifact(lm, latest),
                    EventType.OUTPUT,
                    ("model", str(lm.name)),
                    info.end_time,
                )
        if not seen_models:
            for model in self._history_models(run, latest):
                add(
                    model, EventType.OUTPUT, ("model", str(model.name).split("@")[0]), info.end_time
                )
        if latest:
            add(_metrics(run_id, latest, histories), EventType.OUTPUT, ("metrics",), info.end_time)
        for f in self._run_files(run_id):
            add(
                Artifact(
                    type=FILE,
                    name=f"{run_id}/{f.path}",
                    uri=f"{info.artifact_uri}/{f.path}",
                    external_id=f"mlflow:run-artifact:{run_id}/{f.path}",
                    state=ArtifactState.LIVE,
                    custom_properties=_struct(size=f.file_size, is_dir=f.is_dir),
                ),
                EventType.OUTPUT,
                ("artifacts", str(f.path)),
                info.end_time,
            )

        contexts: list[Context] = []
        parent_links: list[tuple[int, int]] = []  # (child index, parent index) in contexts
        experiment = self.experiment_contexts[str(exp.experiment_id)]
        parent_id = tags.get("mlflow.parentRunId")
        if parent_id:
            contexts.append(self._parent_context(parent_id, by_id))
        else:
            contexts.append(experiment)
        if is_parent:
            contexts.append(self._parent_context(run_id, by_id))
        link_to = [*contexts, experiment]
        for i, ctx in enumerate(contexts):
            if ctx.type == PARENT_RUN:
                owner = ctx.external_id.split(":", 2)[2] if ctx.external_id else ""
                grand = by_id[owner].data.tags.get("mlflow.parentRunId") if owner in by_id else None
                target = self._parent_context(grand, by_id) if grand else experiment
                link_to.append(target)
                parent_links.append((i, len(link_to) - 1))

        stored_exec = _ids(self.store, Kind.EXECUTION, [str(execution.external_id)])
        execution = _with_id(execution, stored_exec, self.report, "run")
        self._write(execution, items, link_to, len(contexts), parent_links)

    def _write(
        self,
        execution: Execution,
        items: list[tuple[Artifact, EventType, tuple[str | int, ...], int | None]],
        contexts: list[Context],
        n_own: int,
        parent_links: Sequence[tuple[int, int]] = (),
    ) -> None:
        """An execution with its artifacts, events and contexts: one transaction.

        Outputs and datasets are written (updated by id when known, written only if changed);
        input models are linked as stored (their producing run wrote them). The execution and
        its artifacts belong to the first ``n_own`` contexts; ``parent_links`` are CHILD_OF
        links by index into ``contexts``.
        """
        stored = _ids(self.store, Kind.ARTIFACT, [str(a.external_id) for a, *_ in items])
        written: list[Artifact] = []
        linked: list[Artifact] = []
        for a, etype, *_ in items:
            if etype is EventType.INPUT and a.type == MODEL:
                linked.append(a)
            else:
                written.append(self._artifact_with_id(a, stored))

        def work(w: WriteRules) -> None:
            ctx_ids = w.put_contexts(contexts, reuse=True, link_existing=True)
            [execution_id] = w.put_nodes(Kind.EXECUTION, [execution], skip_unchanged=True)
            written_ids = w.put_nodes(Kind.ARTIFACT, written, skip_unchanged=True)
            linked_ids = w.put_nodes(Kind.ARTIFACT, linked, link_existing=True)
            ids = iter(written_ids)
            links = iter(linked_ids)
            events = [
                Event(
                    artifact_id=next(links)
                    if etype is EventType.INPUT and a.type == MODEL
                    else next(ids),
                    execution_id=execution_id,
                    type=etype,
                    path=path,
                    timestamp=ts,
                )
                for a, etype, path, ts in items
            ]
            w.put_events(events)
            w.link_all([*written_ids, *linked_ids], [execution_id], ctx_ids[:n_own])
            w.put_parents(
                [
                    ParentContext(child_id=ctx_ids[c], parent_id=ctx_ids[p])
                    for c, p in parent_links
                    if ctx_ids[c] != ctx_ids[p]
                ]
            )

        self.store.atomic(work)
        self.models_written.update(str(a.external_id) for a in written if a.type == MODEL)

    def _artifact_with_id(self, a: Artifact, stored: dict[str, Node]) -> Artifact:
        entity = {
            DATASET: "dataset",
            MODEL: "model",
            METRICS: "metrics",
            FILE: "run_artifact",
            PUSHED_MODEL: "model_version",
        }.get(a.type, a.type)
        return _with_id(a, stored, self.report, entity)  # type: ignore[no-any-return]

    def _run_files(self, run_id: str) -> list[Any]:
        try:
            return list(self.client.list_artifacts(run_id))
        except Exception:  # an unreachable artifact store still leaves the run's history
            return []

    # ---- the registry --------------------------------------------------------------------------

    def _registry(self) -> None:
        try:
            registered = list(
                _paged(
                    lambda t: self.client.search_registered_models(max_results=PAGE, page_token=t)
                )
            )
        except Exception as exc:
            if "registry" in str(exc).lower() or "not supported" in str(exc).lower():
                return  # a tracking store without a registry
            raise
        for i, rm in enumerate(sorted(registered, key=lambda m: str(m.name)), 1):
            self._registered_model(rm)
            self.tick("registry", i, len(registered))

    def _registered_model(self, rm: Any) -> None:
        aliases = {str(a): int(v) for a, v in (rm.aliases or {}).items()}
        ctx = Context(
            type=REGISTERED_MODEL,
            name=str(rm.name),
            external_id=f"mlflow:registered-model:{rm.name}",
            custom_properties={
                "aliases": aliases,
                MLFLOW_STRUCT: _struct(
                    description=rm.description,
                    tags=dict(rm.tags or {}),
                    creation_time=rm.creation_timestamp,
                    last_updated_time=rm.last_updated_timestamp,
                ),
            },
        )
        stored = _ids(self.store, Kind.CONTEXT, [str(ctx.external_id)])
        ctx = _with_id(ctx, stored, self.report, "registered_model")
        escaped = str(rm.name).replace("'", "\\'")
        versions = list(
            _paged(
                lambda t: self.client.search_model_versions(
                    f"name='{escaped}'", max_results=PAGE, page_token=t
                )
            )
        )
        versions.sort(key=lambda v: int(v.version))
        by_version: dict[int, list[str]] = {}
        for alias, version in aliases.items():
            by_version.setdefault(version, []).append(alias)
        self.store.atomic(lambda w: w.put_contexts([ctx], reuse=False, skip_unchanged=True))
        ctx_node = self.store.get_contexts_by_external_ids([str(ctx.external_id)])[0]
        # One transaction per version, oldest first: the store's creation order is the
        # registry's (``last_deployed`` picks the newest).
        for mv in versions:
            self._version(ctx_node, mv, sorted(by_version.get(int(mv.version), [])))

    def _source_model(self, mv: Any) -> Artifact:
        model_id = getattr(mv, "model_id", None)
        source = str(mv.source or "")
        if not model_id and source.startswith("models:/m-"):
            model_id = source[len("models:/") :].split("/", 1)[0]
        if model_id and str(model_id) in self.logged_models:
            return self._model_artifact(self.logged_models[str(model_id)], {})
        uri = source
        if source.startswith("runs:/"):
            external_id = f"mlflow:model:{source}"
        else:
            external_id = f"mlflow:model-source:{source}"
        return Artifact(
            type=MODEL,
            name=f"{mv.name}-source@{source}",
            uri=uri or None,
            external_id=external_id,
            state=ArtifactState.LIVE,
            custom_properties={MLFLOW_STRUCT: _struct(source=source, run_id=mv.run_id)},
        )

    def _version(self, registered: Context, mv: Any, aliases: list[str]) -> None:
        model = self._source_model(mv)
        execution, pushed = version_as_deployment(mv, aliases)
        contexts: list[Context] = [registered]
        exp_id = self.run_experiment.get(str(mv.run_id or ""))
        if exp_id is not None:
            contexts.append(self.experiment_contexts[exp_id])
        stored_exec = _ids(self.store, Kind.EXECUTION, [str(execution.external_id)])
        execution = _with_id(execution, stored_exec, self.report, "registration")
        ts = int(mv.creation_timestamp or 0) or None
        self._write(
            execution,
            [
                (model, EventType.INPUT, ("model",), ts),
                (pushed, EventType.OUTPUT, ("model_version",), ts),
            ],
            contexts,
            len(contexts),
        )


def version_as_deployment(mv: Any, aliases: Sequence[str]) -> tuple[Execution, Artifact]:
    """How a registered model version is recorded today: the one place to change when
    deployments become events in time (DESIGN: deployments and aliases).

    A version is a push to the registry: a ``PushedModel`` artifact ``<name>/v<version>``
    (uri ``models:/<name>/<version>``) produced by an ``mlflow.RegisterModelVersion``
    execution whose input is the version's source Model, both attributed to the
    ``mlflow.RegisteredModel`` context (and the source run's experiment). Versions are written
    oldest first, so ``questions.last_deployed`` answers the newest version. The version's
    stage (``stage``) and the aliases naming it (``aliases``) are properties of the
    PushedModel; the registered model's context has ``aliases`` {alias: version}.
    """
    version = int(mv.version)
    artifact_state, execution_state = _VERSION_STATES.get(
        str(mv.status), (ArtifactState.UNKNOWN, ExecutionState.UNKNOWN)
    )
    created = int(mv.creation_timestamp or 0)
    pushed = Artifact(
        type=PUSHED_MODEL,
        name=f"{mv.name}/v{version}",
        uri=f"models:/{mv.name}/{version}",
        external_id=f"mlflow:model-version:{mv.name}/{version}",
        state=artifact_state,
        custom_properties={
            "version": version,
            "stage": str(mv.current_stage or "None"),
            "aliases": list(aliases),
            MLFLOW_STRUCT: _struct(
                source=mv.source,
                run_id=mv.run_id,
                status=mv.status,
                description=mv.description,
                tags=dict(mv.tags or {}),
                creation_time=created,
                last_updated_time=mv.last_updated_timestamp,
            ),
        },
    )
    execution = Execution(
        type=REGISTER,
        name=f"{mv.name}/v{version}",
        external_id=f"mlflow:register:{mv.name}/{version}",
        last_known_state=execution_state,
        custom_properties={"start_time": created},
    )
    return execution, pushed


def _dataset(ds: Any) -> Artifact:
    source = _json(ds.source)
    uri = None
    if isinstance(source, dict):
        for key in ("uri", "path", "url", "table_name"):
            if isinstance(source.get(key), str):
                uri = source[key]
                break
    return Artifact(
        type=DATASET,
        name=f"{ds.name}@{ds.digest}",
        uri=uri,
        external_id=f"mlflow:dataset:{ds.name}@{ds.digest}",
        state=ArtifactState.LIVE,
        custom_properties={
            "digest": str(ds.digest),
            MLFLOW_STRUCT: _struct(
                source_type=ds.source_type,
                source=source,
                schema=_json(ds.schema),
                profile=_json(ds.profile),
            ),
        },
    )


def _metrics(run_id: str, latest: dict[str, Value], histories: dict[str, Any]) -> Artifact:
    history = {
        key: [
            [int(m.step), int(m.timestamp), _metric_value(m.value)]
            for m in sorted(ms, key=lambda m: (m.step, m.timestamp))
        ]
        for key, ms in histories.items()
    }
    return Artifact(
        type=METRICS,
        name=f"metrics/{run_id}",
        external_id=f"mlflow:metrics:{run_id}",
        state=ArtifactState.LIVE,
        custom_properties={**latest, "history": history},
    )
