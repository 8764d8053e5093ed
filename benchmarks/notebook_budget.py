"""Measure every notebook's execution time and peak memory (`make bench`).

Each notebook runs in a fresh kernel, from a copy (the committed file is not
touched), inside a child process of its own. When the kernel has exited, the
child reads `getrusage(RUSAGE_CHILDREN).ru_maxrss`, the peak resident memory
of the kernel process, so the figure is exact rather than sampled.

Writes rnnlib/benchmark_results/notebook_budget.csv (one row per notebook, with the
machine and the date; package data that reference/budget.ipynb reads with
rnnlib.results.load) and prints a table. The goals: under 60 s and 1.5 GB per
notebook, and the whole course under 10 minutes.

Usage:
    python benchmarks/notebook_budget.py [chapters/x.ipynb ...]
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from notebooks import executable_notebooks  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from machine import describe, write_csv  # noqa: E402

OUT = ROOT / "rnnlib" / "benchmark_results" / "notebook_budget.csv"
LIMIT_S, LIMIT_MB, COURSE_LIMIT_S = 60.0, 1536.0, 600.0

CHILD = r"""
import json, resource, sys, time
import nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
start = time.perf_counter()
NotebookClient(nb, timeout=600, kernel_name="python3",
               resources={"metadata": {"path": sys.argv[2]}}).execute()
elapsed = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: kilobytes
print(json.dumps({"seconds": elapsed, "peak_mb": peak_kb / 1024}))
"""


def measure(path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(path.parent)],
        capture_output=True,
        text=True,
        check=True,
        cwd=path.parent,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or [ROOT / p for p in executable_notebooks()]
    rows, total = [], 0.0
    date, where = dt.date.today().isoformat(), describe()
    print(f"== notebook budget on {where}, {date}")
    for i, path in enumerate(paths, 1):
        rel = path.relative_to(ROOT).as_posix()
        print(f"[{i}/{len(paths)}] {rel} ...", end="", flush=True)
        m = measure(path)
        total += m["seconds"]
        ok = m["seconds"] < LIMIT_S and m["peak_mb"] < LIMIT_MB
        print(f" {m['seconds']:5.1f} s {m['peak_mb']:6.0f} MB {'ok' if ok else 'OVER BUDGET'}")
        rows.append(
            {
                "notebook": rel,
                "seconds": f"{m['seconds']:.1f}",
                "peak_mb": f"{m['peak_mb']:.0f}",
                "within_budget": ok,
                "machine": where,
                "date": date,
            }
        )
    write_csv(rows, OUT)
    print(f"== whole course: {total:.0f} s (goal < {COURSE_LIMIT_S:.0f} s); wrote {OUT}")
    over = [r["notebook"] for r in rows if not r["within_budget"]]
    return 1 if over or total > COURSE_LIMIT_S else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
