"""Deployments as events in time: deploy, rollback, undeploy, per target; and model aliases.

Each event is an Execution lineage-graph records with the store's own rules, so both backends,
every walk (lineage, taint) and the Browser see it:

* ``Deploy`` (``action`` ``deploy`` or ``rollback``) / ``Undeploy`` (``undeploy``): the model
  artifact as its INPUT (for an undeploy: the model taken down), associated with one
  ``Deployment`` context per target (named by the target: ``prod``, ``churn-prod``);
  custom properties ``action``, ``at`` (ms since the epoch), ``target``.
* ``SetAlias`` (``alias`` / ``unalias``) on a ``ModelAlias`` context per alias name
  (``champion``, ``staging``): an alias points at a model version and moves.

A pushed-model artifact (a deployment-role type such as TFX's ``PushedModel``, the wine
pipeline's push step output) counts as deployed at its push time, to the Deployment context
it belongs to, else to its pipeline (see ``Store.deployment_rows``). What a target holds now
is its latest event unless that was an undeploy; ``questions.deployments`` answers it in one
query, with the history.

An event is named ``<target>/<action>@<ISO time>``; recording the same event again (same
target, action, time and model) changes nothing. A rollback reads the target's history and
then writes, so two people rolling back the same target at the same moment both succeed.

Public API::

    deploy(store, model, target, *, at=None) -> DeploymentEvent
    rollback(store, target, *, to=None, at=None) -> DeploymentEvent   # the model before
    undeploy(store, target, *, at=None) -> DeploymentEvent
    history(store, target) -> TargetState                             # live + events
    set_alias(store, name, model, *, at=None) -> DeploymentEvent
    delete_alias(store, name, *, at=None) -> DeploymentEvent
    alias(store, name) -> TargetState
    resolve_alias(store, name) -> LineageNode | None                  # the model now

``model`` is a reference (``lineage_graph.refs``: ``a:12``, ``Model:churn-v3``, ``@champion``,
an id, a ``NodeRef`` or a node); ``at`` defaults to now.

Example::

    deployments.deploy(store, "Model:churn-v3", "prod")
    deployments.rollback(store, "prod")            # churn-v2 again
    deployments.history(store, "prod").live.model.name
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from . import roles
from .answers import (
    ACTION_KEY,
    ALIAS_CONTEXT_TYPE,
    ALIAS_TYPE,
    AT_KEY,
    DEPLOY_TYPE,
    DEPLOYMENT_CONTEXT_TYPE,
    UNDEPLOY_TYPE,
    ContextNode,
    DeploymentEvent,
    LineageNode,
    NodeRef,
    TargetState,
)
from .errors import InvalidInputError, NotFoundError
from .incident_marks import with_incidents
from .models import (
    AnyType,
    Association,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    Kind,
    ListOptions,
    Node,
)
from .refs import resolve_node

if TYPE_CHECKING:
    from .store.base import Store
    from .store.rules import WriteRules

__all__ = [
    "TARGET_KEY",
    "alias",
    "delete_alias",
    "deploy",
    "history",
    "resolve_alias",
    "rollback",
    "set_alias",
    "undeploy",
]

TARGET_KEY = "target"
_YEAR_10000 = 253_402_300_800_000  # ms; event names carry an ISO date, which stops there
ModelRef = str | int | NodeRef | Node | LineageNode


def _now_ms() -> int:
    return int(time.time() * 1000)


def _iso(at: int) -> str:
    return datetime.fromtimestamp(at / 1000, UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"
    )


def _check_name(value: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{field} must be a non-empty name", field=field, value=value)
    return value.strip()


def _check_at(at: int | None) -> int:
    if at is None:
        return _now_ms()
    if not isinstance(at, int) or isinstance(at, bool) or not 0 <= at < _YEAR_10000:
        raise InvalidInputError(
            "at must be milliseconds since the epoch (an int from 0, before the year 10000)",
            field="at", value=at,
        )
    return at


def _model(store: Store, model: ModelRef) -> int:
    node = resolve_node(store, model, Kind.ARTIFACT)
    assert node.id is not None
    return node.id


def _context(store: Store, context_type: str, name: str) -> Context | None:
    return store.get_context_by_type_and_name(context_type, name)


def _state(store: Store, context_type: str, name: str) -> TargetState:
    """The history of a target or alias context (empty if it does not exist yet)."""
    context = _context(store, context_type, name)
    if context is None or context.id is None:
        return TargetState()
    answer = store.deployments(NodeRef(kind=Kind.CONTEXT, id=context.id), roles.query())
    for s in (*answer.targets, *answer.aliases):
        if s.target is not None and s.target.id == context.id:
            return with_incidents(store, s)
    return TargetState(target=ContextNode(id=context.id, type=context.type, name=context.name,
                                          create_time=context.create_time))


def _record(
    store: Store, *, execution_type: str, context_type: str, target: str, action: str,
    model_id: int, at: int,
) -> DeploymentEvent:
    """Write one event (types, target context, execution, INPUT event, association) in one
    transaction, then read it back from the target's history."""
    types: list[AnyType] = [ExecutionType(name=execution_type), ContextType(name=context_type)]
    execution = Execution(
        type=execution_type, name=f"{target}/{action}@{_iso(at)}",
        last_known_state=ExecutionState.COMPLETE,
        custom_properties={ACTION_KEY: action, AT_KEY: at, TARGET_KEY: target},
    )

    def work(w: WriteRules) -> int:
        missing = [t for t in types if t.name not in w.types(t.kind)]
        if missing:
            w.put_types(missing)
        (context_id,) = w.put_contexts([Context(type=context_type, name=target)], reuse=True)
        (execution_id,) = w.put_nodes(Kind.EXECUTION, [execution])
        w.put_events([Event(artifact_id=model_id, execution_id=execution_id,
                            type=EventType.INPUT, path=("model",), timestamp=at)])
        w.put_links([], [Association(execution_id=execution_id, context_id=context_id)])
        return execution_id

    execution_id = store.atomic(work)
    state = _state(store, context_type, target)
    for event in reversed(state.history):
        if event.execution.id == execution_id:
            return event
    raise NotFoundError(f"the {action} of {target!r} was written but is not in its history")


