"""Story: an Airflow DAG reports OpenLineage events (prepare -> train -> evaluate, then a train
run that fails). OpenLineage has datasets and jobs only, so the import tells the roles which
job trains (``roles.extend``) and which evaluates; then the eight questions answer with the
right roles on both backends: the training job's output is the model, its ``ol.*`` run facets
are not hyperparameters."""

from __future__ import annotations

from typing import Any

import pytest

from lineage_graph import deployments as D
from lineage_graph import lineage as L
from lineage_graph import questions as Q
from lineage_graph import roles
from lineage_graph.interop.openlineage import OpenLineageIngest, job_type_name
from lineage_graph.models import Kind
from lineage_graph.store.base import Store

PRODUCER = "https://github.com/apache/airflow/tree/providers-openlineage/1.8.0"
SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
DAG_RUN = "01890000-0000-7000-8000-000000000000"


def _event(kind: str, minute: int, run: str, job: str, inputs: list[str],
           outputs: list[str], **facets: Any) -> dict[str, Any]:
    return {
        "eventType": kind,
        "eventTime": f"2024-05-01T10:{minute:02d}:00Z",
        "producer": PRODUCER,
        "schemaURL": SCHEMA,
        "run": {"runId": run, "facets": {
            "parent": {"_producer": PRODUCER, "_schemaURL": SCHEMA,
                       "run": {"runId": DAG_RUN},
                       "job": {"namespace": "airflow", "name": "churn_dag"}},
            **facets,
        }},
        "job": {"namespace": "airflow", "name": job},
        "inputs": [{"namespace": "s3://lake", "name": n} for n in inputs],
        "outputs": [{"namespace": "s3://lake", "name": n} for n in outputs],
    }


def _run_id(n: int) -> str:
    return f"01890000-0000-7000-8000-{n:012d}"


TAGS = {"_producer": PRODUCER, "_schemaURL": SCHEMA, "tags": [{"key": "team", "value": "ml"}]}
EVENTS = [
    _event("START", 0, _run_id(1), "prepare", ["raw_orders"], []),
    _event("COMPLETE", 5, _run_id(1), "prepare", ["raw_orders"], ["features"]),
    _event("START", 6, _run_id(2), "ml.train", ["features"], [], tags=TAGS),
    _event("COMPLETE", 20, _run_id(2), "ml.train", ["features"], ["churn_model"], tags=TAGS),
    _event("COMPLETE", 25, _run_id(3), "ml.evaluate", ["churn_model", "features"],
           ["churn_metrics"]),
    _event("FAIL", 40, _run_id(4), "ml.train", ["features"], [], tags=TAGS, errorMessage={
        "_producer": PRODUCER, "_schemaURL": SCHEMA, "message": "CUDA out of memory",
        "programmingLanguage": "python"}),
]


@pytest.fixture
def dag(store: Store) -> dict[str, int]:
    ingest = OpenLineageIngest(store)
    for event in EVENTS:
        ingest.ingest(event)
    # What the import knows: which job trains, which evaluates.
    roles.extend(store, {job_type_name("ml.train"): "training",
                         job_type_name("ml.evaluate"): "evaluation"})
    ids = {str(a.custom_properties["ol.name"]): a.id or 0
           for a in store.get_artifacts_by_type("ol.Dataset")}
    for c in store.get_contexts_by_type("ol.Job"):
        ids[f"job {c.custom_properties['ol.name']}"] = c.id or 0
    return ids


def _names(store: Store, nodes: Any) -> list[str]:
    found = store.get_artifacts_by_id([n.id for n in nodes])
    return sorted(str(a.custom_properties["ol.name"]) for a in found)


def test_roles_the_import_extends(store: Store, dag: dict[str, int]) -> None:
    mapping = roles.current(store)
    assert mapping.stored == {"ol.ml.evaluate": "evaluation", "ol.ml.train": "training"}
    assert mapping.role_of("ol.Dataset") == "dataset" and mapping.role_of("ol.Job") == "pipeline"
    # extend keeps what is stored unless told to overwrite
    roles.extend(store, {"ol.ml.train": "none"})
    assert roles.current(store).role_of("ol.ml.train") == "training"


def test_the_eight_questions_on_an_openlineage_history(
    store: Store, dag: dict[str, int]
) -> None:
    model = dag["churn_model"]
    # 1. the datasets upstream of the training job's output
    assert _names(store, Q.training_datasets(store, model)) == ["features", "raw_orders"]
    # 2. run and job facets (ol.*) are bookkeeping, not hyperparameters
    assert Q.hyperparameters(store, model) == {}
    snap = Q.producer(store, model)
    assert snap is not None and "ol.facet.tags" in snap.custom_properties
    # 3. the train job (and the DAG run it belongs to), under the DAG
    run = Q.pipeline_and_run(store, model)
    assert run.execution.type == "ol.ml.train" and run.execution.state == "COMPLETE"
    assert sorted(c.type for c in run.contexts) == ["ol.Job", "ol.Run"]
    assert [c.id for c in run.ancestors] == [dag["job churn_dag"]]
    # 4. no versions were reported
    assert Q.versions(store, model).code == {}
    # 5. the failed train run, compared with the run that worked
    (failed,) = Q.why_failed(store, L.context(dag["job ml.train"]))
    assert failed.failed.error == "CUDA out of memory"
    assert failed.last_success is not None
    assert failed.last_success.execution.name == _run_id(2)
    # 6. deployments are lineage-graph's own events, even for foreign histories
    D.deploy(store, L.artifact(model), "churn-prod", at=1_714_560_000_000)
    got = Q.last_deployed(store, L.artifact(model))
    assert got is not None and got.live and got.deployed.id == model
    assert [c.name for c in got.contexts] == ["churn-prod"]
    # 7. the model trained on raw_orders (through features); OpenLineage facets carry no
    #    numeric metric: one clear "not found"
    seven = Q.models_trained_on(store, dag["raw_orders"], "auc")
    assert [r.model.id for r in seven.models] == [model]
    assert not seven.metric_found and seven.available == []
    (pipeline,) = seven.pipelines
    assert pipeline.pipeline is not None and pipeline.pipeline.id == dag["job churn_dag"]
    # 8. corrupt raw orders reached the model and its deployment
    eight = Q.cleanup_list(store, L.artifact(dag["raw_orders"]))
    assert [t.node.id for t in eight.models] == [model]
    assert [(t.node.kind, t.node.type) for t in eight.deployments] == [
        (Kind.EXECUTION, "Deploy"), (Kind.CONTEXT, "Deployment")]
