"""Measuring helpers shared by the benchmarks: percentiles, repeated timing, memory and machine load."""
from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Dist:
    """Summary of a latency sample in milliseconds."""

    n: int
    p50: float
    p95: float
    p99: float
    mean: float
    min: float

    @classmethod
    def of(cls, seconds: list[float]) -> "Dist":
        """Percentiles of `seconds`, reported in ms.

        >>> Dist.of([0.001, 0.002, 0.003]).p50
        2.0
        """
        if not seconds:
            return cls(0, float("nan"), float("nan"), float("nan"), float("nan"), float("nan"))
        ms = np.asarray(seconds, dtype="float64") * 1000
        p50, p95, p99 = np.percentile(ms, [50, 95, 99])
        return cls(len(ms), round(float(p50), 3), round(float(p95), 3), round(float(p99), 3),
                   round(float(ms.mean()), 3), round(float(ms.min()), 3))

    def as_dict(self) -> dict:
        return asdict(self)


def timed(fn, *args, **kw) -> tuple[float, object]:
    """(seconds, result) of one call."""
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - t0, out


def rss_mb() -> float:
    """Resident set size of this process now, MiB."""
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux ru_maxrss is KiB), MiB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_average() -> float:
    """1-minute load average: other work on the 2 cores inflates every latency here, so it is recorded."""
    return round(os.getloadavg()[0], 2)


def machine() -> dict:
    import platform

    import psutil

    return {"cpus": os.cpu_count(), "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform(terse=True)}


class OtherLoad:
    """Context manager: how many cores other processes kept busy meanwhile (system busy CPU minus ours).

    >>> with OtherLoad() as o:
    ...     pass
    >>> o.cores >= 0
    True
    """

    def __enter__(self) -> "OtherLoad":
        self._t0, self._busy0, self._own0 = time.perf_counter(), _busy_cpu(), _own_cpu()
        self.cores = 0.0
        return self

    def __exit__(self, *exc) -> None:
        wall = max(time.perf_counter() - self._t0, 1e-9)
        others = (_busy_cpu() - self._busy0) - (_own_cpu() - self._own0)
        self.cores = round(max(0.0, others) / wall, 2)


def _busy_cpu() -> float:
    import psutil

    t = psutil.cpu_times()
    return t.user + t.nice + t.system + getattr(t, "irq", 0) + getattr(t, "softirq", 0) + getattr(t, "steal", 0)


def _own_cpu() -> float:
    import psutil

    t = psutil.Process().cpu_times()
    return t.user + t.system + t.children_user + t.children_system
