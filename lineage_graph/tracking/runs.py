"""``with run(pipeline=..., name=...) as r:`` - the scope in which ``@step`` calls are recorded.

A run is a ``PipelineRun`` context, CHILD_OF a ``Pipeline`` context (the pipeline is created on
first use and reused by name). Every step execution inside it is associated with both.

A run's ``state`` is ``RUNNING`` from the moment it is opened, then ``COMPLETE`` or ``FAILED``
when its ``with`` block ends. A process that dies (``kill -9``, power loss) never ends its run:
it stays ``RUNNING``, with ``opened_by`` naming the host and pid that opened it.

Names are never reused by accident: opening a name that exists is ``RunExistsError`` unless
``resume=True``, whatever its state - finished (``COMPLETE``/``FAILED``), in progress in
another process, or interrupted (its process is gone). The message says which (a pid is only
checked on the same host; elsewhere the run may be in progress). ``resume=True`` joins the run
(new executions are added to it, named ``<run>/<step>#2``... after those already there), and
starts it if it does not exist, so an idempotent handler can always pass it. Several
processes may write into one run with ``resume=True``; its ``state`` is then set by whichever
ends last.

A run that fails prints one line to stderr: its name, its reference and the
``lineage-graph why-failed c:ID`` command that explains it; the exception propagates unchanged.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
import time
import warnings
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Self

from ..errors import AlreadyExistsError, InvalidInputError
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


class RunExistsError(AlreadyExistsError):
    """``run(name=...)`` names a run that exists and ``resume=True`` was not given.

    ``name`` is the run, ``state`` its recorded state (``COMPLETE``, ``FAILED``, ``RUNNING``).
    """

    def __init__(self, message: str, *, name: str, state: str | None) -> None:
        super().__init__(message)
        self.field = "name"
        self.name = name
        self.state = state


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
        resume: bool = False,
    ) -> None:
        self.store = store
        self.pipeline = pipeline
        self.name = name
        self.memoize = memoize
        self.resume = resume
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
        if not self.resume:  # refuse before writing anything (the pipeline may be new)
            taken = self.store.get_context_by_type_and_name(fields.PIPELINE_RUN, self.name)
            if taken is not None:
                raise _exists_error(self.name, taken)
        self.pipeline_context = self._get_or_create(Context(type=fields.PIPELINE,
                                                            name=self.pipeline))
        env = environment_properties(self.caller_file)
        opened_by = _opener()
        run_ctx = self._get_or_create(
            Context(type=fields.PIPELINE_RUN, name=self.name,
                    custom_properties={fields.RUN_STATE: "RUNNING", fields.START_TIME: now_ms(),
                                       fields.OPENED_BY: opened_by, **env})
        )
        # A run context we did not just create (the nonce in opened_by is ours alone) existed:
        # only resume=True may add to it, and its executions may already hold our names.
        self.resumed = run_ctx.custom_properties.get(fields.OPENED_BY) != opened_by
        assert run_ctx.id is not None and self.pipeline_context.id is not None
        if self.resumed:
            if not self.resume:
                raise _exists_error(self.name, run_ctx)
            owners = [c.name for c in self.store.get_parent_contexts(run_ctx.id)
                      if c.type == fields.PIPELINE and c.name != self.pipeline]
            if owners:
                raise InvalidInputError(
                    f"run {self.name!r} belongs to pipeline {owners[0]!r}, not "
                    f"{self.pipeline!r}: resume it with pipeline={owners[0]!r} or choose "
                    f"another name", field="pipeline", value=self.pipeline)
            run_ctx = self._update_context(run_ctx, {fields.RUN_STATE: "RUNNING",
                                                     fields.OPENED_BY: opened_by})
        self.run_context = run_ctx
        assert run_ctx.id is not None
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
            if exc is not None:
                sys.stderr.write(self.failure_hint(exc) + "\n")
        finally:
            if self._owns_store:
                self.store.close()

    def failure_hint(self, exc: BaseException) -> str:
        """The line a failing run prints: its name, reference and the command that explains it.

        Example: ``lineage-graph: run 'run-7' (c:12) failed in step 'train' (e:40):
        ValueError: bad C; see why: lineage-graph why-failed c:12``
        """
        ref = f"c:{self.run_context.id}"
        failed = [r for r in self.records if r.state in _FAILED_STATES]
        where = (f" in step {failed[-1].step!r} (e:{failed[-1].execution_id})" if failed
                 else "")
        message = (str(exc).strip().splitlines() or [""])[0]
        if len(message) > _HINT_MESSAGE_CHARS:
            message = message[:_HINT_MESSAGE_CHARS - 1] + "\u2026"
        error = type(exc).__name__ + (f": {message}" if message else "")
        return (f"lineage-graph: run {self.name!r} ({ref}) failed{where}: {error}; "
                f"see why: lineage-graph why-failed {ref}")

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


_FAILED_STATES = frozenset({ExecutionState.FAILED, ExecutionState.CANCELED})
_HINT_MESSAGE_CHARS = 200


def _opener() -> str:
    """``<host>/<pid>/<nonce>``: who opens a run now (the nonce tells two openings apart)."""
    return f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(4)}"


def _owner(opened_by: object) -> tuple[str, str]:
    """``(host, pid)`` of an ``opened_by`` value (empty strings when absent or malformed)."""
    if not isinstance(opened_by, str) or opened_by.count("/") < 2:
        return "", ""
    host, pid, _ = opened_by.rsplit("/", 2)
    return host, pid


def _alive(opened_by: object) -> bool | None:
    """Is the process that opened a run alive? None when it cannot be told (another host)."""
    host, pid = _owner(opened_by)
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)  # signal 0: existence check only
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True


def _exists_error(name: str, ctx: Context) -> RunExistsError:
    custom = ctx.custom_properties
    state = custom.get(fields.RUN_STATE)
    opened_by = custom.get(fields.OPENED_BY)
    how = "pass resume=True to add to it, or choose another name"
    if state in ("COMPLETE", "FAILED"):
        ended = custom.get(fields.END_TIME)
        when = (f" at {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(ended / 1000))}"
                if isinstance(ended, int) else "")
        why = f"already finished {state}{when}"
    elif state == "RUNNING":
        host, pid = _owner(opened_by)
        alive = _alive(opened_by)
        if alive is False:
            why = f"was interrupted: its process (pid {pid} on {host}) is gone and never ended it"
            how = "pass resume=True to continue it, or choose another name"
        elif alive and pid == str(os.getpid()) and host == socket.gethostname():
            why = "is open in this process (a run inside itself?)"
        elif alive:
            why = f"is in progress in another process (pid {pid} on {host})"
            how = "pass resume=True to write into it too, or choose another name"
        else:
            why = (f"is RUNNING, opened by pid {pid} on {host}: in progress there, or "
                   f"interrupted" if pid else "is RUNNING (in progress elsewhere, or interrupted)")
    else:
        why = f"already exists (state {state!r})"
    return RunExistsError(f"run {name!r} {why}; {how}", name=name,
                          state=state if isinstance(state, str) else None)


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
    resume: bool = False,
) -> Run:
    """Open a pipeline run; use as a context manager.

    Args:
        pipeline: the pipeline's name (a ``Pipeline`` context, reused across runs).
        name: the run's name (a ``PipelineRun`` context); default ``<pipeline>-<utc time>-<hex>``.
            A name that is already taken is refused unless ``resume=True``.
        store: where to record; default ``lineage_graph.connect()`` (closed on exit).
        memoize: allow cache hits for this run's steps (``False`` = re-run every step).
        resume: join the run called ``name`` if it exists (finished, in progress elsewhere or
            interrupted: new executions are added to it), else start it.

    Returns:
        The run (enter it with ``with``).

    Raises:
        RunExistsError: on entering, when ``name`` exists and ``resume`` is false (the message
            says whether it finished, is in progress or was interrupted).
        InvalidInputError: ``pipeline`` is empty, or on entering, ``resume=True`` names a run
            of another pipeline.

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
               caller_file=caller, resume=resume)


def metrics_sink() -> ContextVar[dict[str, Value] | None]:
    """The context variable steps set while their body runs (used by ``step``)."""
    return _current_metrics
