"""Time every exercise check on its solution, public and graded cases (`make bench`).

For each exercise source, the setup cell and the solution cells run in one
namespace (the `%pip` line of the setup cell, which only acts on Colab, is
left out); then every feedback cell (`checks.<name>(...)`) runs on the
solution, and the graded cases run with `rnnlib.grading.grade` and the key of
the hidden test. A check must answer within a second (issue 15); each row
gives the median of 5 runs after one warm-up, which leaves out the imports.

Writes benchmarks/results/check_times.csv (one row per question, with the
machine and the date) and prints a table.

Usage:
    python benchmarks/check_times.py [ex01_recurrent_step ...]
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import nbformat  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from assign import exercise_sources  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from machine import describe, write_csv  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "check_times.csv"
LIMIT_S = 1.0
KEY = re.compile(r"grade\((.*key=\d+.*)\)\s*$", re.DOTALL)


def _median_seconds(action, runs=5):
    action()  # warm-up: imports, first calls
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def time_exercise(source: Path) -> list[dict]:
    """One row per feedback cell of ``source``: the check's time on the solution."""
    cells = nbformat.read(source, as_version=4).cells
    setup = next(c for c in cells if c.cell_type == "code")
    namespace: dict = {}
    code = "\n".join(  # the %pip line acts on Colab only: keep the `if` body valid Python
        re.sub(r"^(\s*)%.*", r"\1pass", line) for line in setup.source.splitlines()
    )
    exec(compile(code, f"{source.stem}:setup", "exec"), namespace)
    rows = []
    for cell in cells:
        if cell.cell_type != "code" or cell is setup or "grader" in cell.source:
            continue
        if cell.source.startswith("checks."):
            name = cell.source.split("(")[0].removeprefix("checks.")
            check = compile(cell.source, f"{source.stem}:{name}", "eval")
            result = eval(check, namespace)
            seconds = _median_seconds(lambda c=check: eval(c, namespace))
            rows.append(
                {
                    "exercise": source.stem,
                    "check": name,
                    "sub_checks": result.max_score,
                    "solution_passes": bool(result.passed),
                    "public_s": round(seconds, 4),
                }
            )
        elif "def test_" in cell.source and "key=" in cell.source:
            call = KEY.search(cell.source.split("def test_")[1].split("\n\n\n")[0])
            graded = compile(f"__import__('rnnlib.grading').grading.grade({call[1]})", "", "eval")
            rows[-1]["graded_s"] = round(_median_seconds(lambda g=graded: eval(g, namespace)), 4)
        elif "def " in cell.source or "import" in cell.source:
            exec(compile(cell.source, f"{source.stem}:solution", "exec"), namespace)
    return rows


def main(argv: list[str]) -> int:
    sources = [s for s in exercise_sources() if not argv or s.stem in argv]
    rows = [row for source in sources for row in time_exercise(source)]
    header = f"{'exercise':<22}{'check':<24}{'sub-checks':>11}{'public s':>10}{'graded s':>10}"
    print(header)
    for r in rows:
        print(
            f"{r['exercise']:<22}{r['check']:<24}{r['sub_checks']:>11}"
            f"{r['public_s']:>10.3f}{r.get('graded_s', float('nan')):>10.3f}"
        )
    slow = [r for r in rows if max(r["public_s"], r.get("graded_s", 0)) > LIMIT_S]
    failing = [r for r in rows if not r["solution_passes"]]
    if not argv:
        machine, date = describe(), time.strftime("%Y-%m-%d")
        write_csv([{**r, "machine": machine, "date": date} for r in rows], OUT)
        print(f"wrote {OUT.relative_to(ROOT)}")
    for r in slow:
        print(f"SLOW: {r['exercise']} {r['check']} takes over {LIMIT_S:g} s")
    for r in failing:
        print(f"FAILS: the solution of {r['exercise']} does not pass {r['check']}")
    return 1 if slow or failing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
