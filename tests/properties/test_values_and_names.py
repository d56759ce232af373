"""Hypothesis: property values round-trip exactly; invalid names are refused before any write.

Decisions these tests pin down (see ``lineage_graph.store.validation``):

* ints: the whole signed 64-bit range round-trips; anything wider is ``InvalidInputError``.
* floats: every non-NaN float round-trips bit-exactly, including ``-0.0`` and ``+/-inf``;
  NaN is refused (it is not equal to itself, so filters and idempotent retries could not hold).
  Inside a STRUCT (JSON) only finite floats are accepted.
* strings: any Unicode text round-trips; text with lone surrogates (not encodable as UTF-8)
  is refused.
* STRUCTs: nested dicts (str keys) and lists of None/bool/int/float/str round-trip exactly.

The memory backend runs many examples; Neo4j fewer (each example is a round trip).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage_graph.errors import InvalidInputError
from lineage_graph.models import (
    PROPERTY_NAME_PATTERN,
    RESERVED_LABELS,
    TYPE_NAME_PATTERN,
    Artifact,
    ArtifactType,
    Kind,
    PropertyType,
    Value,
)
from lineage_graph.store.base import Store

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
FLOATS = st.floats(allow_nan=False)  # includes -0.0, +/-inf, subnormals
FINITE = st.floats(allow_nan=False, allow_infinity=False)
TEXT = st.text()  # Hypothesis leaves lone surrogates out by default
SCALARS = st.none() | st.booleans() | INT64 | FINITE | TEXT
STRUCT = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
).filter(lambda x: isinstance(x, (dict, list)))
VALUES = st.booleans() | INT64 | FLOATS | TEXT | STRUCT

DECLARED: dict[PropertyType, st.SearchStrategy[Any]] = {
    PropertyType.INT: INT64,
    PropertyType.DOUBLE: FLOATS,
    PropertyType.STRING: TEXT,
    PropertyType.BOOLEAN: st.booleans(),
    PropertyType.STRUCT: STRUCT,
}
TYPED = ArtifactType(name="Typed", properties={p.value.lower(): p for p in PropertyType})


def _examples(store: Store, memory: int, neo4j: int) -> Callable[[Any], Any]:
    """Hypothesis settings for this backend: many examples in memory, fewer on Neo4j."""
    from lineage_graph.store.memory import MemoryStore

    return settings(
        max_examples=memory if isinstance(store, MemoryStore) else neo4j,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )


def _same(got: object, want: object) -> bool:
    """Exact equality: same types all the way down, floats bit-for-bit (-0.0 is not 0.0)."""
    if type(got) is not type(want):
        return False
    if isinstance(want, float):
        assert isinstance(got, float)
        return math.copysign(1.0, got) == math.copysign(1.0, want) and (
            got == want or (math.isnan(got) and math.isnan(want))
        )
    if isinstance(want, dict):
        assert isinstance(got, dict)
        return got.keys() == want.keys() and all(_same(got[k], want[k]) for k in want)
    if isinstance(want, list):
        assert isinstance(got, list)
        return len(got) == len(want) and all(_same(g, w) for g, w in zip(got, want, strict=False))
    return got == want


def _counts(store: Store) -> tuple[int, ...]:
    return (
        len(store.get_artifacts()),
        *(len(store.get_types(k)) for k in Kind),
    )


# ---- values ---------------------------------------------------------------------------------


def test_custom_property_values_round_trip(store: Store) -> None:
    store.put_types([TYPED])

    @_examples(store, memory=400, neo4j=40)
    @given(value=VALUES)
    def run(value: Any) -> None:
        [aid] = store.put_artifacts([Artifact(type="Typed", custom_properties={"v": value})])
        [got] = store.get_artifacts_by_id([aid])
        assert _same(got.custom_properties["v"], value), (got.custom_properties["v"], value)

    run()


def test_declared_property_values_round_trip(store: Store) -> None:
    store.put_types([TYPED])

    @_examples(store, memory=300, neo4j=30)
    @given(data=st.data(), ptype=st.sampled_from(list(PropertyType)))
    def run(data: st.DataObject, ptype: PropertyType) -> None:
        value = data.draw(DECLARED[ptype])
        props = {ptype.value.lower(): value}
        [aid] = store.put_artifacts([Artifact(type="Typed", properties=props)])
        [got] = store.get_artifacts_by_id([aid])
        assert _same(got.properties, props)

    run()


def test_values_out_of_range_are_refused_and_not_written(store: Store) -> None:
    store.put_types([TYPED])
    too_wide = st.integers(min_value=2**63) | st.integers(max_value=-(2**63) - 1)
    surrogates = st.text(st.characters(categories=["Cs"]), min_size=1)
    bad = (
        too_wide
        | st.just(float("nan"))
        | surrogates
        | st.lists(st.sampled_from([float("inf"), float("-inf"), float("nan")]), min_size=1)
        | st.dictionaries(TEXT, too_wide, min_size=1)
    )

    @_examples(store, memory=200, neo4j=20)
    @given(value=bad, custom=st.booleans())
    def run(value: Any, custom: bool) -> None:
        before = _counts(store)
        node = (
            Artifact(type="Typed", custom_properties={"v": value})
            if custom
            else Artifact(type="Typed", properties={"int": value})
        )
        with pytest.raises(InvalidInputError) as info:
            store.put_artifacts([Artifact(type="Typed"), node])
        field = info.value.field or ""
        assert field.startswith("custom_properties.v" if custom else "properties.int")
        assert _counts(store) == before

    run()


# ---- names ----------------------------------------------------------------------------------

VALID_TYPE_NAMES = st.from_regex(TYPE_NAME_PATTERN, fullmatch=True).filter(
    lambda n: n.replace(".", "_") not in RESERVED_LABELS
)
INVALID_TYPE_NAMES = st.text(max_size=70).filter(lambda n: not TYPE_NAME_PATTERN.match(n)) | (
    st.sampled_from(sorted(RESERVED_LABELS))
)
INVALID_PROPERTY_NAMES = st.text(max_size=140).filter(lambda n: not PROPERTY_NAME_PATTERN.match(n))
# Names built to break out of a quoted label or key if they ever reached Cypher text.
HOSTILE = st.sampled_from(
    [
        "a`b",
        "x`) DETACH DELETE (n",
        "a b",
        "a:B",
        "a\nb",
        "'",
        '"',
        "a}",
        "$p",
        "`",
        "a;b",
        "1abc",
        "",
        " ",
        "a\u0000b",
        "ä",
    ]
)


def test_valid_type_names_round_trip(store: Store) -> None:
    @_examples(store, memory=300, neo4j=25)
    @given(name=VALID_TYPE_NAMES)
    def run(name: str) -> None:
        tid = store.put_artifact_type(ArtifactType(name=name))
        assert store.get_artifact_type(name).id == tid
        [aid] = store.put_artifacts([Artifact(type=name)])
        assert [a.id for a in store.get_artifacts_by_type(name)][-1] == aid

    run()


def test_invalid_type_names_are_refused_before_any_write(store: Store) -> None:
    @_examples(store, memory=400, neo4j=30)
    @given(name=INVALID_TYPE_NAMES | HOSTILE)
    def run(name: str) -> None:
        before = _counts(store)
        with pytest.raises(InvalidInputError) as info:
            store.put_types([ArtifactType(name="Fine"), ArtifactType(name=name)])
        assert (info.value.field, info.value.value) == ("name", name)
        with pytest.raises(InvalidInputError) as info:
            store.put_artifacts([Artifact(type=name)])
        assert (info.value.field, info.value.value) == ("type", name)
        with pytest.raises(InvalidInputError):
            store.get_artifacts_by_type(name)  # a filter is checked too, not spliced
        assert _counts(store) == before

    run()


def test_invalid_property_names_are_refused_before_any_write(store: Store) -> None:
    store.put_types([TYPED])

    @_examples(store, memory=400, neo4j=30)
    @given(name=INVALID_PROPERTY_NAMES | HOSTILE, custom=st.booleans())
    def run(name: str, custom: bool) -> None:
        before = _counts(store)
        field = f"custom_properties.{name}" if custom else f"properties.{name}"
        node = (
            Artifact(type="Typed", custom_properties={name: 1})
            if custom
            else Artifact(type="Typed", properties={name: 1})
        )
        with pytest.raises(InvalidInputError) as info:
            store.put_artifacts([Artifact(type="Typed"), node])
        assert (info.value.field, info.value.value) == (field, name)
        with pytest.raises(InvalidInputError) as info:
            store.put_artifact_type(ArtifactType(name="Other", properties={name: PropertyType.INT}))
        assert info.value.field == f"properties.{name}"
        assert _counts(store) == before

    run()


def test_valid_property_names_round_trip(store: Store) -> None:
    store.put_types([TYPED])

    @_examples(store, memory=300, neo4j=25)
    @given(
        names=st.lists(
            st.from_regex(PROPERTY_NAME_PATTERN, fullmatch=True),
            min_size=1,
            max_size=5,
            unique=True,
        )
    )
    def run(names: list[str]) -> None:
        props: dict[str, Value] = {n: i for i, n in enumerate(names)}
        [aid] = store.put_artifacts([Artifact(type="Typed", custom_properties=props)])
        assert store.get_artifacts_by_id([aid])[0].custom_properties == props

    run()
