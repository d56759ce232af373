"""Event-driven orchestration: subscriptions with a durable cursor, delivered at least once.

A subscription watches one stream:

* ``new_artifacts(name, "Model")`` - artifacts of a type appearing (or changing) in a state;
* ``executions_reaching(name, ("FAILED",))`` - executions whose state becomes one of these;
* ``incidents_opened(name)`` - artifacts (or executions) marked bad (``lineage.mark_bad``);
  ``reaching=`` a node keeps those whose taint reached it (an upstream artifact marked bad).

The cursor is the store-wide ``seq`` every insert or update gets (incidents: their id, also
monotonic). A ``Watcher`` lists what changed after the cursor in ``seq`` order, calls the
handler for one delivery at a time and moves the cursor past a delivery only AFTER the handler
returned: a consumer that crashes or is killed resumes at the first unhandled delivery, so
nothing is lost and nothing already handled is delivered again; the delivery that was being
handled when it died is delivered again (at least once). Handlers must therefore be
idempotent: ``Delivery.key`` (subscription, node, seq) identifies a delivery across restarts,
and tracked steps are idempotent by themselves (a second identical call is a cache hit).

Streams are level-triggered on the node's *latest* state: a node that changed several times
since the cursor is delivered once, as it is now. Cursors are kept in the store by default
(a ``SubscriptionCursor`` context per subscription name, custom property ``seq``), or in a
directory (``FileCursors``: one JSON file per name, replaced atomically).

A handler may be any callable; ``command_handler`` makes one that runs a program per delivery
(the delivery as JSON on stdin, ``LG_*`` environment variables) and raises
``HandlerFailedError`` when it cannot run or exits non-zero.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Literal, Protocol

from ..answers import Incident, NodeRef
from ..errors import AlreadyExistsError, HandlerFailedError, InvalidInputError
from ..models import (
    Artifact,
    Context,
    ContextType,
    Execution,
    Kind,
    ListOptions,
)
from ..store.base import Store
from . import fields

StreamKind = Literal["artifact", "execution", "incident"]
Start = Literal["beginning", "now"]
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")


@dataclass(frozen=True)
class Subscription:
    """What to watch. ``name`` identifies the consumer: its cursor is kept under it."""

    name: str
    stream: StreamKind
    types: tuple[str, ...] | None = None
    states: tuple[str, ...] | None = None
    reaching: NodeRef | None = None  # incidents: only those whose taint reached this node
    # Artifacts/executions an open incident found or reached are skipped (the cursor still
    # moves past them) unless this is set: a tainted model must not be deployed by a trigger.
    include_tainted: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise InvalidInputError(
                f"subscription name {self.name!r} must be 1-128 letters, digits, '_', '.', '-'",
                field="name", value=self.name,
            )


def new_artifacts(
    name: str,
    type: str | tuple[str, ...],
    *,
    states: tuple[str, ...] | None = ("LIVE",),
    include_tainted: bool = False,
) -> Subscription:
    """Artifacts of ``type`` (one or several) that appear or change, in ``states``; those an
    open incident reached are skipped unless ``include_tainted``."""
    types = (type,) if isinstance(type, str) else tuple(type)
    return Subscription(
        name, "artifact", types=types, states=states, include_tainted=include_tainted
    )


def executions_reaching(
    name: str,
    states: tuple[str, ...] = ("COMPLETE", "FAILED"),
    *,
    type: str | tuple[str, ...] | None = None,
    include_tainted: bool = False,
) -> Subscription:
    """Executions (of ``type``, if given) whose state is now one of ``states``; those an open
    incident reached are skipped unless ``include_tainted``."""
    types = None if type is None else ((type,) if isinstance(type, str) else tuple(type))
    return Subscription(
        name, "execution", types=types, states=states, include_tainted=include_tainted
    )


def incidents_opened(name: str, *, reaching: NodeRef | None = None) -> Subscription:
    """Incidents: something was marked bad (``lineage.mark_bad``).

    Args:
        reaching: only incidents on this node or upstream of it (e.g. a deployed model:
            "tell me when anything it was built from is marked bad").
    """
    return Subscription(name, "incident", reaching=reaching)


@dataclass(frozen=True)
class Delivery:
    """One thing to handle. ``key`` is stable across restarts (use it to deduplicate)."""

    subscription: str
    position: int  # the cursor value after this delivery (a seq, or an incident id)
    node: Artifact | Execution | None = None
    incident: Incident | None = None
    incidents: tuple[int, ...] = ()  # open incidents that found or reached ``node``

    @property
    def key(self) -> str:
        if self.incident is not None:
            return f"{self.subscription}:incident:{self.incident.id}"
        assert self.node is not None
        return f"{self.subscription}:{self.node.kind.value}:{self.node.id}:{self.position}"

    def describe(self) -> dict[str, object]:
        """A JSON-ready summary (for printing and for handler processes)."""
        out: dict[str, object] = {"subscription": self.subscription, "key": self.key,
                                  "position": self.position}
        if self.incident is not None:
            out["incident"] = self.incident.model_dump(mode="json")
        elif self.node is not None:
            out["kind"] = self.node.kind.value
            out["node"] = self.node.model_dump(mode="json")
            out["incidents"] = list(self.incidents)
        return out


class CursorStore(Protocol):
    """Where consumer cursors live."""

    def load(self, name: str) -> int | None: ...

    def save(self, name: str, position: int) -> None: ...


class StoreCursors:
    """Cursors as ``SubscriptionCursor`` contexts in the metadata store itself."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._typed = False

    def _ensure_type(self) -> None:
        if not self._typed:
            self.store.put_types([ContextType(name=fields.CURSOR_CONTEXT_TYPE)])
            self._typed = True

    def _get(self, name: str) -> Context | None:
        return self.store.get_context_by_type_and_name(fields.CURSOR_CONTEXT_TYPE, name)

    def load(self, name: str) -> int | None:
        ctx = self._get(name)
        value = ctx.custom_properties.get(fields.CURSOR_SEQ) if ctx is not None else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def save(self, name: str, position: int) -> None:
        self._ensure_type()
        ctx = self._get(name)
        if ctx is None:
            try:
                self.store.put_contexts([Context(type=fields.CURSOR_CONTEXT_TYPE, name=name,
                                                 custom_properties={fields.CURSOR_SEQ: position})])
                return
            except AlreadyExistsError:  # created concurrently: update it below
                ctx = self._get(name)
                assert ctx is not None
        self.store.put_contexts([ctx.model_copy(update={
            "custom_properties": {**ctx.custom_properties, fields.CURSOR_SEQ: position}})])


