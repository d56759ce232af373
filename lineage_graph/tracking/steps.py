"""``@step``: record one Execution per call, skip calls whose result is already known.

Inside ``with run(...)``, each call of a step function becomes one ``put_execution`` (the
execution, its input and output artifacts with their events, and its links to the run and
pipeline contexts: one transaction). Outside a run the function is simply called.

What is recorded, from the call itself:

* parameters: simple-valued arguments (bool, int, float, str, JSON lists/dicts) become the
  execution's declared properties (its ``ExecutionType`` declares them); ``None`` is omitted;
* inputs: arguments that are artifact handles or ``Path`` objects (or lists of them), and
  arguments named in ``inputs=`` (a local input that does not exist is refused with
  ``MissingInputError`` naming the parameter and path, and recorded as a FAILED call, unless
  its handle says ``optional=True``; non-local URIs are not checked); outputs: handles/paths
  in the return value, arguments named in ``outputs=`` (paths the step writes), fixed handles
  listed in ``outputs=``, and a ``Metrics`` artifact when the step logged metrics;
* metrics logged with ``log_metric`` during the call: on the execution (``metrics``), as a
  ``Metrics`` output artifact, and on the call's output ``Model`` artifacts;
* the environment and code (see ``fields``), timings, and on an exception its type, message and
  the last lines of its traceback (state FAILED; the exception is re-raised unchanged).

Memoization: the key is the step type and name, the code hash, the inputs' content fingerprints,
the parameters and the declared output locations. A COMPLETE execution with that key whose
outputs are all still on disk with their recorded fingerprints is a hit: the step is not run,
its recorded result is returned, and a CACHED execution (``cache_of`` = the original's id, OUTPUT
events to the same artifacts) is recorded. The lookup goes through the store, so it works across
processes. ``memoize=False`` on the step (or ``run(memoize=False)``) always runs.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import json
import re
import traceback
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Generic, ParamSpec, TypeVar, overload

from ..errors import AlreadyExistsError, InvalidInputError
from ..models import (
    TYPE_NAME_PATTERN,
    Artifact,
    ArtifactAndEvent,
    ArtifactState,
    EventType,
    Execution,
    ExecutionState,
    Kind,
    ListOptions,
    PathStep,
    PropertyFilter,
    PropertyType,
    PutExecutionResult,
    Reuse,
    Value,
    type_label,
)
from ..store.rules import WriteRules
from . import fields
from .codehash import code_hash, defining_file, file_hash
from .encoding import NotEncodable, as_property, decode, encode, handles_in, property_type
from .environment import environment_properties
from .fingerprint import Fingerprint, fingerprint
from .handles import ArtifactRef, MissingInputError, MissingInputWarning, as_ref
from .runs import Run, StepRecord, current_run, metrics_sink, now_ms

P = ParamSpec("P")
R = TypeVar("R")

TRACEBACK_LINES = 20
# Output artifact types that also carry the metrics logged by the step producing them.
MODEL_TYPES: frozenset[str] = frozenset({fields.MODEL})
# Results larger than this (JSON characters) are not kept: return artifacts instead.
RETURN_VALUE_LIMIT = 64 * 1024
# How many earlier executions with the same key are checked for surviving outputs.
_HIT_CANDIDATES = 5

ArtifactSpec = str | type[ArtifactRef]


def _type_of(spec: ArtifactSpec | None) -> str | None:
    if spec is None or isinstance(spec, str):
        return spec
    return spec.type_name


@dataclass
class _Slot:
    """One artifact of a call: its event path, handle and (local, existing) fingerprint."""

    path: tuple[PathStep, ...]
    ref: ArtifactRef
    fp: Fingerprint | None = None

    def measure(self) -> None:
        if self.ref.path is not None and self.ref.path.exists():
            self.fp = fingerprint(self.ref.path)

    def version(self) -> str | None:
        """What identifies this artifact's content, or None when unknown."""
        if self.fp is not None:
            return self.fp.digest
        if self.ref.path is None:
            return self.ref.fingerprint or f"uri:{self.ref.uri}"
        return None

    def to_artifact(self) -> Artifact:
        custom: dict[str, Value] = dict(self.ref.properties)
        version = self.version()
        state = ArtifactState.LIVE
        if self.fp is not None:
            custom.update({fields.FINGERPRINT: self.fp.digest, fields.SIZE: self.fp.size,
                           fields.PATH_KIND: self.fp.kind})
        elif self.ref.path is not None:
            state = ArtifactState.ABANDONED  # a local path that does not exist
        elif self.ref.fingerprint:
            custom[fields.FINGERPRINT] = self.ref.fingerprint
        # Same type + location + content -> the same artifact (found by external id); the
        # name shows the version, so readers comparing inputs by name see a changed dataset.
        digest = self.fp.digest if self.fp is not None else self.ref.fingerprint
        external_id = name = None
        if version is not None:
            external_id = f"{self.ref.type}:{self.ref.uri}" + (f"@{digest}" if digest else "")
            name = self.ref.uri + (f"@{digest.split(':')[-1][:16]}" if digest else "")
        return Artifact(type=self.ref.type, uri=self.ref.uri, name=name, state=state,
                        external_id=external_id, custom_properties=custom)


