"""What tracking records is what the questions read: no system field passes for a parameter."""

from __future__ import annotations

from lineage_graph import answers
from lineage_graph.tracking import fields


def test_every_system_field_is_known_to_the_answers() -> None:
    known = {*answers.CODE_KEYS, *answers.ENV_KEYS, *answers.ERROR_KEYS,
             answers.ENVIRONMENT_STRUCT, *answers.TRACKING_KEYS}
    assert known >= fields.SYSTEM_EXECUTION_FIELDS, fields.SYSTEM_EXECUTION_FIELDS - known
    assert fields.ERROR_MESSAGE in answers.ERROR_KEYS and fields.ERROR_TYPE in answers.ERROR_KEYS
    assert fields.ENVIRONMENT == answers.ENVIRONMENT_STRUCT


def test_a_snapshot_separates_parameters_from_what_tracking_adds() -> None:
    node = answers.LineageNode.model_validate(
        {"kind": "execution", "id": 1, "type": "train", "name": "r/train", "state": "COMPLETE"})
    custom = dict.fromkeys(fields.SYSTEM_EXECUTION_FIELDS, "x") | {"lr": 0.1}
    snap = answers.ExecutionSnapshot(execution=node, properties={"C": 1.0},
                                     custom_properties=custom)
    assert snap.parameters == {"C": 1.0, "lr": 0.1}
