"""What every system adapter offers the runner."""

from __future__ import annotations

import abc
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from ..workloads import Workload

# A normalised answer: sorted names, or a tuple of names/strings; equal across systems.
Answer = Any
# A zero-argument callable answering one question (timed by the runner).
Method = Callable[[], Answer]

QUESTIONS = (
    "roots", "upstream", "downstream_models", "last_deployed", "why_failed", "show", "by_name",
)


@dataclass(frozen=True)
class IngestStats:
    elements: int  # nodes + edges
    seconds: float
    peak_rss_mb: float  # client process peak resident memory during ingest
    base_rss_mb: float  # resident memory just before the first record
    store_bytes: int | None  # on-disk size after ingest, if known

    @property
    def rate(self) -> float:
        return self.elements / self.seconds if self.seconds > 0 else 0.0


class KeyMap:
    """Workload key -> store id, bounded: a run's keys are dropped when the run is done.

    Kept across runs: raw datasets and models (a later Evaluator reads a baseline model).
    This keeps client memory independent of store size, which the benchmark measures.
    """

    def __init__(self) -> None:
        self._keep: dict[str, Hashable] = {}
        self._run: dict[str, Hashable] = {}

    def __getitem__(self, key: str) -> Any:
        found = self._run.get(key)
        return found if found is not None else self._keep[key]

    def put(self, key: str, value: Hashable, *, durable: bool) -> None:
        (self._keep if durable else self._run)[key] = value

    def end_run(self) -> None:
        self._run.clear()


def durable_key(key: str, type_name: str) -> bool:
    """Keys a later run may reference (see KeyMap)."""
    return type_name in ("RawDataset", "Model", "Pipeline") or "/" not in key


class System(abc.ABC):
    """One system under test."""

    name: str

    @abc.abstractmethod
    def reset(self) -> None:
        """Start from an empty store."""

    @abc.abstractmethod
    def ingest(self, wl: Workload) -> IngestStats:
        """Load the workload's records (from its stream) and report throughput and memory."""

    @abc.abstractmethod
    def methods(self, wl: Workload, question: str) -> dict[str, Method]:
        """Ways this system answers ``question`` on ``wl`` (name -> zero-arg callable).

        Start ids are resolved here, outside the timed callables. An empty dict means the
        question does not apply to this workload.
        """

    def store_bytes(self) -> int | None:
        return None

    def close(self) -> None:  # noqa: B027 - optional hook: most systems hold nothing
        """Release connections."""


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB.

    Not ``ru_maxrss``: Linux carries the parent's high-water mark across fork+exec into it,
    so a child started by a big parent would report the parent's peak.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