def artifact_of(ref: ArtifactRef, fp: Fingerprint | None = None) -> Artifact:
    """The artifact a step records for ``ref`` (a local path measured now unless ``fp`` is
    given): autolog records data and models exactly as ``@step`` does."""
    slot = _Slot((), ref, fp)
    if fp is None:
        slot.measure()
    return slot.to_artifact()


@dataclass
class _Call:
    params: dict[str, Value] = field(default_factory=dict)
    key_params: dict[str, Any] = field(default_factory=dict)
    inputs: list[_Slot] = field(default_factory=list)
    outputs: list[_Slot] = field(default_factory=list)
    unrecorded: dict[str, str] = field(default_factory=dict)
    memo_key: str | None = None
    start: int = 0


class Step(Generic[P, R]):
    """A recorded step; created by ``@step``. Call it like the function it wraps.

    ``fn`` is looked up on every call, so tests may wrap it to count real invocations.
    """

    def __init__(
        self,
        fn: Callable[P, R],
        *,
        name: str | None = None,
        type: str | None = None,
        memoize: bool = True,
        inputs: Sequence[str] | Mapping[str, ArtifactSpec] | None = None,
        outputs: Sequence[str | ArtifactRef] | Mapping[str, ArtifactSpec] | None = None,
    ) -> None:
        if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
            raise InvalidInputError("@step records synchronous functions only",
                                    field="fn", value=getattr(fn, "__name__", fn))
        self.fn = fn
        self.name = name or fn.__name__
        self.type = type or _default_type(self.name)
        try:
            type_label(self.type)
        except ValueError as exc:
            raise InvalidInputError(str(exc), field="type", value=self.type) from exc
        self.memoize = memoize
        self.signature = inspect.signature(fn)
        self.input_args: dict[str, str | None] = _arg_specs(inputs)
        self.output_args: dict[str, str | None] = {}
        self.fixed_outputs: list[ArtifactRef] = []
        if isinstance(outputs, Mapping):
            self.output_args = _arg_specs(outputs)
        else:
            for o in outputs or ():
                if isinstance(o, ArtifactRef):
                    self.fixed_outputs.append(o)
                else:
                    self.output_args[o] = None
        for arg in [*self.input_args, *self.output_args]:
            if arg not in self.signature.parameters:
                raise InvalidInputError(f"step {self.name!r} has no argument {arg!r}",
                                        field="inputs/outputs", value=arg)
        self.code_file = defining_file(fn)
        self._code_hash: str | None = None
        functools.update_wrapper(self, fn)
        self.__lg_step__ = self

    @property
    def code_hash(self) -> str:
        """Hash of the step's code (computed once per process)."""
        if self._code_hash is None:
            self._code_hash = code_hash(self.fn)
        return self._code_hash

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        run_ = current_run()
        if run_ is None:
            return self.fn(*args, **kwargs)
        call = self._prepare(run_, args, kwargs)
        missing = self._missing_inputs(call)
        if missing is not None:
            # Recorded as a FAILED call (without the missing path, which would otherwise be an
            # unnamed ABANDONED artifact) so that ``why-failed`` on the run explains it.
            try:
                self._record_failed(run_, call, missing, {})
            except Exception as record_error:
                warnings.warn(f"lineage-graph could not record the failure of step "
                              f"{self.name!r}: {record_error}", RuntimeWarning, stacklevel=2)
            raise missing
        if call.memo_key is not None and self.memoize and run_.memoize:
            hit = _find_hit(run_, self.type, call.memo_key)
            if hit is not None:
                return self._record_cached(run_, call, *hit)  # type: ignore[no-any-return]
        metrics: dict[str, Value] = {}
        token = metrics_sink().set(metrics)
        try:
            result = self.fn(*args, **kwargs)
        except BaseException as exc:
            metrics_sink().reset(token)
            try:
                self._record_failed(run_, call, exc, metrics)
            except Exception as record_error:
                warnings.warn(f"lineage-graph could not record the failure of step "
                              f"{self.name!r}: {record_error}", RuntimeWarning, stacklevel=2)
            raise
        metrics_sink().reset(token)
        self._record_complete(run_, call, result, metrics)
        return result

    # ---- preparing a call --------------------------------------------------------------------

    def _prepare(self, run_: Run, args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Call:
        call = _Call(start=now_ms())
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        for name, value in bound.arguments.items():
            kind = self.signature.parameters[name].kind
            if kind is inspect.Parameter.VAR_KEYWORD:
                for k, v in value.items():
                    self._classify(call, k, v)
            else:
                self._classify(call, name, value)
        for i, ref in enumerate(self.fixed_outputs):
            call.outputs.append(_Slot(("declared", i), ref))
        memoizable = not call.unrecorded
        for slot in call.inputs:
            slot.measure()
            memoizable = memoizable and slot.version() is not None
        if memoizable:
            key = {
                "step": [self.type, getattr(self.fn, "__qualname__", self.name)],
                "code": self.code_hash,
                "params": call.key_params,
                "inputs": sorted([list(map(str, s.path)), s.ref.type, s.version()]
                                 for s in call.inputs),
                "outputs": sorted([list(map(str, s.path)), s.ref.type, s.ref.uri]
                                  for s in call.outputs),
            }
            blob = json.dumps(key, sort_keys=True, default=str).encode()
            call.memo_key = "sha256:" + hashlib.sha256(blob).hexdigest()
        return call

    def _missing_inputs(self, call: _Call) -> MissingInputError | None:
        """The error for local inputs that do not exist (dropped from ``call.inputs``), if any.

        Optional ones are kept (recorded ABANDONED, as a missing path always was) with a
        warning. Non-local URIs are not checked: that would need their client and credentials.
        """
        missing: list[tuple[str, _Slot]] = []
        for slot in call.inputs:
            if slot.ref.path is None or slot.ref.path.exists():
                continue
            param = _param_name(slot.path)
            if slot.ref.optional:
                warnings.warn(f"step {self.name!r}: optional input {param!r} does not exist "
                              f"({slot.ref.uri}); recorded as ABANDONED", MissingInputWarning,
                              stacklevel=3)
            else:
                missing.append((param, slot))
        if not missing:
            return None
        call.inputs = [s for s in call.inputs if all(s is not m for _, m in missing)]
        listed = ", ".join(f"{param!r} ({slot.ref.uri})" for param, slot in missing)
        first, slot = missing[0]
        plural = "s" if len(missing) > 1 else ""
        return MissingInputError(
            f"step {self.name!r}: input{plural} {listed}: no such file or directory; fix the "
            f"path or create it before the call, pass {_optional_spelling(slot.ref)} if the "
            f"step can run without it, or name the parameter in outputs= if the step writes it",
            field=first, path=slot.ref.uri,
        )

    def _classify(self, call: _Call, name: str, value: Any) -> None:
        if name in self.output_args:
            for path, ref in _refs(name, value, self.output_args[name]):
                call.outputs.append(_Slot(path, ref))
            return
        if name in self.input_args or _is_ref(value) or (
            isinstance(value, (list, tuple)) and value and all(_is_ref(v) for v in value)
        ):
            for path, ref in _refs(name, value, self.input_args.get(name)):
                call.inputs.append(_Slot(path, ref))
            return
        if value is None:
            call.key_params[name] = None
            return
        if property_type(value) is None:
            call.unrecorded[name] = type(value).__qualname__
            return
        call.params[name] = as_property(value)
        call.key_params[name] = call.params[name]

    # ---- recording ---------------------------------------------------------------------------

    def _base_custom(self, run_: Run, call: _Call) -> dict[str, Value]:
        custom: dict[str, Value] = {
            fields.STEP: f"{getattr(self.fn, '__module__', '?')}:"
                         f"{getattr(self.fn, '__qualname__', self.name)}",
            fields.CODE_HASH: self.code_hash,
            fields.START_TIME: call.start,
            fields.END_TIME: now_ms(),
            fields.MEMOIZABLE: call.memo_key is not None,
            **environment_properties(self.code_file or run_.caller_file),
        }
        if self.code_file:
            custom[fields.CODE_FILE] = self.code_file
            with contextlib.suppress(OSError):
                custom[fields.MODULE_HASH] = file_hash(self.code_file)
        if call.memo_key is not None:
            custom[fields.MEMO_KEY] = call.memo_key
        if call.unrecorded:
            custom[fields.UNRECORDED_ARGS] = dict(call.unrecorded)
        return custom

    def _put(
        self,
        run_: Run,
        call: _Call,
        state: ExecutionState,
        custom: dict[str, Value],
        artifacts: list[ArtifactAndEvent],
        reuse_of: int | None = None,
        reused: Sequence[ArtifactAndEvent] = (),
    ) -> StepRecord:
        """Record one call as an execution in the run (one transaction).

        ``reuse_of``/``reused``: a CACHED call links to the execution it reused and holds
        that execution's outputs in its run, but is not a second producer of them: no OUTPUT
        events, so upstream of those outputs is the run that computed them.
        """
        param_types: dict[str, PropertyType] = {}
        for k, v in call.params.items():
            t = property_type(v)
            assert t is not None
            param_types[k] = t
        declared = run_.ensure_type(Kind.EXECUTION, self.type, param_types)
        properties: dict[str, Value] = {}
        for k, v in call.params.items():
            if declared.get(k) == param_types[k]:
                properties[k] = v
            else:  # the type declares this parameter with another value type
                custom.setdefault(k, v)
        for a in artifacts:
            run_.ensure_type(Kind.ARTIFACT, a.artifact.type)
        held = [a.model_copy(update={"event_type": None, "path": ()}) for a in reused]
        contexts = [run_.pipeline_context, run_.run_context]
        check = run_.resumed
        while True:
            execution = Execution(type=self.type, name=_execution_name(run_, self, check),
                                  last_known_state=state, properties=properties,
                                  custom_properties=custom)

            def work(w: WriteRules, execution: Execution = execution) -> PutExecutionResult:
                # Linking a known artifact must not rewrite it, or its seq would move and
                # subscribers would see every use of a model as a new model.
                result = w.put_execution(
                    execution, artifacts + held, contexts, link_existing=True
                )
                if reuse_of is not None:
                    w.put_reuses([Reuse(execution_id=result.execution_id, original_id=reuse_of)])
                return result

            try:
                result = run_.store.atomic(work)
                break
            except AlreadyExistsError:
                if check:
                    raise
                check = True  # another process writes into this run: look names up
        given = artifacts + held
        outputs = [aid for aid, a in zip(result.artifact_ids, given, strict=True)
                   if a.event_type is not None and not a.event_type.is_input]
        outputs += result.artifact_ids[len(artifacts):]
        cache_of = custom.get(fields.CACHE_OF)
        record = StepRecord(step=self.name, execution_id=result.execution_id, state=state,
                            cache_of=cache_of if isinstance(cache_of, int) else None,
                            output_ids=outputs)
        run_.records.append(record)
        return record

    def _input_events(self, call: _Call) -> list[ArtifactAndEvent]:
        return [ArtifactAndEvent(artifact=s.to_artifact(), event_type=EventType.INPUT,
                                 path=s.path) for s in call.inputs]

    def _record_complete(
        self, run_: Run, call: _Call, result: Any, metrics: dict[str, Value]
    ) -> None:
        custom = self._base_custom(run_, call)
        seen = {(s.ref.uri, s.ref.type) for s in call.outputs}
        outputs = list(call.outputs)
        for path, ref in handles_in(result, ("return",)):
            if (ref.uri, ref.type) not in seen:
                seen.add((ref.uri, ref.type))
                outputs.append(_Slot(path, ref))
        for s in outputs:
            s.measure()
        try:
            encoded = {"value": encode(result)}
            if len(json.dumps(encoded, default=str)) > RETURN_VALUE_LIMIT:
                raise NotEncodable("too large to keep in the store")
            custom[fields.RETURN_VALUE] = encoded
        except NotEncodable:
            call.memo_key = None  # a hit could not return the result
        if any(s.version() is None for s in outputs):
            call.memo_key = None  # an output we cannot re-check would make hits unsafe
        if call.memo_key is None:
            custom.pop(fields.MEMO_KEY, None)
            custom[fields.MEMOIZABLE] = False
        events = self._input_events(call)
        for s in outputs:
            artifact = s.to_artifact()
            if metrics and artifact.type in MODEL_TYPES:
                # Metrics logged while producing a model describe it (readers rank models by
                # their properties); system fields win over a metric of the same name.
                artifact = artifact.model_copy(update={"custom_properties": {
                    **metrics, **artifact.custom_properties}})
            events.append(ArtifactAndEvent(artifact=artifact, event_type=EventType.OUTPUT,
                                           path=s.path))
        if metrics:
            custom[fields.METRICS] = dict(metrics)
            events.append(ArtifactAndEvent(artifact=_metrics_artifact(metrics, call),
                                           event_type=EventType.OUTPUT, path=("metrics",)))
        self._put(run_, call, ExecutionState.COMPLETE, custom, events)

    def _record_failed(
        self, run_: Run, call: _Call, exc: BaseException, metrics: dict[str, Value]
    ) -> None:
        custom = self._base_custom(run_, call)
        cls = type(exc)
        custom[fields.ERROR_TYPE] = (cls.__qualname__ if cls.__module__ == "builtins"
                                     else f"{cls.__module__}.{cls.__qualname__}")
        custom[fields.ERROR_MESSAGE] = str(exc)
        lines = "".join(traceback.format_exception(exc)).splitlines()
        custom[fields.ERROR_TRACEBACK] = "\n".join(lines[-TRACEBACK_LINES:])
        if metrics:
            custom[fields.METRICS] = dict(metrics)
        state = (ExecutionState.FAILED if isinstance(exc, Exception)
                 else ExecutionState.CANCELED)  # KeyboardInterrupt, SystemExit
        self._put(run_, call, state, custom, self._input_events(call))

    def _record_cached(
        self, run_: Run, call: _Call, original: Execution, outputs: list[ArtifactAndEvent]
    ) -> Any:
        custom = self._base_custom(run_, call)
        assert original.id is not None
        custom[fields.CACHE_OF] = original.id
        for k in (fields.METRICS, fields.RETURN_VALUE):
            if k in original.custom_properties:
                custom[k] = original.custom_properties[k]
        self._put(run_, call, ExecutionState.CACHED, custom, self._input_events(call),
                  reuse_of=original.id, reused=outputs)
        stored = original.custom_properties.get(fields.RETURN_VALUE)
        return decode(stored["value"]) if isinstance(stored, dict) else None


def _default_type(name: str) -> str:
    """The step name if it is a valid type name, else a valid look-alike (``<lambda>``)."""
    if TYPE_NAME_PATTERN.match(name):
        return name
    cleaned = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")
    return cleaned if cleaned and cleaned[0].isalpha() else f"step_{cleaned}".rstrip("_")


def _arg_specs(
    specs: Sequence[str] | Mapping[str, ArtifactSpec] | None,
) -> dict[str, str | None]:
    if specs is None:
        return {}
    if isinstance(specs, Mapping):
        return {k: _type_of(v) for k, v in specs.items()}
    return dict.fromkeys(specs)


def _is_ref(value: Any) -> bool:
    return isinstance(value, (ArtifactRef, PurePath))


def _refs(
    name: str, value: Any, type_name: str | None
) -> list[tuple[tuple[PathStep, ...], ArtifactRef]]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [((name, i), as_ref(v, type_name)) for i, v in enumerate(value)]
    return [((name,), as_ref(value, type_name))]


def _optional_spelling(ref: ArtifactRef) -> str:
    """How the user writes ``ref`` as an optional handle (a plain path became a ``File``)."""
    if type(ref) is not ArtifactRef:
        return f"{type(ref).__name__}(path, optional=True)"
    if ref.type == fields.FILE:
        return "File(path, optional=True)"
    return f"ArtifactRef(path, type={ref.type!r}, optional=True)"


def _param_name(path: tuple[PathStep, ...]) -> str:
    """``data`` for an argument, ``data[1]`` for an item of a list argument."""
    head, *rest = path
    return str(head) + "".join(f"[{p}]" for p in rest)


def _metrics_artifact(metrics: dict[str, Value], call: _Call) -> Artifact:
    blob = json.dumps(metrics, sort_keys=True, default=str).encode()
    digest = "sha256:" + hashlib.sha256(blob).hexdigest()
    # Keyed by the call's memo key: a cached evaluation points at the same Metrics artifact.
    origin = call.memo_key or f"call:{call.start}:{id(call)}"
    return Artifact(type=fields.METRICS_TYPE, state=ArtifactState.LIVE,
                    external_id=f"{fields.METRICS_TYPE}:{origin}@{digest}",
                    custom_properties={**metrics, fields.FINGERPRINT: digest})


def _execution_name(run_: Run, step_: Step[Any, Any], check: bool) -> str:
    """``<run>/<step>``, then ``#2``, ``#3``... for further calls of the step in the run.

    Only a resumed run (or a name clash) looks the store up for names already taken.
    """
    base = f"{run_.name}/{step_.name}"
    n = sum(1 for r in run_.records if r.step == step_.name)
    while True:
        name = base if n == 0 else f"{base}#{n + 1}"
        if not check or run_.store.get_execution_by_type_and_name(step_.type, name) is None:
            return name
        n += 1


def _find_hit(
    run_: Run, step_type: str, memo_key: str
) -> tuple[Execution, list[ArtifactAndEvent]] | None:
    """The newest COMPLETE execution with ``memo_key`` whose outputs are intact, if any."""
    store = run_.store
    page = store.list_nodes(Kind.EXECUTION, ListOptions(
        type=step_type, states=(ExecutionState.COMPLETE.value,),
        properties=(PropertyFilter(name=fields.MEMO_KEY, value=memo_key, custom=True),),
        order_by="id", descending=True, limit=_HIT_CANDIDATES,
    ))
    for original in page.items:
        assert isinstance(original, Execution) and original.id is not None
        if fields.RETURN_VALUE not in original.custom_properties:
            continue
        events = [e for e in store.get_events(execution_ids=[original.id])
                  if not e.type.is_input]
        artifacts = {a.id: a for a in store.get_artifacts_by_id([e.artifact_id for e in events])}
        if len(artifacts) != len({e.artifact_id for e in events}):
            continue  # an output artifact was deleted from the store
        if all(_intact(a) for a in artifacts.values()):
            return original, [
                ArtifactAndEvent(artifact=artifacts[e.artifact_id],
                                 event_type=e.type, path=e.path)
                for e in events
            ]
    return None


def _intact(artifact: Artifact) -> bool:
    """Is the recorded output still there with the recorded content?"""
    recorded = artifact.custom_properties.get(fields.FINGERPRINT)
    if artifact.uri is None or not artifact.uri.startswith("/"):
        return True  # not a local file (metrics, remote URIs): nothing to re-check
    ref = ArtifactRef(artifact.uri, type=artifact.type)
    if ref.path is None or not ref.path.exists() or not isinstance(recorded, str):
        return False
    return fingerprint(ref.path).digest == recorded


@overload
def step(fn: Callable[P, R], /) -> Step[P, R]: ...


@overload
def step(
    *,
    name: str | None = None,
    type: str | None = None,
    memoize: bool = True,
    inputs: Sequence[str] | Mapping[str, ArtifactSpec] | None = None,
    outputs: Sequence[str | ArtifactRef] | Mapping[str, ArtifactSpec] | None = None,
) -> Callable[[Callable[P, R]], Step[P, R]]: ...


def step(
    fn: Callable[P, R] | None = None,
    /,
    *,
    name: str | None = None,
    type: str | None = None,
    memoize: bool = True,
    inputs: Sequence[str] | Mapping[str, ArtifactSpec] | None = None,
    outputs: Sequence[str | ArtifactRef] | Mapping[str, ArtifactSpec] | None = None,
) -> Step[P, R] | Callable[[Callable[P, R]], Step[P, R]]:
    """Record each call of the decorated function as an execution of the current run.

    Args:
        fn: the function (when used as ``@step`` without parentheses).
        name: the step's name (default: the function's name); execution names are
            ``<run>/<name>``.
        type: the execution type (default: ``name``); must be a valid type name.
        memoize: ``False`` runs the step every time, whatever is recorded.
        inputs: argument names holding input paths, optionally mapped to an artifact type.
        outputs: argument names holding paths the step writes (optionally mapped to a type),
            and/or fixed artifact handles the step writes.

    Returns:
        A ``Step`` (callable like ``fn``).

    Raises:
        InvalidInputError: an invalid type name, or ``inputs``/``outputs`` naming a missing
            argument.

    Example:
        >>> @step(outputs={"out": "Model"})  # doctest: +SKIP
        ... def train(data: Dataset, out: str, C: float = 1.0) -> Model: ...
    """

    def wrap(f: Callable[P, R]) -> Step[P, R]:
        return Step(f, name=name, type=type, memoize=memoize, inputs=inputs, outputs=outputs)

    return wrap(fn) if fn is not None else wrap
