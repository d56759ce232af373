"""``with run(pipeline=..., name=...) as r:`` - the scope in which ``@step`` calls are recorded.

A run is a ``PipelineRun`` context, CHILD_OF a ``Pipeline`` context (both created on first use,
reused by name afterwards). Every step execution inside it is associated with both.
"""

from __future__ import annotations

import secrets
import sys
import time
import warnings
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Self

from ..errors import InvalidInputError
from ..models import (
    AnyType,
    ArtifactType,
    Context,
    ContextType,
    ExecutionState,
    ExecutionType,
    Kind,
    ParentContext,
    PropertyType,
    Value,
    type_label,
)
from . import fields
from .environment import environment_properties

if TYPE_CHECKING:
    from ..store.base import Store

_current_run: ContextVar[Run | None] = ContextVar("lineage_graph_run", default=None)
# Metrics sink of the step being executed (None outside a step body).
_current_metrics: ContextVar[dict[str, Value] | None] = ContextVar(
    "lineage_graph_step_metrics", default=None
)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class StepRecord:
    """One recorded step call of this run (for callers and tests; the store has the truth)."""

    step: str
    execution_id: int
    state: ExecutionState
    cache_of: int | None = None
    output_ids: list[int] = field(default_factory=list)


class Run:
    """An open pipeline run. Obtain with ``run(...)``; do not construct directly."""

    def __init__(
        self,
        store: Store,
        *,
        pipeline: str,
        name: str,
        memoize: bool,
        owns_store: bool,
        caller_file: str | None,
    ) -> None:
        self.store = store
        self.pipeline = pipeline
        self.name = name
        self.memoize = memoize
        self.caller_file = caller_file
        self.records: list[StepRecord] = []
        self.metrics: dict[str, Value] = {}
        self._owns_store = owns_store
        self._token: Token[Run | None] | None = None
        self.resumed = False
        self._declared: dict[tuple[Kind, str], dict[str, PropertyType]] = {}
        # Called before the run's end is recorded (autolog flushes its pending writes here).
        self.on_exit: list[Callable[[], None]] = []
        self.pipeline_context: Context
        self.run_context: Context

    # ---- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> Self:
        try:
            self._open()
        except BaseException:
            if self._owns_store:
                self.store.close()
            raise
        self._token = _current_run.set(self)
        return self

    def _open(self) -> None:
        self.ensure_type(Kind.CONTEXT, fields.PIPELINE)
        self.ensure_type(Kind.CONTEXT, fields.PIPELINE_RUN)
        self.pipeline_context = self._get_or_create(Context(type=fields.PIPELINE,
                                                            name=self.pipeline))
        env = environment_properties(self.caller_file)
        started = now_ms()
        run_ctx = self._get_or_create(
            Context(type=fields.PIPELINE_RUN, name=self.name,
                    custom_properties={fields.RUN_STATE: "RUNNING",
                                       fields.START_TIME: started, **env})
        )
        # A run context we did not just create is a resumed run: its executions may exist.
        self.resumed = run_ctx.custom_properties.get(fields.START_TIME) != started
        if run_ctx.custom_properties.get(fields.RUN_STATE) != "RUNNING":
            run_ctx = self._update_context(run_ctx, {fields.RUN_STATE: "RUNNING"})
        self.run_context = run_ctx
        assert run_ctx.id is not None and self.pipeline_context.id is not None
        self.store.put_parent_contexts(
            [ParentContext(child_id=run_ctx.id, parent_id=self.pipeline_context.id)]
        )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._token is not None:
                _current_run.reset(self._token)
            update: dict[str, Value] = {
                fields.RUN_STATE: "FAILED" if exc is not None else "COMPLETE",
                fields.END_TIME: now_ms(),
            }
            if self.metrics:
                update[fields.RUN_METRICS] = dict(self.metrics)
            try:
                for callback in self.on_exit:
                    callback()
                self.run_context = self._update_context(self.run_context, update)
            except Exception as record_error:
                if exc is None:
                    raise
                # The user's exception is the news; a store problem must not replace it.
                warnings.warn(f"lineage-graph could not record the end of run {self.name!r}: "
                              f"{record_error}", RuntimeWarning, stacklevel=2)
        finally:
            if self._owns_store:
                self.store.close()

    # ---- user API -------------------------------------------------------------------------

    def log_metric(self, name: str, value: float | str | bool) -> None:
        """Record a metric: on the step being executed, else on this run's context.

        Raises:
            InvalidInputError: ``value`` is not a number, string or bool.
        """
        log_metric(name, value, _run=self)

    def log_metrics(self, metrics: dict[str, float | int | str | bool]) -> None:
        """``log_metric`` for each item."""
        for k, v in metrics.items():
            self.log_metric(k, v)

    # ---- helpers used by steps -------------------------------------------------------------

    def ensure_type(
        self, kind: Kind, name: str, properties: dict[str, PropertyType] | None = None
    ) -> dict[str, PropertyType]:
        """Make sure the type exists declaring at least the compatible ``properties``.

        Returns:
            The properties the stored type declares (a property whose stored value type
            differs is not redeclared: the caller records that value as a custom property).
        """
        try:
            type_label(name)
        except ValueError as exc:
            raise InvalidInputError(str(exc), field="type", value=name) from exc
        wanted = dict(properties or {})
        key = (kind, name)
        known = self._declared.get(key)
        if known is None:
            stored = self.store.get_types(kind, [name])
            known = dict(stored[0].properties) if stored else {}
            if not stored:
                self._put_type(kind, name, {})
            self._declared[key] = known
        missing = {k: v for k, v in wanted.items() if k not in known}
        if missing:
            self._put_type(kind, name, {**known, **missing})
            known.update(missing)
        return known

    def _put_type(self, kind: Kind, name: str, props: dict[str, PropertyType]) -> None:
        t: AnyType
        if kind is Kind.ARTIFACT:
            t = ArtifactType(name=name, properties=props)
        elif kind is Kind.EXECUTION:
            t = ExecutionType(name=name, properties=props)
        else:
            t = ContextType(name=name, properties=props)
        self.store.put_types([t], can_add_fields=True)

    def _get_or_create(self, ctx: Context) -> Context:
        """The stored context of this type and name, created as ``ctx`` if there is none.

        One transaction, so two processes opening the same run get the same context.
        """
        [context_id] = self.store.atomic(lambda w: w.put_contexts([ctx], reuse=True))
        return self.store.get_contexts_by_id([context_id])[0]

    def _update_context(self, ctx: Context, update: dict[str, Value]) -> Context:
        new = ctx.model_copy(update={"custom_properties": {**ctx.custom_properties, **update}})
        self.store.put_contexts([new])
        assert ctx.id is not None
        return self.store.get_contexts_by_id([ctx.id])[0]


