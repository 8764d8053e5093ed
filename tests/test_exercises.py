"""The graded exercises: generated student notebooks, stubs, and otter's grading flow.

For each exercise source in chapters/exercises/, `otter assign` runs once
into a temporary folder; the tests then check that

* the committed student notebook is exactly what `otter assign` writes now;
* every student stub runs top to bottom without an error and scores 0, with
  a readable "not written yet" message from every check;
* `otter run` grades the solution notebook to full marks and the stub to 0;
* every source has hidden tests and solution markers.

nbval runs the sources themselves, so the solutions' own checks pass there.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from assign import STUDENT, exercise_sources, otter_assign  # noqa: E402

pytestmark = pytest.mark.slow
SOURCES = exercise_sources()
IDS = [p.stem for p in SOURCES]


@pytest.fixture(scope="module")
def assigned(tmp_path_factory):
    """Run `otter assign` once per exercise; map each name to its output folder."""
    out = tmp_path_factory.mktemp("assign")
    for source in SOURCES:
        otter_assign(source, out / source.stem)
    return out


def _score(results_json: Path) -> tuple[float, float]:
    tests = json.loads(results_json.read_text())["tests"]
    graded = [t for t in tests if "max_score" in t and t["max_score"] is not None]
    return sum(t["score"] for t in graded), sum(t["max_score"] for t in graded)


def _otter_run(zip_path: Path, notebook: Path, out: Path) -> tuple[float, float]:
    out.mkdir()
    otter = Path(sys.executable).with_name("otter")
    subprocess.run(
        [str(otter), "run", "--no-logo", "-a", str(zip_path), "-o", str(out), str(notebook)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return _score(out / "results.json")


def test_there_are_exercises():
    assert SOURCES, "no exercise sources in chapters/exercises/"


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_committed_student_notebook_is_current(source, assigned):
    generated = assigned / source.stem / "student" / source.name
    committed = STUDENT / source.name
    assert committed.exists(), f"{committed} is missing: run `make assignments`"
    assert committed.read_bytes() == generated.read_bytes(), (
        f"{committed.relative_to(ROOT)} differs from what `otter assign` writes now: "
        "run `make assignments` and commit the result"
    )


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_source_has_hidden_tests_and_solutions(source):
    text = source.read_text()
    assert "# BEGIN SOLUTION" in text and "# END SOLUTION" in text
    assert "hidden: true" in text, f"{source.name}: every exercise keeps some tests hidden"
    assert "rnnlib" in text and "checks." in text


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_student_stub_runs_and_every_check_says_not_written_yet(source, tmp_path):
    notebook = tmp_path / source.name
    shutil.copy(STUDENT / source.name, notebook)
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    feedback = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("checks.")]
    assert feedback, "the student notebook has no feedback cells"
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{cell.source!r} raised {out.get('ename')}"
    for cell in feedback:
        text = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
        assert "not written yet" in text and "0/" in text, text
        assert "Traceback" not in text


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_otter_run_gives_full_marks_to_the_solution_and_zero_to_the_stub(
    source, assigned, tmp_path
):
    autograder = assigned / source.stem / "autograder"
    (zip_path,) = autograder.glob("*.zip")
    full, total = _otter_run(zip_path, autograder / source.name, tmp_path / "solution")
    assert total > 0 and full == total
    stub, total_again = _otter_run(zip_path, STUDENT / source.name, tmp_path / "stub")
    assert stub == 0 and total_again == total
