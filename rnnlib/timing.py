"""Timing helpers for the pages that measure speed: the machine, one call's time.

A wall-clock time means little without the machine it was taken on, so every
timing cell of the book prints :func:`machine` first. :func:`per_call` is the
smallest honest timer: the mean wall time of ``calls`` calls in a row, so that
a short call is repeated until the sample is well above the clock's resolution.
:func:`spread` gives the minimum, median and maximum of a list of samples, for
reporting how much a ratio moved from one timing round to the next.

Example:

>>> from rnnlib import timing
>>> "cores" in timing.machine()
True
>>> timing.per_call(sum, [1, 2, 3], calls=10) > 0
True
>>> timing.spread([3.0, 1.0, 2.0, 10.0])
(1.0, 2.5, 10.0)
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo where there is one), e.g. ``\"AMD EPYC 7763\"``."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return cpu


def machine() -> str:
    """The machine a timing ran on, in three or four lines, ready to print.

    Platform, CPU model, core count (and how many this process may use), the
    load average when the system reports one, and the versions of Python and
    NumPy, plus TensorFlow and Keras if the page has imported them (this
    function never imports them itself).
    """
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    lines = [
        f"platform: {platform.platform()}",
        f"CPU: {cpu_model()}, {os.cpu_count()} cores (usable by this process: {usable})",
    ]
    if hasattr(os, "getloadavg"):
        lines.append(
            f"load average over 1 minute: {os.getloadavg()[0]:.1f} (programs wanting a core)"
        )
    versions = [f"Python {platform.python_version()}"]
    for name, label in [("numpy", "NumPy"), ("tensorflow", "TensorFlow"), ("keras", "Keras")]:
        module = sys.modules.get(name)
        if module is not None:
            versions.append(f"{label} {getattr(module, '__version__', '?')}")
    lines.append(", ".join(versions))
    return "\n".join(lines)


def per_call(fn, *args, calls: int = 1) -> float:
    """Wall time in seconds of one call of ``fn(*args)``, averaged over ``calls`` calls in a row."""
    start = time.perf_counter()
    for _ in range(calls):
        fn(*args)
    return (time.perf_counter() - start) / calls


def spread(values) -> tuple[float, float, float]:
    """``(min, median, max)`` of the values: how far a timing moved between rounds."""
    values = [float(v) for v in values]
    return min(values), statistics.median(values), max(values)
