"""The storage port: what a backend must do inside one write transaction, and nothing more.

Every write rule (validation, equal-content retries, name and external-id claims, reuse
options, the attribution/association product) lives once in ``store.rules``; a backend only
looks things up and writes what the rules decided. A port object lives for one transaction:
the Neo4j port wraps a managed transaction, the memory port the undo-logged state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from ..answers import Incident
from ..models import AnyType, Association, Attribution, Event, Kind, Node, ParentContext, Reuse


class NodeKeys(NamedTuple):
    """What a batch of nodes refers to: ids, (type, name)s and external ids (each sorted)."""

    ids: Sequence[int]
    names: Sequence[tuple[str, str]]
    external_ids: Sequence[str]


@dataclass(frozen=True, slots=True)
class NodeWrite:
    """One node as it is to be stored: the rules have fixed its id, times and ``seq``."""

    node: Node
    node_id: int
    label: str
    create_time: int
    update_time: int
    seq: int


class WritePort(Protocol):
    """One write transaction of a backend. Raising anywhere rolls everything back."""

    def stored_types(self) -> Mapping[Kind, Mapping[str, AnyType]]:
        """Every stored type, by kind and name (read once per transaction)."""
        ...

    def write_types(self, kind: Kind, types: Sequence[AnyType]) -> None:
        """Insert or replace these types (each has its id)."""
        ...

    def reserve(self, counts: Mapping[str, int]) -> dict[str, int]:
        """Advance each counter by its count; the first number of each reserved range."""
        ...

    def raise_counter(self, counter: str, at_least: int) -> None:
        """Move a counter up to ``at_least`` (imports keep their ids)."""
        ...

    def find_nodes(self, kind: Kind, keys: NodeKeys) -> list[Node]:
        """Stored nodes having any of these ids, (type, name)s or external ids."""
        ...

    def write_nodes(
        self, kind: Kind, updates: Sequence[NodeWrite], creates: Sequence[NodeWrite]
    ) -> None:
        """Replace ``updates`` (they exist), then insert ``creates`` (they do not)."""
        ...

    def existing_ids(self, kind: Kind, ids: Sequence[int]) -> set[int]:
        """Which of these ids exist."""
        ...

    def write_events(self, events: Sequence[Event]) -> tuple[int, int]:
        """MERGE events (timestamps set; a known event keeps its first timestamp).

        Returns:
            (events whose two ends exist, events newly created). An event with a missing
            end is not written.
        """
        ...

    def write_links(
        self, attributions: Sequence[Attribution], associations: Sequence[Association]
    ) -> int:
        """MERGE links; returns how many had both ends (the others are not written)."""
        ...

    def context_ancestry(self, ids: Sequence[int]) -> tuple[set[int], list[tuple[int, int]]]:
        """Which of these contexts exist, and every (child, parent) edge above them."""
        ...

    def write_parents(self, links: Sequence[ParentContext]) -> None:
        """MERGE CHILD_OF links (both ends exist, no cycle: checked by the rules)."""
        ...

    def write_reuses(self, links: Sequence[Reuse]) -> int:
        """MERGE REUSED links; returns how many had both ends (the others are not written)."""
        ...

    def delete_nodes(self, kind: Kind, ids: Sequence[int]) -> int:
        """Delete nodes with every edge touching them; returns how many existed."""
        ...

    def write_incidents(self, incidents: Sequence[Incident]) -> int:
        """Insert incidents under their ids with what they reached (imports; every end
        exists: checked by the rules); an id already stored is left as it is. Open ones mark
        what they found or reached as tainted. Returns how many were created."""
        ...
