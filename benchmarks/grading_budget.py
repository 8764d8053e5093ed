"""Measure the memory and time of grading one submission of each exercise (`make bench`).

For each exercise, `otter run` grades the solution notebook with the
autograder zip that `make assignments` left in _build/assign/<name>/autograder/
(run that first). `otter run` is what otter grade's containers and Gradescope
run too, minus the container: otter's own process plus the notebook's kernel.
The whole process tree is sampled every 20 ms with psutil, and the peak of the
sum of its resident memory (RSS) is reported, an upper bound for what a
container's memory limit counts (pages that the processes share are counted
once per process here), together with the wall time.

Writes benchmarks/results/grading_budget.csv (one row per exercise, with the
machine and the date) and prints a table. The limit that matters is
Gradescope's default container memory, 768 MB (see instructors.md).

Usage:
    python benchmarks/grading_budget.py [ex01_recurrent_step ...]
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from assign import BUILD, autograder_zip, exercise_sources  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from machine import describe, write_csv  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "grading_budget.csv"
GRADESCOPE_DEFAULT_MB = 768
SAMPLE_S = 0.02


def _tree_rss(process: psutil.Process) -> int:
    """Resident bytes of ``process`` and all its descendants (0 for any that has gone)."""
    total = 0
    try:
        family = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in family:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def measure(name: str) -> dict:
    """Grade exercise ``name``'s solution once with `otter run`; time, peak memory, score."""
    zip_path = autograder_zip(name)
    notebook = BUILD / name / "autograder" / f"{name}.ipynb"
    otter = Path(sys.executable).with_name("otter")
    with tempfile.TemporaryDirectory(prefix="grading-budget-") as out:
        start = time.perf_counter()
        process = psutil.Popen(
            [str(otter), "run", "--no-logo", "-a", str(zip_path), "-o", out, str(notebook)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_rss(process))
            time.sleep(SAMPLE_S)
        elapsed = time.perf_counter() - start
        if process.returncode != 0:
            raise RuntimeError(f"otter run of {name} failed with exit code {process.returncode}")
        tests = json.loads((Path(out) / "results.json").read_text())["tests"]
    graded = [t for t in tests if t.get("max_score") is not None]
    return {
        "seconds": elapsed,
        "peak_mb": peak / 2**20,
        "score": sum(t["score"] for t in graded),
        "max_score": sum(t["max_score"] for t in graded),
    }


def main(argv: list[str]) -> int:
    names = argv or [p.stem for p in exercise_sources()]
    date, where = dt.date.today().isoformat(), describe()
    print(f"== one `otter run` grading per exercise on {where}, {date}")
    rows = []
    for i, name in enumerate(names, 1):
        print(f"[{i}/{len(names)}] {name} ...", end="", flush=True)
        m = measure(name)
        fits = m["peak_mb"] < GRADESCOPE_DEFAULT_MB
        print(
            f" {m['seconds']:5.1f} s {m['peak_mb']:6.0f} MB, {m['score']:g}/{m['max_score']:g}"
            f" points{'' if fits else f', over {GRADESCOPE_DEFAULT_MB} MB'}"
        )
        rows.append(
            {
                "exercise": name,
                "seconds": f"{m['seconds']:.1f}",
                "peak_mb": f"{m['peak_mb']:.0f}",
                "under_768_mb": fits,
                "machine": where,
                "date": date,
            }
        )
    write_csv(rows, OUT)
    print(f"== wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