class FileCursors:
    """Cursors as ``<directory>/<name>.json`` files, each replaced atomically."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def load(self, name: str) -> int | None:
        try:
            data = json.loads((self.directory / f"{name}.json").read_text())
        except FileNotFoundError:
            return None
        value = data.get("position")
        return value if isinstance(value, int) else None

    def save(self, name: str, position: int) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump({"position": position}, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.directory / f"{name}.json")  # atomic on POSIX and Windows
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


Handler = Callable[[Delivery], object]


def delivery_env(delivery: Delivery) -> dict[str, str]:
    """The ``LG_*`` environment variables that describe a delivery to a handler process."""
    env = {"LG_DELIVERY_KEY": delivery.key, "LG_SUBSCRIPTION": delivery.subscription,
           "LG_POSITION": str(delivery.position)}
    node = delivery.node
    if node is not None:
        env.update({"LG_NODE_KIND": node.kind.value, "LG_NODE_ID": str(node.id),
                    "LG_NODE_TYPE": node.type, "LG_NODE_NAME": node.name or "",
                    "LG_NODE_URI": getattr(node, "uri", None) or ""})
    if delivery.incident is not None:
        env["LG_INCIDENT_ID"] = str(delivery.incident.id)
    return env


def command_handler(command: str | Sequence[str]) -> Handler:
    """A handler that runs ``command`` once per delivery.

    The process gets ``Delivery.describe()`` as JSON on stdin and ``delivery_env`` in its
    environment (on top of this process's).

    Args:
        command: a shell-like command line (split with ``shlex``, never run by a shell) or
            an argv list.

    Returns:
        The handler, for ``Watcher.poll``/``Watcher.run``.

    Raises:
        InvalidInputError: the command is empty.

    The handler raises ``HandlerFailedError`` when the program cannot be run or exits
    non-zero; the watcher then leaves the cursor before that delivery.

    Example:
        >>> handler = command_handler("python deploy.py")     # doctest: +SKIP
        >>> Watcher(store, new_artifacts("deployer", ("Model",))).poll(handler)  # doctest: +SKIP
    """
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if not argv:
        raise InvalidInputError("a handler command must not be empty", field="exec",
                                value=command)

    def run_command(delivery: Delivery) -> None:
        env = {**os.environ, **delivery_env(delivery)}
        try:
            done = subprocess.run(argv, input=json.dumps(delivery.describe(), default=str),
                                  text=True, env=env, check=False)
        except OSError as exc:
            raise HandlerFailedError(f"cannot run {argv[0]!r}: {exc}") from exc
        if done.returncode != 0:
            raise HandlerFailedError(f"handler exited with status {done.returncode} on "
                                     f"{delivery.key}; it will be delivered again")

    return run_command


class Watcher:
    """Delivers a subscription's stream to a handler, keeping the cursor durable.

    Args:
        store: the metadata store.
        subscription: what to watch.
        cursors: where the cursor lives (default: in ``store``).
        start: for a subscription without a cursor yet: ``beginning`` delivers everything
            recorded so far, ``now`` only what happens from now on.
        batch: how many changes one listing fetches.
    """

    def __init__(
        self,
        store: Store,
        subscription: Subscription,
        *,
        cursors: CursorStore | None = None,
        start: Start = "beginning",
        batch: int = 100,
    ) -> None:
        if start not in ("beginning", "now"):
            raise InvalidInputError("start must be 'beginning' or 'now'", field="start",
                                    value=start)
        self.store = store
        self.subscription = subscription
        self.cursors: CursorStore = cursors if cursors is not None else StoreCursors(store)
        self.start = start
        self.batch = batch

    @property
    def position(self) -> int:
        """The durable cursor (initialised and saved on first use)."""
        stored = self.cursors.load(self.subscription.name)
        if stored is not None:
            return stored
        initial = self._head() if self.start == "now" else 0
        # Saved at once: "now" must mean the moment of subscribing, also after a restart.
        self.cursors.save(self.subscription.name, initial)
        return initial

    def _kind(self) -> Kind:
        return Kind.ARTIFACT if self.subscription.stream == "artifact" else Kind.EXECUTION

    def _head(self) -> int:
        if self.subscription.stream == "incident":
            found = self.store.incident_list(None)
            return max((i.id for i in found), default=0)
        page = self.store.list_nodes(self._kind(), ListOptions(order_by="seq", descending=True,
                                                               limit=1))
        return max((n.seq or 0 for n in page.items), default=0)

    def pending(self) -> list[Delivery]:
        """The next deliveries after the cursor (at most ``batch``); nothing is advanced."""
        after = self.position
        sub = self.subscription
        if sub.stream == "incident":
            found = sorted((i for i in self.store.incident_list(None) if i.id > after),
                           key=lambda i: i.id)
            if sub.reaching is not None:
                # Stop at a full batch: each reach test of a far-behind consumer is a round trip.
                found = list(islice((i for i in found if self._reaches(i, sub.reaching)),
                                    self.batch))
            return [Delivery(sub.name, i.id, incident=i) for i in found[: self.batch]]
        options = ListOptions(types=sub.types, states=sub.states, changed_after=after,
                              order_by="seq", limit=self.batch)
        page = self.store.list_nodes(self._kind(), options)
        tainted = self.store.open_incidents(
            [NodeRef(kind=n.kind, id=n.id) for n in page.items if n.id is not None]
        )
        return [
            Delivery(
                sub.name, n.seq or 0, node=n,
                incidents=tainted.get(NodeRef(kind=n.kind, id=n.id or 0), ()),
            )
            for n in page.items
        ]

    def _reaches(self, incident: Incident, target: NodeRef) -> bool:
        if incident.source == target:
            return True
        full = self.store.incident_get(incident.id, with_reached=True)
        return any(t.node.ref == target for t in full.reached or ())

    def poll(self, handler: Handler, *, max_deliveries: int | None = None) -> int:
        """Deliver what is pending now, one at a time.

        The cursor moves past each delivery right after ``handler`` returns. If the handler
        raises, the exception propagates and the cursor stays before that delivery.

        Returns:
            How many deliveries were handled.
        """
        handled = 0
        while max_deliveries is None or handled < max_deliveries:
            deliveries = self.pending()
            if not deliveries:
                return handled
            for d in deliveries:
                if max_deliveries is not None and handled >= max_deliveries:
                    return handled
                if d.incidents and not self.subscription.include_tainted:
                    self.cursors.save(self.subscription.name, d.position)  # passed over
                    continue
                handler(d)
                self.cursors.save(self.subscription.name, d.position)
                handled += 1
        return handled

    def run(
        self,
        handler: Handler,
        *,
        interval: float = 1.0,
        stop: Callable[[], bool] | None = None,
        max_deliveries: int | None = None,
    ) -> int:
        """Poll until ``stop()`` is true or ``max_deliveries`` were handled.

        Returns:
            How many deliveries were handled.
        """
        handled = 0
        while True:
            left = None if max_deliveries is None else max_deliveries - handled
            handled += self.poll(handler, max_deliveries=left)
            if (max_deliveries is not None and handled >= max_deliveries) or (
                stop is not None and stop()
            ):
                return handled
            time.sleep(interval)
