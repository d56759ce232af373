"""The demo end to end on real Neo4j: it loads, answers the eight questions, and a second load
duplicates nothing. The in-memory store, loaded the same way, gives the same answers."""

from __future__ import annotations

from typing import Any

from lineage_graph import demo
from lineage_graph.store.memory import MemoryStore
from lineage_graph.store.neo4j import Neo4jStore


def _without_times(value: Any) -> Any:
    """Answers minus store-assigned times (create_time differs between the two loads)."""
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items()
                if k not in ("create_time", "created")}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def test_history_is_deterministic() -> None:
    first, second = demo.history(), demo.history()
    assert [b.title for b in first] == [b.title for b in second]
    assert [b.artifacts for b in first] == [b.artifacts for b in second]
    assert [b.executions for b in first] == [b.executions for b in second]
    counts = demo.expected_counts()
    # 4 raw families x 6 weeks, 3 pipelines x 6 weekly runs, one failed Trainer.
    assert counts["contexts"] == 3 + 18 + 3 + 1  # pipelines, runs, deployments, an alias
    # One rollback and two alias moves, recorded as executions.
    assert [(e.action, e.name) for e in demo.deployment_events()] == [
        ("alias", "churn-prediction-champion"), ("rollback", "churn-prediction-prod"),
        ("alias", "churn-prediction-champion")]


def test_demo_end_to_end(neo4j_store: Neo4jStore) -> None:
    steps: list[tuple[int, int, str]] = []
    ids = demo.load(neo4j_store, lambda done, total, title: steps.append((done, total, title)))
    assert steps[-1][0] == steps[-1][1] and len(steps) == len(demo.history()) + 3

    stats = neo4j_store.stats()
    counts = ids.counts
    assert (stats["artifacts"], stats["executions"], stats["contexts"]) == (
        counts["artifacts"], counts["executions"], counts["contexts"])

    answers = {a.number: a.answer for a in demo.answers(neo4j_store, ids)}
    assert sorted(answers) == list(range(1, 9))
    # 1. datasets: both customer-events snapshots and crm-accounts of week 15
    names = {d["name"] for d in answers[1]}
    assert {"customer-events-2024-w14", "customer-events-2024-w15",
            "crm-accounts-2024-w15"} <= names
    # 2. hyperparameters of the producing Trainer
    assert answers[2]["batch_size"] == 256 and answers[2]["learning_rate"] == 0.03
    # 3. pipeline and run
    assert {c["name"] for c in answers[3]["contexts"]} == {
        "churn-prediction", "churn-prediction-2024-w15"}
    # 4. versions
    assert answers[4]["environment"]["xgboost"] == "2.0.3"
    assert answers[4]["code"]["code_version"] == "churn-prediction@1.6.0"
    # 5. why the week-14 fraud run failed: the error, and batch_size changed
    (failed,) = answers[5]
    assert failed["failed"]["execution"]["id"] == ids.failed_execution
    assert "CUDA out of memory" in failed["failed"]["custom_properties"]["error"]
    assert any(c["field"] == "batch_size" and c["after"] == 1024
               for c in failed["diff"]["changes"])
    # ... compared with fraud-detection's own previous Trainer (week 13), not with the newer
    # week-14 Trainer of churn-prediction, which ran just before it in another pipeline.
    previous = failed["last_success"]
    assert previous["execution"]["name"] == f"{demo.run_name('fraud-detection', 13)}/Trainer"
    assert "fraud-detection" in {c["name"] for c in previous["contexts"] + previous["ancestors"]}
    # 6. prod was rolled back: week 15 was pushed last, but week 13 is live again
    (prod,) = answers[6]["targets"]
    assert prod["target"]["name"] == "churn-prediction-prod"
    assert prod["live"]["action"] == "rollback"
    assert prod["live"]["model"]["name"] == "churn-prediction-model-2024-w13"
    assert prod["live"]["at"] == demo.deployment_events()[1].at
    assert [(e["action"], e["model"]["name"][-3:], e["at"]) for e in prod["history"]] == [
        ("push", "w10", demo.push_time("churn-prediction", 10)),
        ("push", "w12", demo.push_time("churn-prediction", 12)),
        ("push", "w13", demo.push_time("churn-prediction", 13)),
        ("push", "w15", demo.push_time("churn-prediction", 15)),
        ("rollback", "w13", demo.deployment_events()[1].at),
    ]
    # 7. models on customer-events week 13: per pipeline, the newest against the model
    # deployed before it was trained; auc is read on the models themselves.
    seven = answers[7]
    assert seven["metric_found"] and seven["mixed"]
    per = {p["pipeline"]["name"]: p for p in seven["pipelines"]}
    assert [(r["model"]["name"], r["metric"]) for r in per["churn-prediction"]["models"]] == [
        ("churn-prediction-model-2024-w13", 0.859), ("churn-prediction-model-2024-w14", 0.851)]
    assert per["churn-prediction"]["newest"]["model"]["name"] == "churn-prediction-model-2024-w14"
    assert (per["churn-prediction"]["baseline"]["model"]["name"]
            == "churn-prediction-model-2024-w13")
    assert per["churn-prediction"]["better"] is False
    assert [(r["model"]["name"], r["metric"]) for r in per["fraud-detection"]["models"]] == [
        ("fraud-detection-model-2024-w13", 0.92)]
    assert per["fraud-detection"]["baseline"]["model"]["name"] == "fraud-detection-model-2024-w12"
    assert per["fraud-detection"]["baseline"]["metric"] == 0.924
    assert per["fraud-detection"]["better"] is False
    # 8. the corrupt week-12 events reached the week-12/13 models of two pipelines
    models = {t["node"]["name"] for t in answers[8]["models"]}
    assert models == {"churn-prediction-model-2024-w12", "fraud-detection-model-2024-w12",
                      "churn-prediction-model-2024-w13", "fraud-detection-model-2024-w13"}
    deployed = {t["node"]["name"] for t in answers[8]["deployments"]}
    assert "churn-prediction-prod-2024-w13" in deployed
    assert "demand-forecast-prod" not in deployed
    # ... and the rollback to week 13 (recorded before the incident), so the live prod model
    # is on the cleanup list too.
    assert "churn-prediction-prod/rollback@2024-04-09T09:30:00.000Z" in deployed

    # Running it again duplicates nothing: same ids, same counts, still one incident.
    again = demo.load(neo4j_store)
    assert again == ids
    assert neo4j_store.stats() == stats
    assert demo.answers(neo4j_store, again) == demo.answers(neo4j_store, ids)

    # The reference backend agrees, answer for answer.
    memory = MemoryStore()
    mem_ids = demo.load(memory)
    for ours, theirs in zip(demo.answers(neo4j_store, ids), demo.answers(memory, mem_ids),
                            strict=True):
        assert _without_times(ours.answer) == _without_times(theirs.answer), ours.question
