"""A re-import sees a value whose type changed (1 -> 1.0, 1 -> True) as a change.

MLMD keeps a property's value in one of several typed columns. When only the column changes
(an int property rewritten as a double or a bool), everything else about the node, its
update time included, can stay the same: the re-import must still bring the new value, typed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ml_metadata.proto import metadata_store_pb2 as pb

from lineage_graph.interop.mlmd import import_mlmd, open_mlmd
from lineage_graph.store.base import Store

from .mlmd_history import open_rw


def _store_with_ints(path: Path) -> int:
    rw = open_rw(path)
    [type_id] = [rw.put_artifact_type(pb.ArtifactType(name="Dataset"))]
    a = pb.Artifact(type_id=type_id, name="d", uri="/d")
    a.custom_properties["as_double"].int_value = 1
    a.custom_properties["as_bool"].int_value = 1
    a.custom_properties["kept"].int_value = 1
    [artifact_id] = rw.put_artifacts([a])
    return int(artifact_id)


def _retype_in_place(path: Path, artifact_id: int) -> None:
    """What MLMD's SQLite holds after the two values changed type and nothing else."""
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE ArtifactProperty SET int_value = NULL, double_value = 1.0 "
            "WHERE artifact_id = ? AND name = 'as_double'",
            (artifact_id,),
        )
        db.execute(
            "UPDATE ArtifactProperty SET int_value = NULL, bool_value = 1 "
            "WHERE artifact_id = ? AND name = 'as_bool'",
            (artifact_id,),
        )


def test_reimport_lands_values_that_only_changed_type(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "mlmd.sqlite"
    artifact_id = _store_with_ints(path)
    first = import_mlmd(store, open_mlmd(path))
    assert first.new["artifact"] == 1
    [before] = store.get_artifacts_by_id([artifact_id])
    assert before.custom_properties == {"as_double": 1, "as_bool": 1, "kept": 1}

    _retype_in_place(path, artifact_id)
    again = import_mlmd(store, open_mlmd(path))

    assert again.updated["artifact"] == 1
    assert again.unchanged["artifact"] == 0
    [after] = store.get_artifacts_by_id([artifact_id])
    props = after.custom_properties
    assert props == {"as_double": 1.0, "as_bool": True, "kept": 1}
    assert type(props["as_double"]) is float
    assert type(props["as_bool"]) is bool
    assert type(props["kept"]) is int
    assert after.update_time == before.update_time  # MLMD's time, kept as MLMD has it
    assert after.seq is not None and before.seq is not None and after.seq > before.seq

    third = import_mlmd(store, open_mlmd(path))
    assert third.unchanged["artifact"] == 1 and third.updated["artifact"] == 0
    [still] = store.get_artifacts_by_id([artifact_id])
    assert still.seq == after.seq  # an unchanged re-import writes nothing
