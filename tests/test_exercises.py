"""The graded exercises: generated files, stubs, Colab, and otter's grading flow.

A wheel of rnnlib is built from the working tree and `otter assign` runs once
per exercise source into a temporary folder; the tests then check that

* the committed student notebook, and the public tests committed inside
  rnnlib (rnnlib/otter_tests/), are exactly what `otter assign` writes now;
* every student stub runs top to bottom without an error and scores 0, with
  a readable "not written yet" message from every check;
* every student notebook also runs that way alone in an empty folder in a
  stand-in for Colab (a kernel that otter and the setup cell take for Colab,
  and a `%pip` that does nothing), `grader.check` included: the public tests
  come from rnnlib, not from the folder;
* `otter run` grades the solution notebook to full marks and the stub to 0;
* a solution with some sub-checks wrong gets exactly its partial credit, in
  results.json and in the table `otter grade` builds for its CSV;
* one autograder zip, installed into a clean venv with nothing but what its
  environment.yml lists, grades the solution to full marks;
* every source has hidden tests and solution markers.

nbval runs the sources themselves, so the solutions' own checks pass there.
Nothing here runs on real Colab or in Docker (`otter grade`); see
instructors.md.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from assign import (  # noqa: E402
    PUBLIC_TESTS,
    STUDENT,
    build_wheel,
    exercise_sources,
    otter_assign,
    public_test_files,
)

pytestmark = pytest.mark.slow
SOURCES = exercise_sources()
IDS = [p.stem for p in SOURCES]

# The first cell of the Colab stand-in. otter takes the kernel for Colab when
# str(get_ipython()) names google.colab (otter.check.utils._Interpreter.running),
# the setup cell when sys.modules holds "google.colab"; %pip must not install.
COLAB_STAND_IN = """\
import sys, types
_shell = get_ipython()
_shell.__class__ = type(type(_shell))(
    "Shell", (type(_shell),), {"__module__": "google.colab._shell"}
)
sys.modules["google.colab"] = types.ModuleType("google.colab")
_shell.register_magic_function(lambda line: None, "line", "pip")
assert "google.colab" in str(get_ipython())
"""
COLAB_LAST_CELL = """\
from otter.check.utils import IPythonInterpreter
assert grader.interpreter is IPythonInterpreter.COLAB, grader.interpreter
"""


@pytest.fixture(scope="module")
def assigned(tmp_path_factory):
    """Build the wheel and run `otter assign` once per exercise; map names to output folders."""
    out = tmp_path_factory.mktemp("assign")
    wheel = build_wheel(out / "wheel")
    for source in SOURCES:
        otter_assign(source, out / source.stem, wheel)
    return out


def _score(results_json: Path) -> tuple[float, float]:
    tests = json.loads(results_json.read_text())["tests"]
    graded = [t for t in tests if "max_score" in t and t["max_score"] is not None]
    return sum(t["score"] for t in graded), sum(t["max_score"] for t in graded)


def _otter_run(zip_path: Path, notebook: Path, out: Path, otter: Path | None = None, env=None):
    """`otter run` one notebook into ``out`` (results.json, and results.pkl with -p)."""
    out.mkdir()
    otter = otter or Path(sys.executable).with_name("otter")
    subprocess.run(
        [str(otter), "run", "--no-logo", "-p", "-a", str(zip_path), "-o", str(out), str(notebook)],
        check=True,
        capture_output=True,
        timeout=600,
        cwd=out,  # -p writes results.pkl into the working directory
        env=env,
    )
    return _score(out / "results.json")


def _autograder(assigned: Path, name: str) -> tuple[Path, Path]:
    """The autograder zip and the solution notebook of exercise ``name``."""
    autograder = assigned / name / "autograder"
    (zip_path,) = autograder.glob("*.zip")
    return zip_path, autograder / f"{name}.ipynb"


def _outputs_text(cell) -> str:
    return "".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", [])
    )


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
def test_public_tests_shipped_in_rnnlib_are_current(source, assigned):
    generated = public_test_files(assigned / source.stem / "student" / "tests")
    committed = public_test_files(PUBLIC_TESTS / source.stem)
    assert generated, f"otter assign wrote no public tests for {source.name}"
    assert committed == generated, (
        f"{(PUBLIC_TESTS / source.stem).relative_to(ROOT)} differs from the public tests "
        "`otter assign` writes now: run `make assignments` and commit the result"
    )


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_source_has_hidden_tests_and_solutions(source):
    text = source.read_text()
    assert "# BEGIN SOLUTION" in text and "# END SOLUTION" in text
    assert "hidden: true" in text, f"{source.name}: every exercise keeps some tests hidden"
    assert "rnnlib" in text and "checks." in text


def _assert_stub_feedback(nb, source):
    """No cell of the executed stub has an error; every check and grader.check says 0."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            error = f"{out.get('ename')}: {out.get('evalue')}"
            assert out.output_type != "error", f"{source.name}: {cell.source[:80]!r} raised {error}"
    feedback = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("checks.")]
    checks = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("grader.check(")]
    assert feedback, "the student notebook has no feedback cells"
    assert checks, "the student notebook has no grader.check cells"
    for cell in feedback + checks:
        text = _outputs_text(cell)
        assert "not written yet" in text and "0/" in text, f"{cell.source}:\n{text}"
        assert "Traceback" not in text


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_student_stub_runs_and_every_check_says_not_written_yet(source, tmp_path):
    notebook = tmp_path / source.name
    shutil.copy(STUDENT / source.name, notebook)
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    _assert_stub_feedback(nb, source)


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_student_notebook_runs_alone_on_a_colab_stand_in(source, tmp_path):
    """Colab opens the notebook alone: no tests/ folder, no repository, no notebook file."""
    nb = nbformat.read(STUDENT / source.name, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(COLAB_STAND_IN))
    nb.cells.append(nbformat.v4.new_code_cell(COLAB_LAST_CELL))
    empty = tmp_path / "content"
    empty.mkdir()
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(empty)}}
    ).execute()
    _assert_stub_feedback(nb, source)
    assert not any(p.suffix in {".py", ".ipynb"} for p in empty.rglob("*")), "tests came from cwd"


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_otter_run_gives_full_marks_to_the_solution_and_zero_to_the_stub(
    source, assigned, tmp_path
):
    zip_path, solution = _autograder(assigned, source.stem)
    full, total = _otter_run(zip_path, solution, tmp_path / "solution")
    assert total > 0 and full == total
    stub, total_again = _otter_run(zip_path, STUDENT / source.name, tmp_path / "stub")
    assert stub == 0 and total_again == total