def deploy(store: Store, model: ModelRef, target: str, *, at: int | None = None) -> DeploymentEvent:
    """Record that ``model`` is deployed to ``target`` (created on first use) at ``at``.

    Raises:
        NotFoundError: no such model.
        InvalidInputError: an empty target, a bad ``at`` or an ambiguous reference.
    """
    name = _check_name(target, "target")
    return _record(store, execution_type=DEPLOY_TYPE, context_type=DEPLOYMENT_CONTEXT_TYPE,
                   target=name, action="deploy", model_id=_model(store, model), at=_check_at(at))


def history(store: Store, target: str) -> TargetState:
    """What ``target`` holds now and every event it saw, oldest first.

    ``target`` is a Deployment context's name; else the name of any context that deployments
    went to (a pipeline whose pushes have no Deployment context).

    Raises:
        NotFoundError: no such target.
    """
    name = _check_name(target, "target")
    if _context(store, DEPLOYMENT_CONTEXT_TYPE, name) is not None:
        return _state(store, DEPLOYMENT_CONTEXT_TYPE, name)
    for context in store.list_nodes(Kind.CONTEXT, ListOptions(name=name)).items:
        if context.id is None or context.type == ALIAS_CONTEXT_TYPE:
            continue
        answer = store.deployments(NodeRef(kind=Kind.CONTEXT, id=context.id), roles.query())
        for s in answer.targets:
            if s.target is not None and s.target.id == context.id:
                return with_incidents(store, s)
    raise NotFoundError(f"no deployment target named {name!r}")


def rollback(
    store: Store, target: str, *, to: ModelRef | None = None, at: int | None = None
) -> DeploymentEvent:
    """Deploy again the model ``target`` held before its current one (or ``to``).

    "Before" is the latest earlier event that deployed another model than the live one: after
    deploy A, deploy B, a rollback brings A back; a second rollback brings B back; after an
    undeploy, the model taken down comes back.

    Raises:
        NotFoundError: no such target, or nothing earlier to go back to.
    """
    name = _check_name(target, "target")
    when = _check_at(at)
    if to is not None:
        model_id = _model(store, to)
    else:
        state = _state(store, DEPLOYMENT_CONTEXT_TYPE, name)
        if not state.history:
            raise NotFoundError(f"no deployment target named {name!r}")
        live = state.live.model.id if state.live and state.live.model else None
        earlier = next(
            (e.model.id for e in reversed(state.history)
             if not e.clears and e.model is not None and e.model.id != live),
            None,
        )
        if earlier is None:
            raise NotFoundError(f"target {name!r} has no earlier model to roll back to")
        model_id = earlier
    return _record(store, execution_type=DEPLOY_TYPE, context_type=DEPLOYMENT_CONTEXT_TYPE,
                   target=name, action="rollback", model_id=model_id, at=when)


def undeploy(store: Store, target: str, *, at: int | None = None) -> DeploymentEvent:
    """Record that ``target`` holds nothing from ``at`` on (the model taken down is the
    event's INPUT).

    Raises:
        NotFoundError: no such target, or nothing is deployed there.
    """
    name = _check_name(target, "target")
    state = _state(store, DEPLOYMENT_CONTEXT_TYPE, name)
    if state.live is None or state.live.model is None:
        raise NotFoundError(f"nothing is deployed on {name!r}")
    return _record(store, execution_type=UNDEPLOY_TYPE, context_type=DEPLOYMENT_CONTEXT_TYPE,
                   target=name, action="undeploy", model_id=state.live.model.id,
                   at=_check_at(at))


def set_alias(
    store: Store, name: str, model: ModelRef, *, at: int | None = None
) -> DeploymentEvent:
    """Point the alias ``name`` (``champion``, ``staging`` ...) at ``model``; moves it if set.

    Raises:
        NotFoundError: no such model.
    """
    alias_name = _check_name(name, "alias")
    return _record(store, execution_type=ALIAS_TYPE, context_type=ALIAS_CONTEXT_TYPE,
                   target=alias_name, action="alias", model_id=_model(store, model),
                   at=_check_at(at))


def delete_alias(store: Store, name: str, *, at: int | None = None) -> DeploymentEvent:
    """Make the alias point at nothing (its history stays).

    Raises:
        NotFoundError: the alias points at nothing.
    """
    alias_name = _check_name(name, "alias")
    state = _state(store, ALIAS_CONTEXT_TYPE, alias_name)
    if state.live is None or state.live.model is None:
        raise NotFoundError(f"alias {alias_name!r} points at nothing")
    return _record(store, execution_type=ALIAS_TYPE, context_type=ALIAS_CONTEXT_TYPE,
                   target=alias_name, action="unalias", model_id=state.live.model.id,
                   at=_check_at(at))


def alias(store: Store, name: str) -> TargetState:
    """Where the alias points now and how it moved (empty if it never existed)."""
    return _state(store, ALIAS_CONTEXT_TYPE, _check_name(name, "alias"))


def resolve_alias(store: Store, name: str) -> LineageNode | None:
    """The model the alias points at now, or None."""
    state = alias(store, name)
    return state.live.model if state.live is not None else None
