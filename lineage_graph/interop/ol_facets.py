"""OpenLineage facets on nodes, merged in event-time order (not arrival order).

Each facet is one custom property ``ol.facet.<name>`` holding the facet's JSON exactly (a
STRUCT, or a string/number/... when the producer sent one). A facet the store cannot hold
under that key -- a name outside ``models.PROPERTY_NAME_PATTERN`` or a value nested deeper
than a STRUCT may be -- is kept as JSON text in ``ol.facetText.<hash>`` as
``{"name": ..., "value": ...}``, so nothing is refused and nothing is renamed.

Which event set each facet is recorded in the node's ``ol.meta`` STRUCT (``{"facets":
{name: eventTime}}``, plus sections other modules add). A facet from an event is taken
when that event is newer than the one that set the stored facet; on equal times the
facet whose JSON text sorts last wins, so the result does not depend on arrival order and a
replay changes nothing. ``{"_deleted": true}`` (OpenLineage's deletion marker) removes the
facet, by the same rule.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidInputError
from ..models import Value
from ..store.values import check_value
from .names import property_name
from .ol_events import EventTime

FACET_PREFIX = "ol.facet."
FACET_TEXT_PREFIX = "ol.facetText."
META = "ol.meta"


def canonical_json(value: object) -> str:
    """One text per JSON value (sorted keys): for comparing facets and tie-breaking."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def storable(key: str, value: object) -> bool:
    """Whether ``value`` can be the custom property ``key`` as it is."""
    if property_name(key) != key or value is None:
        return False
    try:
        check_value(value, key)
    except InvalidInputError:
        return False
    return True


def newer(stamp: EventTime, value: object, old_stamp: EventTime | None, old: object) -> bool:
    """Whether a value from an event at ``stamp`` replaces one set at ``old_stamp``."""
    if old_stamp is None:
        return True
    if stamp.us != old_stamp.us:
        return stamp.us > old_stamp.us
    return canonical_json(value) >= canonical_json(old)


def is_deleted(value: object) -> bool:
    return isinstance(value, dict) and value.get("_deleted") is True


@dataclass
class TimedFacets:
    """Facets of one entity with the event time that set each (deleted ones keep a time)."""

    values: dict[str, Any] = field(default_factory=dict)
    times: dict[str, EventTime] = field(default_factory=dict)

    def merge(self, facets: Mapping[str, Any], when: EventTime) -> None:
        """Take each facet of an event at ``when`` that is newer than the stored one."""
        for name, value in facets.items():
            old = self.values.get(name)
            if newer(when, value, self.times.get(name), old):
                self.times[name] = when
                if is_deleted(value):
                    self.values.pop(name, None)
                else:
                    self.values[name] = value

    def times_json(self) -> dict[str, str]:
        return {k: t.text for k, t in sorted(self.times.items())}

    @classmethod
    def from_json(cls, values: Mapping[str, Any], times: object) -> TimedFacets:
        out = cls(values=dict(values))
        if isinstance(times, dict):
            for name, text in times.items():
                try:
                    out.times[name] = EventTime.parse(text)
                except InvalidInputError:
                    continue  # a hand-edited time: the next event for the facet wins
        return out


def facet_props(facets: Mapping[str, Any]) -> dict[str, Value]:
    """Facets as custom properties (``ol.facet.<name>`` or ``ol.facetText.<hash>``)."""
    out: dict[str, Value] = {}
    for name, value in sorted(facets.items()):
        key = FACET_PREFIX + name
        if storable(key, value):
            out[key] = value
        else:
            digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]
            out[FACET_TEXT_PREFIX + digest] = canonical_json({"name": name, "value": value})
    return out


def facets_of(props: Mapping[str, Any]) -> dict[str, Any]:
    """The facets kept in a node's custom properties (the inverse of ``facet_props``)."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        if key.startswith(FACET_PREFIX):
            out[key[len(FACET_PREFIX) :]] = value
        elif key.startswith(FACET_TEXT_PREFIX) and isinstance(value, str):
            try:
                doc = json.loads(value)
            except ValueError:
                continue
            if isinstance(doc, dict) and isinstance(doc.get("name"), str):
                out[doc["name"]] = doc.get("value")
    return out


def meta_of(props: Mapping[str, Any]) -> dict[str, Any]:
    meta = props.get(META)
    return dict(meta) if isinstance(meta, dict) else {}


def timed_facets(props: Mapping[str, Any]) -> TimedFacets:
    """A node's facets with their times (from ``ol.meta``)."""
    return TimedFacets.from_json(facets_of(props), meta_of(props).get("facets"))


def without_facets(props: Mapping[str, Any]) -> dict[str, Value]:
    """Custom properties other than facets (to rebuild a node with merged facets)."""
    return {k: v for k, v in props.items() if not k.startswith((FACET_PREFIX, FACET_TEXT_PREFIX))}


def struct_or_text(key: str, value: Any) -> dict[str, Value]:
    """``{key: value}`` when storable, else ``{key + "Text": JSON text}`` (too deep)."""
    if not value:
        return {}
    if storable(key, value):
        return {key: value}
    return {key + "Text": canonical_json(value)}


def read_struct_or_text(props: Mapping[str, Any], key: str) -> Any:
    """The inverse of ``struct_or_text`` (None when absent)."""
    if key in props:
        return props[key]
    text = props.get(key + "Text")
    if isinstance(text, str):
        try:
            return json.loads(text)
        except ValueError:
            return None
    return None
