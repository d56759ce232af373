"""Roles: which type names are datasets, models, evaluations, deployments, training steps.

Every question asks "which artifacts are models?" and the answer depends on the history's
vocabulary: lineage-graph's own tracking says ``Model``, MLMD's guide ``SavedModel``,
Kubeflow ``system.Model``; an OpenLineage history has only ``ol.Dataset`` and jobs. The
mapping from type names to roles is therefore data, kept in the graph next to the history:
one Context of type ``lineage_graph.Roles`` named ``roles`` whose custom properties map a
type name to its role (both backends hold it, Cypher and the Browser see it). What is not
stored comes from ``DEFAULTS``; a stored ``none`` takes a default away.

Roles (``answers.ROLES``):

=============  ==========================================================================
dataset        artifacts a model is trained on (question 1, ``provenance``)
model          trained models (questions 6-8)
evaluation     artifacts (and steps) holding a model's metrics (question 7)
deployment     pushed-model artifacts (deployed at their push time) and deployment targets
training       training steps: their outputs are models when no model-typed artifact is
               among them (how an OpenLineage training job's output dataset is a model)
pipeline       contexts that group runs (which pipeline a model belongs to)
statistics     data descriptions (statistics, schemas): known, never datasets
=============  ==========================================================================

The questions read the mapping inside their one query (``answers.RoleQuery``); this module
shows and edits it.

Public API::

    DEFAULTS: dict[str, str]                       # type name -> role
    current(store) -> RoleMap                      # the effective mapping, and what is stored
    check_role(role) -> str                        # one of ROLES, else InvalidInputError
    types_for(store, role) -> tuple[str, ...]      # type names playing a role
    set_role(store, type_name, role) -> RoleMap    # store one entry ("none": no role)
    unset_role(store, type_name) -> RoleMap        # forget a stored entry (back to default)
    extend(store, mapping, *, overwrite=False) -> RoleMap   # for imports: add entries
    from_base_types(types) -> dict[str, str]       # roles from MLMD base types
    of_types(types) -> dict[str, str]              # an import's types: base type, else default
    missing(store, types) -> dict[str, str]        # an import's roles the mapping lacks
    learn(store, types) -> RoleMap                 # for imports: store those
    query(**explicit) -> RoleQuery                 # what a question passes to the store

Example::

    roles.extend(store, {"ol.train_model": "training"})
    roles.current(store).types("model")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from .answers import (
    NO_ROLE,
    ROLE_DATASET,
    ROLE_DEPLOYMENT,
    ROLE_EVALUATION,
    ROLE_MODEL,
    ROLE_PIPELINE,
    ROLE_STATISTICS,
    ROLE_TRAINING,
    ROLES,
    ROLES_CONTEXT_NAME,
    ROLES_CONTEXT_TYPE,
    RoleQuery,
)
from .errors import InvalidInputError
from .models import TYPE_NAME_PATTERN, AnyType, Context, ContextType, Kind

if TYPE_CHECKING:
    from .store.base import Store
    from .store.rules import WriteRules

__all__ = [
    "DEFAULTS",
    "ROLES",
    "RoleMap",
    "check_role",
    "current",
    "extend",
    "from_base_types",
    "learn",
    "missing",
    "of_types",
    "query",
    "set_role",
    "types_for",
    "unset_role",
]

_OWN = {  # lineage-graph's tracking (tracking.fields) and demo
    "Dataset": ROLE_DATASET,
    "Model": ROLE_MODEL,
    "Metrics": ROLE_EVALUATION,
    "ModelEvaluation": ROLE_EVALUATION,
    "PushedModel": ROLE_DEPLOYMENT,
    "Deployment": ROLE_DEPLOYMENT,
    "Statistics": ROLE_STATISTICS,
    "Pipeline": ROLE_PIPELINE,
    "train": ROLE_TRAINING,
}
_MLMD_TFX = {  # MLMD's guide (DataSet, SavedModel) and TFX's standard artifacts and steps
    "DataSet": ROLE_DATASET,
    "SavedModel": ROLE_MODEL,
    "Examples": ROLE_DATASET,
    "ExternalArtifact": ROLE_DATASET,
    "ModelBlessing": ROLE_EVALUATION,
    "InfraBlessing": ROLE_EVALUATION,
    "ExampleStatistics": ROLE_STATISTICS,
    "ExampleAnomalies": ROLE_STATISTICS,
    "Schema": ROLE_STATISTICS,
    "Trainer": ROLE_TRAINING,
    "tfx.components.trainer.component.Trainer": ROLE_TRAINING,
    "Pusher": ROLE_DEPLOYMENT,
    "tfx.components.pusher.component.Pusher": ROLE_DEPLOYMENT,
    "Evaluator": ROLE_EVALUATION,
    "tfx.components.evaluator.component.Evaluator": ROLE_EVALUATION,
    "pipeline": ROLE_PIPELINE,
}
_KUBEFLOW = {  # Kubeflow Pipelines v2 system types
    "system.Dataset": ROLE_DATASET,
    "system.Model": ROLE_MODEL,
    "system.Metrics": ROLE_EVALUATION,
    "system.ClassificationMetrics": ROLE_EVALUATION,
    "system.SlicedClassificationMetrics": ROLE_EVALUATION,
}
_OPENLINEAGE = {  # interop.openlineage: datasets, jobs (a parent job groups its children)
    "ol.Dataset": ROLE_DATASET,
    "ol.Job": ROLE_PIPELINE,
    # Column lineage (interop.columns): a dataset's fields and the derivations between them
    # are never datasets, models or training steps of their own (no role, said explicitly).
    "ol.DatasetField": NO_ROLE,
    "ol.ColumnTransform": NO_ROLE,
}
_MLFLOW = {  # interop.mlflow: an experiment groups the runs whose models are compared
    "mlflow.Experiment": ROLE_PIPELINE,
}
DEFAULTS: dict[str, str] = {**_OWN, **_MLMD_TFX, **_KUBEFLOW, **_OPENLINEAGE, **_MLFLOW}

# MLMD's system base types (``ArtifactType.base_type`` etc., kept by the MLMD import).
BASE_TYPE_ROLES: dict[str, str] = {
    "DATASET": ROLE_DATASET,
    "MODEL": ROLE_MODEL,
    "METRICS": ROLE_EVALUATION,
    "STATISTICS": ROLE_STATISTICS,
    "TRAIN": ROLE_TRAINING,
    "EVALUATE": ROLE_EVALUATION,
    "DEPLOY": ROLE_DEPLOYMENT,
}


class RoleMap(BaseModel):
    """The effective mapping (``roles``: type name -> role) and the stored part of it
    (``stored``, which may hold ``none`` entries that remove a default)."""

    model_config = ConfigDict(frozen=True)

    roles: dict[str, str] = Field(default_factory=dict)
    stored: dict[str, str] = Field(default_factory=dict)

    def types(self, role: str) -> tuple[str, ...]:
        """Type names playing ``role``, sorted."""
        return tuple(sorted(t for t, r in self.roles.items() if r == role))

    def role_of(self, type_name: str) -> str | None:
        return self.roles.get(type_name)


def _effective(stored: Mapping[str, str]) -> RoleMap:
    merged = {t: r for t, r in DEFAULTS.items() if t not in stored and r != NO_ROLE}
    merged.update({t: r for t, r in stored.items() if r != NO_ROLE})
    return RoleMap(roles=dict(sorted(merged.items())), stored=dict(sorted(stored.items())))


def _stored_of(node: Context | None) -> dict[str, str]:
    if node is None:
        return {}
    return {k: v for k, v in node.custom_properties.items() if isinstance(v, str)}


def _roles_context(store: Store) -> Context | None:
    return store.get_context_by_type_and_name(ROLES_CONTEXT_TYPE, ROLES_CONTEXT_NAME)


def current(store: Store) -> RoleMap:
    """The mapping every question uses: ``DEFAULTS`` with the stored entries over them."""
    return _effective(_stored_of(_roles_context(store)))


def types_for(store: Store, role: str) -> tuple[str, ...]:
    """Type names that play ``role`` (one of ``ROLES``) in this store."""
    return current(store).types(_check_role(role, "role"))


def check_role(role: str) -> str:
    """``role`` if it is one of ``ROLES``.

    Raises:
        InvalidInputError: it is not.
    """
    return _check_role(role, "role")


def _check_role(role: str, field: str, *, allow_none: bool = False) -> str:
    allowed = (*ROLES, NO_ROLE) if allow_none else ROLES
    if role not in allowed:
        raise InvalidInputError(
            f"role {role!r} is not one of {', '.join(allowed)}", field=field, value=role
        )
    return role


def _check_type_name(name: str) -> str:
    if not isinstance(name, str) or not TYPE_NAME_PATTERN.match(name):
        raise InvalidInputError(
            f"type name {name!r} is invalid: letters, digits and underscores, optionally dotted",
            field="type_name", value=name,
        )
    return name


def _write(store: Store, change: Mapping[str, str | None], *, overwrite: bool) -> RoleMap:
    """Apply ``change`` (type -> role, None: forget) to the stored mapping in one transaction.

    The stored context is read before the transaction: two writers changing roles at the
    same moment may lose one change (the mapping is edited by people and imports, rarely).
    """
    node = _roles_context(store)
    stored = _stored_of(node)
    updated = dict(stored)
    for type_name, role in change.items():
        if role is None:
            updated.pop(type_name, None)
        elif overwrite or type_name not in stored:
            updated[type_name] = role
    if updated == stored:  # nothing changes (and an empty mapping needs no node)
        return _effective(stored)
    context = Context(
        id=None if node is None else node.id,
        type=ROLES_CONTEXT_TYPE,
        name=ROLES_CONTEXT_NAME,
        custom_properties=dict(sorted(updated.items())),
    )

    def work(w: WriteRules) -> None:
        w.put_types([ContextType(name=ROLES_CONTEXT_TYPE,
                                 description="lineage-graph: type name -> role")])
        w.put_nodes(Kind.CONTEXT, [context])

    store.atomic(work)
    return _effective(updated)


def set_role(store: Store, type_name: str, role: str) -> RoleMap:
    """Store that ``type_name`` plays ``role`` (``"none"``: no role, even by default).

    Raises:
        InvalidInputError: an unknown role or an invalid type name.
    """
    return _write(
        store, {_check_type_name(type_name): _check_role(role, "role", allow_none=True)},
        overwrite=True,
    )


def unset_role(store: Store, type_name: str) -> RoleMap:
    """Forget the stored entry for ``type_name`` (its default, if any, applies again)."""
    return _write(store, {_check_type_name(type_name): None}, overwrite=True)


def extend(store: Store, mapping: Mapping[str, str], *, overwrite: bool = False) -> RoleMap:
    """Add entries to the stored mapping (what an import calls for its vocabulary).

    Args:
        mapping: type name -> role (or ``"none"``).
        overwrite: replace entries already stored (default: a person's choice is kept).

    Raises:
        InvalidInputError: an unknown role or an invalid type name; nothing is written.
    """
    checked: dict[str, str | None] = {
        _check_type_name(t): _check_role(r, "role", allow_none=True)
        for t, r in sorted(mapping.items())
    }
    return _write(store, checked, overwrite=overwrite)


def from_base_types(types: Iterable[AnyType]) -> dict[str, str]:
    """Roles implied by MLMD base types (``ArtifactType.base_type == "MODEL"`` ...), for an
    import to pass to ``extend``. Types without a known base type are left out."""
    found: dict[str, str] = {}
    for t in types:
        role = BASE_TYPE_ROLES.get(t.base_type or "")
        if role is not None:
            found[t.name] = role
    return found


def of_types(types: Iterable[AnyType]) -> dict[str, str]:
    """The roles of the types an import wrote, for it to pass to ``extend``: the role their
    MLMD base type implies (``from_base_types``), else their default role (``DEFAULTS``,
    ``none`` included); types with neither are left out.

    Example::

        roles.extend(store, roles.of_types(imported_types))
    """
    given = list(types)
    found = {t.name: DEFAULTS[t.name] for t in given if t.name in DEFAULTS}
    found.update(from_base_types(given))
    return dict(sorted(found.items()))


def missing(store: Store, types: Iterable[AnyType]) -> dict[str, str]:
    """The roles of these types (``of_types``) that the store's mapping does not give them
    already and that no person stored: what an import of them should ``extend`` it with."""
    mapping = current(store)
    return {
        t: r for t, r in of_types(types).items()
        if t not in mapping.stored and (mapping.role_of(t) or NO_ROLE) != r
    }


def learn(store: Store, types: Iterable[AnyType]) -> RoleMap:
    """Store the roles of the types an import wrote that the mapping lacks (``missing``);
    entries a person stored are kept. Nothing is written when the defaults cover the
    vocabulary (TFX, MLflow, lineage-graph's own).
    """
    new = missing(store, types)
    return extend(store, new) if new else current(store)


def query(**explicit: Sequence[str] | None) -> RoleQuery:
    """The ``RoleQuery`` a question passes to the store: the defaults, the stored mapping
    over them (read by the store inside the question's query), and explicit type lists per
    role (``query(model=["Model"])``) over both. None entries are ignored."""
    given = {
        _check_role(role, role): tuple(_check_type_name(t) for t in types)
        for role, types in explicit.items()
        if types is not None
    }
    return RoleQuery(defaults=tuple(sorted(DEFAULTS.items())), explicit=given)
