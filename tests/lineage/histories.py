"""ML histories for the lineage tests: a builder for hand-written stories and a hypothesis strategy.

A ``History`` holds nodes with explicit ids and times (loaded with ``import_nodes``), so both
backends hold exactly the same graph and answers can be compared id for id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from lineage_graph.models import (
    Artifact,
    ArtifactState,
    ArtifactType,
    Association,
    Attribution,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    Kind,
    ParentContext,
    PropertyType,
    Reuse,
)
from lineage_graph.store.base import Store

TYPES = [
    ArtifactType(name="Dataset"),
    ArtifactType(name="Examples"),
    ArtifactType(name="Statistics"),
    ArtifactType(name="Model", properties={"accuracy": PropertyType.DOUBLE}),
    ArtifactType(name="PushedModel"),
    ExecutionType(name="ExampleGen"),
    ExecutionType(name="Transform"),
    ExecutionType(name="Validator"),
    ExecutionType(name="Trainer", properties={"learning_rate": PropertyType.DOUBLE}),
    ExecutionType(name="Pusher"),
    ContextType(name="Pipeline"),
    ContextType(name="PipelineRun"),
    ContextType(name="Deployment"),
    # Deployment events lineage_graph.deployments records (deploy, rollback, undeploy, aliases).
    ExecutionType(name="Deploy"),
    ExecutionType(name="Undeploy"),
    ExecutionType(name="SetAlias"),
    ContextType(name="ModelAlias"),
]


@dataclass
class History:
    """A metadata history under construction; ``load`` writes it into a store."""

    artifacts: list[Artifact] = field(default_factory=list)
    executions: list[Execution] = field(default_factory=list)
    contexts: list[Context] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    parents: list[ParentContext] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    associations: list[Association] = field(default_factory=list)
    reuses: list[Reuse] = field(default_factory=list)
    # Incidents the answers are asked under: artifacts found bad (each its own incident,
    # recorded before any question), and which of them were resolved again.
    taints: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    clock: int = 1_000

    def tick(self, step: int = 10) -> int:
        self.clock += step
        return self.clock

    def artifact(self, type_: str, name: str, *, uri: str | None = None, t: int | None = None,
                 state: ArtifactState = ArtifactState.LIVE, **props: Any) -> int:
        aid = len(self.artifacts) + 1
        when = self.tick() if t is None else t
        declared = {k: v for k, v in props.items() if k == "accuracy"}
        custom = {k: v for k, v in props.items() if k != "accuracy"}
        self.artifacts.append(
            Artifact(id=aid, type=type_, name=name, uri=uri or f"/store/{name}", state=state,
                     properties=declared, custom_properties=custom, create_time=when,
                     update_time=when)
        )
        return aid

    def context(self, type_: str, name: str, *, parent: int | None = None,
                t: int | None = None) -> int:
        cid = len(self.contexts) + 1
        when = self.tick() if t is None else t
        self.contexts.append(Context(id=cid, type=type_, name=name, create_time=when,
                                     update_time=when))
        if parent is not None:
            self.parents.append(ParentContext(child_id=cid, parent_id=parent))
        return cid

    def run(self, type_: str, name: str, *, inputs: list[int] = (),  # type: ignore[assignment]
            outputs: list[tuple[str, str, dict[str, Any]]] = (),  # type: ignore[assignment]
            state: ExecutionState = ExecutionState.COMPLETE, contexts: list[int] = (),  # type: ignore[assignment]
            t: int | None = None, declared_events: bool = False,
            **props: Any) -> tuple[int, list[int]]:
        """An execution reading ``inputs`` and writing new artifacts ``outputs`` (type, name,
        props); associated (and its outputs attributed) to ``contexts``."""
        eid = len(self.executions) + 1
        when = self.tick() if t is None else t
        declared = {k: v for k, v in props.items() if k == "learning_rate"}
        custom = {k: v for k, v in props.items() if k != "learning_rate"}
        self.executions.append(
            Execution(id=eid, type=type_, name=name, last_known_state=state,
                      properties=declared, custom_properties=custom, create_time=when,
                      update_time=when)
        )
        in_type = EventType.DECLARED_INPUT if declared_events else EventType.INPUT
        out_type = EventType.DECLARED_OUTPUT if declared_events else EventType.OUTPUT
        for k, a in enumerate(inputs):
            self.events.append(Event(artifact_id=a, execution_id=eid, type=in_type,
                                     path=("in", k), timestamp=when))
        made = []
        for k, (otype, oname, oprops) in enumerate(outputs):
            aid = self.artifact(otype, oname, t=when, **oprops)
            made.append(aid)
            self.events.append(Event(artifact_id=aid, execution_id=eid, type=out_type,
                                     path=("out", k), timestamp=when))
        for c in contexts:
            self.associations.append(Association(execution_id=eid, context_id=c))
            for aid in made:
                self.attributions.append(Attribution(artifact_id=aid, context_id=c))
        return eid, made

    def event(self, action: str, model: int, target: int, *, at: int,
              t: int | None = None) -> int:
        """A recorded deployment event (as ``lineage_graph.deployments`` writes it): a
        Deploy / Undeploy / SetAlias execution reading ``model``, in context ``target``."""
        etype = {"deploy": "Deploy", "rollback": "Deploy", "undeploy": "Undeploy",
                 "alias": "SetAlias", "unalias": "SetAlias"}[action]
        eid = len(self.executions) + 1
        when = self.tick() if t is None else t
        self.executions.append(
            Execution(id=eid, type=etype, name=f"{action}-{eid}",
                      last_known_state=ExecutionState.COMPLETE,
                      custom_properties={"action": action, "at": at, "target": f"t{target}"},
                      create_time=when, update_time=when)
        )
        self.events.append(Event(artifact_id=model, execution_id=eid, type=EventType.INPUT,
                                 path=("model",), timestamp=at))
        self.associations.append(Association(execution_id=eid, context_id=target))
        return eid

    def late_input(self, artifact_id: int, execution_id: int, t: int) -> None:
        """An input event recorded after the fact (for as-of questions)."""
        self.events.append(Event(artifact_id=artifact_id, execution_id=execution_id,
                                 type=EventType.INPUT, path=("late", artifact_id), timestamp=t))


def load(store: Store, h: History) -> None:
    """Write a history: types, nodes under their ids, events, context links."""
    store.put_types(TYPES)
    if h.contexts:
        store.import_nodes(Kind.CONTEXT, h.contexts)
    if h.artifacts:
        store.import_nodes(Kind.ARTIFACT, h.artifacts)
    if h.executions:
        store.import_nodes(Kind.EXECUTION, h.executions)
    if h.events:
        store.put_events(h.events)
    if h.parents:
        store.put_parent_contexts(h.parents)
    if h.attributions or h.associations:
        store.put_attributions_and_associations(h.attributions, h.associations)
    if h.reuses:
        store.atomic(lambda w: w.put_reuses(h.reuses))


_OUTPUT_TYPES = {
    "ExampleGen": ["Examples"],
    "Transform": ["Examples", "Dataset"],
    "Validator": ["Examples", "Statistics"],
    "Trainer": ["Model"],
    "Pusher": ["PushedModel"],
}


@st.composite
def histories(draw: st.DrawFn) -> History:
    """Random small histories: fan-in/out, pipelines with runs (some executions in none),
    failed and cached runs (some REUSED-linked to the run they reused, holding its outputs),
    deployments (PushedModel artifacts in Deployment contexts, or in none), deploy /
    rollback / undeploy / alias events, late input events, incidents (open, or resolved
    again)."""
    h = History()
    pipelines = [h.context("Pipeline", f"pipeline-{i}") for i in range(draw(st.integers(1, 2)))]
    runs: list[int] = []
    deployments: list[int] = []
    for i in range(draw(st.integers(1, 3))):
        h.artifact("Dataset", f"raw-{i}")
    for i in range(draw(st.integers(0, 9))):
        etype = draw(st.sampled_from(sorted(_OUTPUT_TYPES)))
        state = draw(st.sampled_from([ExecutionState.COMPLETE, ExecutionState.COMPLETE,
                                      ExecutionState.FAILED, ExecutionState.CACHED]))
        n_art = len(h.artifacts)
        inputs = draw(st.lists(st.integers(1, n_art), max_size=3, unique=True))
        if not runs or draw(st.booleans()):
            runs.append(h.context("PipelineRun", f"run-{len(runs)}",
                                  parent=draw(st.sampled_from(pipelines))))
        run = runs[-1] if draw(st.booleans()) else draw(st.sampled_from(runs))
        outputs: list[tuple[str, str, dict[str, Any]]] = []
        # A failure writes nothing; a cache hit mostly nothing (it reuses, below).
        if state is ExecutionState.COMPLETE or (
                state is ExecutionState.CACHED and draw(st.integers(0, 3)) == 0):
            for k in range(draw(st.integers(0, 2))):
                otype = draw(st.sampled_from(_OUTPUT_TYPES[etype]))
                oprops: dict[str, Any] = {}
                if otype == "Model" and draw(st.booleans()):
                    oprops["accuracy"] = draw(st.sampled_from([0.5, 0.75, 0.9]))
                outputs.append((otype, f"{otype.lower()}-{i}-{k}", oprops))
        props: dict[str, Any] = {
            "python_version": draw(st.sampled_from(["3.10", "3.11"])),
            "lib.torch": draw(st.sampled_from(["2.0", "2.1"])),
            "code_hash": draw(st.sampled_from(["aaa", "bbb"])),
        }
        if etype == "Trainer":
            props["learning_rate"] = draw(st.sampled_from([0.1, 0.01]))
        if draw(st.booleans()):
            props["epochs"] = draw(st.integers(1, 3))
        if state is ExecutionState.FAILED:
            props["error"] = draw(st.sampled_from(["OOM", "bad schema"]))
        # Now and then an execution in no context (why-failed then compares across pipelines).
        contexts = [run] if draw(st.integers(0, 4)) else []
        # A push mostly to a Deployment; now and then to none (it then goes to the roots of
        # its run, or nowhere when it is in no context).
        if etype == "Pusher" and outputs and draw(st.integers(0, 3)):
            if not deployments or draw(st.booleans()):
                deployments.append(h.context("Deployment", f"deployment-{len(deployments)}"))
            contexts.append(draw(st.sampled_from(deployments)))
        h.run(etype, f"{etype.lower()}-{i}", inputs=inputs, outputs=outputs, state=state,
              contexts=contexts, t=h.tick(draw(st.integers(0, 2))),
              declared_events=draw(st.booleans()), **props)
    # A re-run from cache: a new run of a pipeline whose steps all hit the cache (CACHED,
    # reading what the originals read), then maybe a step of it that failed.
    done = [e for e in h.executions
            if e.last_known_state is ExecutionState.COMPLETE and e.id is not None]
    if done and draw(st.integers(0, 2)):
        rerun = h.context("PipelineRun", f"run-{len(runs)}",
                          parent=draw(st.sampled_from(pipelines)))
        runs.append(rerun)
        for o in draw(st.lists(st.sampled_from(done), min_size=1, max_size=3,
                               unique_by=lambda e: e.id)):
            read = [ev.artifact_id for ev in h.events if ev.execution_id == o.id
                    and ev.type.is_input]
            h.run(o.type, f"{o.name}-cached", inputs=read, contexts=[rerun],
                  state=ExecutionState.CACHED, **{**o.custom_properties, **o.properties})
        if draw(st.booleans()):
            o = draw(st.sampled_from(done))
            h.run(o.type, f"{o.name}-failed", inputs=[], contexts=[rerun],
                  state=ExecutionState.FAILED, error="OOM",
                  **{**o.custom_properties, **o.properties})
    # Memoization: a CACHED execution without outputs reused an earlier COMPLETE one, and
    # holds that one's outputs in its own runs (attributed there, no OUTPUT event).
    for e in h.executions:
        if e.last_known_state is ExecutionState.CACHED and e.id is not None:
            wrote = any(ev.execution_id == e.id and not ev.type.is_input for ev in h.events)
            originals = [o.id for o in h.executions
                         if o.type == e.type and o.id is not None and o.id < e.id
                         and o.last_known_state is ExecutionState.COMPLETE]
            if not wrote and originals:
                h.reuses.append(Reuse(execution_id=e.id, original_id=originals[-1]))
                held = [ev.artifact_id for ev in h.events
                        if ev.execution_id == originals[-1] and not ev.type.is_input]
                runs_of_e = [a.context_id for a in h.associations if a.execution_id == e.id]
                h.attributions += [Attribution(artifact_id=a, context_id=c)
                                   for a in held for c in runs_of_e
                                   if Attribution(artifact_id=a, context_id=c)
                                   not in h.attributions]
    # Deployment events in time: deploys, rollbacks (often to an earlier model, at a time that
    # may tie with another event), undeploys, alias moves.
    models = [a.id for a in h.artifacts if a.type == "Model" and a.id is not None]
    if models:
        aliases: list[int] = []
        # Mostly a deploy, then others: so that rollbacks have something to go back to.
        actions = ["deploy"] * min(1, draw(st.integers(0, 2))) + [
            draw(st.sampled_from(["deploy", "deploy", "rollback", "rollback", "undeploy",
                                  "alias"]))
            for _ in range(draw(st.integers(0, 5)))]
        for action in actions:
            if action == "alias":
                if not aliases or draw(st.booleans()):
                    aliases.append(h.context("ModelAlias", f"alias-{len(aliases)}"))
                target = draw(st.sampled_from(aliases))
            else:
                if not deployments or draw(st.integers(0, 3)) == 0:
                    deployments.append(h.context("Deployment", f"deployment-{len(deployments)}"))
                target = draw(st.sampled_from(deployments))
            h.event(action, draw(st.sampled_from(models)), target,
                    at=h.clock + draw(st.integers(-20, 20)))
    # Incidents open while the questions are asked (one of them maybe resolved again).
    candidates = [a.id for a in h.artifacts if a.id is not None]
    h.taints = draw(st.lists(st.sampled_from(candidates), min_size=min(len(candidates), draw(
        st.sampled_from([0, 1, 1, 2]))), max_size=2, unique=True))
    if h.taints and draw(st.booleans()):
        h.resolved = [h.taints[0]]
    if h.executions and draw(st.booleans()):
        # A late input: an artifact older than the execution, recorded after everything else.
        e = draw(st.integers(1, len(h.executions)))
        e_time = h.executions[e - 1].create_time or 0
        older = [a.id for a in h.artifacts if (a.create_time or 0) < e_time and a.id is not None]
        if older:
            h.late_input(draw(st.sampled_from(older)), e, h.tick())
    return h
