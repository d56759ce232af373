"""The demo end to end on real Neo4j: it loads, answers the eight questions, and a second load
duplicates nothing. The in-memory store, loaded the same way, gives the same answers."""

from __future__ import annotations

from typing import Any

from lineage_graph import demo, lineage, questions
from lineage_graph.store.base import Store
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
    # 4 raw families x 6 weeks, 3 pipelines x 6 weekly runs and a cached re-run, one failed
    # Trainer.
    assert counts["contexts"] == 3 + 18 + 1 + 3 + 1  # pipelines, runs, deployments, an alias
    rerun = first[-1]
    assert [(e.name, e.last_known_state.value) for e in rerun.executions] == [
        ("demand-forecast-2024-w15-rerun/ExampleGen", "CACHED"),
        ("demand-forecast-2024-w15-rerun/Trainer", "CACHED"),
        ("demand-forecast-2024-w15-rerun/Evaluator", "CACHED")]
    # It holds the week's outputs but wrote none: only INPUT events.
    assert {ev.type.value for _, _, ev in rerun.events} == {"INPUT"}
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
    # ... and the week-13 model live again was trained on the corrupt week-12 events: it
    # carries the open incident (the week-15 model, clean, carries none).
    assert prod["live"]["model"]["incidents"] == [ids.incident]
    assert [e["model"]["incidents"] for e in prod["history"]][-2:] == [[], [ids.incident]]
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

    _cached_rerun_and_false_alarm(neo4j_store, ids)

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
    assert mem_ids == ids
    _cached_rerun_and_false_alarm(memory, mem_ids)


def test_printed_deployed_answer_warns_about_the_open_incident_only() -> None:
    from lineage_graph.cli.query import _summary  # the lines `lineage-graph demo` prints

    store = MemoryStore()
    ids = demo.load(store)
    (six,) = [a for a in demo.answers(store, ids) if a.number == 6]
    assert _summary(six) == [
        "churn-prediction-prod: Model churn-prediction-model-2024-w13 (rollback, "
        f"2024-04-09 09:30)  TAINTED (incident #{ids.incident})",
        f"  2024-03-25 03:35  push     churn-prediction-model-2024-w13  TAINTED (incident "
        f"#{ids.incident})",
        "  2024-04-08 03:35  push     churn-prediction-model-2024-w15",
        f"  2024-04-09 09:30  rollback churn-prediction-model-2024-w13  TAINTED (incident "
        f"#{ids.incident})",
    ]
    # The false alarm on store-calendar week 11 was resolved: nothing printed carries it.
    printed = "\n".join(line for a in demo.answers(store, ids) for line in _summary(a))
    assert f"#{ids.resolved_incident}" not in printed


def _cached_rerun_and_false_alarm(store: Store, ids: demo.DemoIds) -> None:
    """The cached re-run of demand-forecast week 15 computed nothing; the false alarm on
    store-calendar week 11 is resolved and travels with no node."""
    model = store.get_artifact_by_type_and_name("Model", demo.model_name("demand-forecast", 15))
    assert model is not None and model.id is not None
    run = questions.pipeline_and_run(store, model.id)
    assert run.execution.name == "demand-forecast-2024-w15/Trainer"
    assert [c.name for c in run.contexts] == ["demand-forecast", "demand-forecast-2024-w15"]
    up = lineage.upstream(store, lineage.artifact(model.id))
    assert [n.name for n in up.executions] == [
        "demand-forecast-2024-w15/ExampleGen", "demand-forecast-2024-w15/Trainer"]
    cached = [e for e in store.get_executions() if e.last_known_state.value == "CACHED"]
    reuses = store.get_reuses(execution_ids=[e.id for e in cached if e.id is not None])
    names = {e.id: e.name for e in store.get_executions()}
    assert sorted((names[r.execution_id], names[r.original_id]) for r in reuses) == [
        (f"demand-forecast-2024-w15-rerun/{s}", f"demand-forecast-2024-w15/{s}")
        for s in ("Evaluator", "ExampleGen", "Trainer")]
    # The re-run holds the week's model (attributed to it) without being its producer.
    held = store.get_artifacts_by_context(
        _context_id(store, "PipelineRun", "demand-forecast-2024-w15-rerun"))
    assert demo.model_name("demand-forecast", 15) in {a.name for a in held}
    calendar = store.get_artifact_by_type_and_name("Dataset", "store-calendar-2024-w15")
    assert calendar is not None and calendar.id is not None
    on = questions.models_trained_on(store, calendar.id, demo.METRIC)
    assert [r.model.name for r in on.models] == [demo.model_name("demand-forecast", 15)]

    false_alarm = lineage.incident(store, ids.resolved_incident)
    assert (false_alarm.status, false_alarm.reason, false_alarm.resolution) == (
        "RESOLVED", demo.FALSE_ALARM_REASON, demo.FALSE_ALARM_RESOLUTION)
    reached = {t.node.name for t in false_alarm.reached or []}
    assert {demo.model_name("demand-forecast", 11), "demand-forecast-prod-2024-w11"} <= reached
    assert all(t.node.incidents == () for t in false_alarm.reached or [])
    history = questions.deployments(store, lineage.context(
        _context_id(store, "Deployment", "demand-forecast-prod")))
    (target,) = history.targets
    assert [(e.model.name[-3:], e.model.incidents) for e in target.history if e.model] == [
        ("w11", ()), ("w13", ()), ("w15", ())]
    assert [i.id for i in lineage.incidents(store, "OPEN")] == [ids.incident]


def _context_id(store: Store, type_name: str, name: str) -> int:
    found = store.get_context_by_type_and_name(type_name, name)
    assert found is not None and found.id is not None
    return found.id