def log_metric(
    name: str, value: float | str | bool, *, _run: Run | None = None
) -> None:
    """Record a metric on the current step (or the current run outside steps).

    Raises:
        InvalidInputError: no run is open, or ``value`` is not a number, string or bool.
    """
    if not isinstance(value, (int, float, str, bool)):
        # numpy scalars are common here: accept what converts exactly to a Python scalar.
        item = getattr(value, "item", None)
        value = item() if callable(item) else value
        if not isinstance(value, (int, float, str, bool)):
            raise InvalidInputError(
                f"metric {name!r} must be a number, string or bool, not {type(value).__name__}",
                field="value", value=value,
            )
    sink = _current_metrics.get()
    if sink is not None:
        sink[name] = value
        return
    run_ = _run or _current_run.get()
    if run_ is None:
        raise InvalidInputError("log_metric needs an open run (with lineage_graph.run(...))",
                                field="run", value=None)
    run_.metrics[name] = value


def current_run() -> Run | None:
    """The innermost open run of this thread/task, if any."""
    return _current_run.get()


def run(
    pipeline: str,
    name: str | None = None,
    *,
    store: Store | None = None,
    memoize: bool = True,
) -> Run:
    """Open a pipeline run; use as a context manager.

    Args:
        pipeline: the pipeline's name (a ``Pipeline`` context, reused across runs).
        name: the run's name (a ``PipelineRun`` context); default ``<pipeline>-<utc time>-<hex>``.
            Reusing a name resumes that run (new executions join it).
        store: where to record; default ``lineage_graph.connect()`` (closed on exit).
        memoize: allow cache hits for this run's steps (``False`` = re-run every step).

    Returns:
        The run (enter it with ``with``).

    Example:
        >>> with run(pipeline="wine", store=MemoryStore()) as r:  # doctest: +SKIP
        ...     model = train(Dataset("train.csv"), C=1.0)
    """
    if not pipeline or not isinstance(pipeline, str):
        raise InvalidInputError("pipeline must be a non-empty string", field="pipeline",
                                value=pipeline)
    caller = sys._getframe(1).f_code.co_filename  # the caller's repository is recorded
    owns = store is None
    if store is None:
        from ..connection import connect  # lazy: only a default run needs a server

        store = connect()
    run_name = name or (
        f"{pipeline}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{secrets.token_hex(3)}"
    )
    return Run(store, pipeline=pipeline, name=run_name, memoize=memoize, owns_store=owns,
               caller_file=caller)


def metrics_sink() -> ContextVar[dict[str, Value] | None]:
    """The context variable steps set while their body runs (used by ``step``)."""
    return _current_metrics
