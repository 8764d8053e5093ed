"""Which machine a benchmark ran on, and writing the CSVs of the benchmark results.

The tables the book's pages show go to rnnlib/benchmark_results/ (package data, read
with rnnlib.results.load); the grading timings stay in benchmarks/results/.
"""

from __future__ import annotations

import csv
import os
import platform
from pathlib import Path

from rnnlib.timing import cpu_model


def describe() -> str:
    """CPU model, core count and OS, e.g. ``"AMD EPYC, 2 cores, Linux 6.1"``."""
    return f"{cpu_model()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def write_csv(rows, path) -> None:
    """Write ``rows`` (dicts with the same keys, in column order) to the CSV file ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