def test_partial_credit_in_otter_run_and_in_otter_grades_table(assigned, tmp_path):
    """rnn_step without its bias passes some sub-checks: it earns exactly that share."""
    from otter.grade.utils import merge_scores_to_df

    from rnnlib import grading

    zip_path, solution = _autograder(assigned, "ex01_recurrent_step")
    nb = nbformat.read(solution, as_version=4)
    right = "return np.tanh(x_t @ W_x + h_prev @ W_h + b)"
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and right in c.source]
    cell.source = cell.source.replace(right, "return np.tanh(x_t @ W_x + h_prev @ W_h)")
    variant = tmp_path / "ex01_recurrent_step.ipynb"
    nbformat.write(nb, variant)

    def no_bias(x_t, h_prev, W_x, W_h, b):
        import numpy as np

        return np.tanh(x_t @ W_x + h_prev @ W_h)

    # The expected score from the checks' own counts: 4 points over two test
    # cases (public, and hidden with key=2026), each worth points * k/n.
    shares = [grading._run("rnn_step", no_bias, key=key) for key in (None, 2026)]
    assert all(0 < r.score < r.max_score for r in shares), [str(r) for r in shares]
    expected = sum(2 * r.score / r.max_score for r in shares)

    out = tmp_path / "out"
    _otter_run(zip_path, variant, out)
    tests = {t["name"]: t for t in json.loads((out / "results.json").read_text())["tests"]}
    assert tests["rnn_step"]["score"] == pytest.approx(expected, abs=1e-5)
    assert tests["rnn_step"]["max_score"] == 4
    # Every rnn_forward case has a bias, so none is right; leaving the inputs alone earns nothing.
    assert tests["rnn_forward"]["score"] == 0

    import dill

    results = dill.loads((out / "results.pkl").read_bytes())
    results.file = variant.name
    table = merge_scores_to_df([results])  # what `otter grade` writes as final_grades.csv
    row = table[table["file"] == variant.name].iloc[0]
    assert row["rnn_step"] == pytest.approx(expected, abs=1e-5)
    assert row["total_points_earned"] == pytest.approx(
        tests["rnn_step"]["score"] + tests["rnn_forward"]["score"], abs=1e-4
    )


def test_an_autograder_zip_grades_in_a_clean_venv_with_only_its_requirements(assigned, tmp_path):
    """What Gradescope's image build does with the zip, without conda: its pip list, then grade."""
    name = "ex01_recurrent_step"  # numpy only: a quick install
    zip_path, solution = _autograder(assigned, name)
    source = tmp_path / "source"  # the zip unpacks into /autograder/source on Gradescope
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(source)
    environment = yaml.safe_load((source / "environment.yml").read_text())
    deps = environment["dependencies"]
    assert "python=3.11" in deps
    (pip_list,) = [d["pip"] for d in deps if isinstance(d, dict)]
    assert not [r for r in pip_list if "git" in r or "://" in r], pip_list
    wheels = [r for r in pip_list if r.endswith(".whl")]
    assert len(wheels) == 1 and (source / wheels[0]).is_file(), (wheels, sorted(source.rglob("*")))

    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    version = subprocess.run(
        [python, "-c", "import sys; print(*sys.version_info[:2], sep='.')"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == "3.11"
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env.update(
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PATH=f"{target / 'bin'}:{env['PATH']}",
        JUPYTER_DATA_DIR=str(tmp_path / "jupyter"),  # no kernels but the venv's own
    )
    requirements = source / "requirements-from-zip.txt"
    requirements.write_text("\n".join(pip_list) + "\n")
    subprocess.run(  # like conda/mamba: pip runs in the folder of environment.yml
        [python, "-m", "pip", "install", "--quiet", "-r", requirements.name],
        check=True,
        cwd=source,
        env=env,
        timeout=900,
    )
    where = subprocess.run(
        [python, "-c", f"import rnnlib.grading as g; print(g.public_tests({name!r}))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=env,
    )
    shipped = Path(where.stdout.strip())
    assert shipped.is_relative_to(target) and sorted(p.name for p in shipped.glob("*.py")) == [
        "rnn_forward.py",
        "rnn_step.py",
    ]
    full, total = _otter_run(
        zip_path, solution, tmp_path / "out", otter=target / "bin" / "otter", env=env
    )
    assert total > 0 and full == total
