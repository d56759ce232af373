"""Value objects: MLMD's vocabulary as frozen pydantic v2 models.

Times are integers, milliseconds since the Unix epoch (MLMD's ``*_time_since_epoch``).
Ids are integers assigned by the store, unique per kind (artifact, execution, context, type).
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

# A property value. Strict types keep 1, 1.0 and True apart; dict/list is MLMD's STRUCT.
Value: TypeAlias = StrictBool | StrictInt | StrictFloat | StrictStr | dict[str, Any] | list[Any]


class Kind(str, Enum):
    """The three node kinds of the metadata graph."""

    ARTIFACT = "artifact"
    EXECUTION = "execution"
    CONTEXT = "context"

    @property
    def label(self) -> str:
        """The Neo4j label every node of this kind carries."""
        return self.value.capitalize()


class PropertyType(str, Enum):
    INT = "INT"
    DOUBLE = "DOUBLE"
    STRING = "STRING"
    STRUCT = "STRUCT"
    BOOLEAN = "BOOLEAN"


class ArtifactState(str, Enum):
    UNKNOWN = "UNKNOWN"
    PENDING = "PENDING"
    LIVE = "LIVE"
    MARKED_FOR_DELETION = "MARKED_FOR_DELETION"
    DELETED = "DELETED"
    ABANDONED = "ABANDONED"
    REFERENCE = "REFERENCE"


class ExecutionState(str, Enum):
    UNKNOWN = "UNKNOWN"
    NEW = "NEW"
    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"
    CACHED = "CACHED"
    CANCELED = "CANCELED"


class EventType(str, Enum):
    """MLMD event types: input kinds point artifact -> execution, output kinds the other way."""

    INPUT = "INPUT"
    OUTPUT = "OUTPUT"
    DECLARED_INPUT = "DECLARED_INPUT"
    DECLARED_OUTPUT = "DECLARED_OUTPUT"
    INTERNAL_INPUT = "INTERNAL_INPUT"
    INTERNAL_OUTPUT = "INTERNAL_OUTPUT"
    PENDING_OUTPUT = "PENDING_OUTPUT"

    @property
    def is_input(self) -> bool:
        return self in _INPUT_EVENTS


_INPUT_EVENTS = frozenset({EventType.INPUT, EventType.DECLARED_INPUT, EventType.INTERNAL_INPUT})
INPUT_EVENT_TYPES: tuple[EventType, ...] = tuple(e for e in EventType if e.is_input)
OUTPUT_EVENT_TYPES: tuple[EventType, ...] = tuple(e for e in EventType if not e.is_input)

# Type names: MLMD style, optionally dotted (``mlmd.Dataset``, and TFX class paths such as
# ``tfx.components.trainer.component.Trainer``). See ``type_label``.
TYPE_NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}(\.[A-Za-z][A-Za-z0-9_]{0,62}){0,11}$")
# Property names become parts of Neo4j property keys (always backtick-quoted, never labels).
PROPERTY_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,127}$")
# Labels the store itself uses; a type whose label would collide with one of them is refused.
RESERVED_LABELS = frozenset(
    {"Artifact", "Execution", "Context", "Incident", "Counter", "SchemaVersion",
     "ArtifactType", "ExecutionType", "ContextType", "Subscription", "Barrier",
     "Failed", "Tainted"}
)


def type_label(type_name: str) -> str:
    """The Neo4j label for a validated type name: dots become underscores.

    ``mlmd.Dataset`` -> ``mlmd_Dataset``; ``Model`` -> ``Model``. The node's ``type``
    property keeps the exact name; the label exists for the Browser and for index use.

    Raises:
        ValueError: the name does not match TYPE_NAME_PATTERN or maps to a reserved label.
    """
    if not isinstance(type_name, str) or not TYPE_NAME_PATTERN.match(type_name):
        raise ValueError(
            f"type name {type_name!r} is invalid: use letters, digits and underscores, "
            "optionally dotted (e.g. 'Model', 'mlmd.Dataset')"
        )
    label = type_name.replace(".", "_")
    if label in RESERVED_LABELS:
        raise ValueError(f"type name {type_name!r} is reserved by lineage-graph")
    return label


_Frozen = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class _TypeBase(BaseModel):
    model_config = _Frozen

    id: StrictInt | None = None
    name: StrictStr
    version: str | None = None
    description: str | None = None
    base_type: str | None = None
    properties: dict[str, PropertyType] = Field(default_factory=dict)


class ArtifactType(_TypeBase):
    kind: Literal[Kind.ARTIFACT] = Kind.ARTIFACT


class ExecutionType(_TypeBase):
    kind: Literal[Kind.EXECUTION] = Kind.EXECUTION


class ContextType(_TypeBase):
    kind: Literal[Kind.CONTEXT] = Kind.CONTEXT


AnyType: TypeAlias = ArtifactType | ExecutionType | ContextType


class _NodeBase(BaseModel):
    model_config = _Frozen

    id: StrictInt | None = None
    type: StrictStr
    name: StrictStr | None = None
    external_id: StrictStr | None = None
    properties: dict[str, Value] = Field(default_factory=dict)
    custom_properties: dict[str, Value] = Field(default_factory=dict)
    create_time: StrictInt | None = None
    update_time: StrictInt | None = None
    # Store-wide change number, set by the store on every insert or update: a durable cursor
    # for subscribers (commit order, since writers serialise on the store's counter).
    seq: StrictInt | None = None


class Artifact(_NodeBase):
    kind: Literal[Kind.ARTIFACT] = Kind.ARTIFACT
    uri: StrictStr | None = None
    state: ArtifactState = ArtifactState.UNKNOWN


class Execution(_NodeBase):
    kind: Literal[Kind.EXECUTION] = Kind.EXECUTION
    last_known_state: ExecutionState = ExecutionState.UNKNOWN


class Context(_NodeBase):
    kind: Literal[Kind.CONTEXT] = Kind.CONTEXT


Node: TypeAlias = Artifact | Execution | Context

# One step of an event path: a list index or a dict key (MLMD's Event.Path.Step).
PathStep: TypeAlias = StrictInt | StrictStr


class Event(BaseModel):
    """An artifact read or written by an execution; ``path`` names its slot: ["examples", 0]."""

    model_config = _Frozen

    artifact_id: StrictInt
    execution_id: StrictInt
    type: EventType
    path: tuple[PathStep, ...] = ()
    timestamp: StrictInt | None = None


class Attribution(BaseModel):
    model_config = _Frozen

    artifact_id: StrictInt
    context_id: StrictInt


class Association(BaseModel):
    model_config = _Frozen

    execution_id: StrictInt
    context_id: StrictInt


class ParentContext(BaseModel):
    model_config = _Frozen

    child_id: StrictInt
    parent_id: StrictInt


class Reuse(BaseModel):
    """Memoization: the CACHED execution ``execution_id`` reused the outputs of ``original_id``."""

    model_config = _Frozen

    execution_id: StrictInt
    original_id: StrictInt


class ArtifactAndEvent(BaseModel):
    """An artifact (new or existing) with the event linking it to an execution in put_execution.

    The event's ``artifact_id``/``execution_id`` are filled by the store, so ``event_type``
    and ``path`` are all the caller gives.
    """

    model_config = _Frozen

    artifact: Artifact
    event_type: EventType | None = None
    path: tuple[PathStep, ...] = ()


class PutExecutionResult(BaseModel):
    model_config = _Frozen

    execution_id: int
    artifact_ids: list[int]
    context_ids: list[int]


class PropertyFilter(BaseModel):
    """``property`` op ``value``; ``custom`` chooses custom_properties over declared ones."""

    model_config = _Frozen

    name: str
    op: Literal["=", "!=", "<", "<=", ">", ">="] = "="
    value: StrictBool | StrictInt | StrictFloat | StrictStr
    custom: bool = False


OrderField: TypeAlias = Literal["id", "create_time", "update_time", "name", "seq", "type"]


class ListOptions(BaseModel):
    """Filters, order and paging for listing artifacts, executions or contexts.

    All filters are ANDed. ``cursor`` is the opaque ``next_cursor`` of the previous page.
    """

    model_config = _Frozen

    type: str | None = None
    types: tuple[str, ...] | None = None
    name: str | None = None
    name_glob: str | None = None  # shell-style: * any run, ? one character, the rest literal
    uri: str | None = None
    external_ids: tuple[str, ...] | None = None
    states: tuple[str, ...] | None = None
    context_id: int | None = None  # artifacts/executions attributed/associated to this context
    artifact_id: int | None = None  # contexts this artifact is attributed to
    execution_id: int | None = None  # contexts this execution is associated with
    properties: tuple[PropertyFilter, ...] = ()
    create_time_min: int | None = None  # inclusive
    create_time_max: int | None = None  # exclusive
    update_time_min: int | None = None
    update_time_max: int | None = None
    changed_after: int | None = None  # only nodes whose ``seq`` is greater
    order_by: OrderField = "id"
    descending: bool = False
    limit: int | None = Field(default=None, ge=1)
    cursor: str | None = None


class Page(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    items: list[Any]
    next_cursor: str | None = None


def kind_of(node: Node | AnyType) -> Kind:
    return node.kind


_NODE_CLASSES: dict[Kind, type[Artifact | Execution | Context]] = {
    Kind.ARTIFACT: Artifact,
    Kind.EXECUTION: Execution,
    Kind.CONTEXT: Context,
}
_TYPE_CLASSES: dict[Kind, type[ArtifactType | ExecutionType | ContextType]] = {
    Kind.ARTIFACT: ArtifactType,
    Kind.EXECUTION: ExecutionType,
    Kind.CONTEXT: ContextType,
}


def node_class(kind: Kind) -> type[Artifact | Execution | Context]:
    return _NODE_CLASSES[kind]


def type_class(kind: Kind) -> type[ArtifactType | ExecutionType | ContextType]:
    return _TYPE_CLASSES[kind]
