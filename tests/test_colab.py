"""Every page runs on Colab: each notebook alone, outside the repository, rnnlib from a wheel.

Colab opens one notebook from GitHub, with no repository beside it, and its setup
cell installs rnnlib from the tagged release. This test does the same, offline:

* rnnlib is built into a wheel from this checkout and installed into a folder
  of its own (``site/``), which the kernel finds first on ``PYTHONPATH``; the
  kernel checks that ``rnnlib`` is that copy, not the editable one in .venv;
* each notebook is copied alone into an empty folder outside the repository
  and executed there, every cell, with nbclient;
* an IPython startup file makes the kernel look like Colab: a ``google.colab``
  module in ``sys.modules`` (what the setup cells test), a shell whose ``str()``
  names ``google.colab`` (how otter-grader detects Colab), and a ``%pip`` that
  records its line and installs nothing (GitHub is not reachable here). The
  test then checks that each notebook asked for exactly
  ``rnnlib @ git+<repository.url>@v<version>``, as ``make repo-url`` writes it.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from notebooks import executable_notebooks  # noqa: E402

NOTEBOOKS = executable_notebooks(ROOT)
CELL_TIMEOUT_S = 300

# Runs at kernel start (IPYTHONDIR/profile_default/startup/), before the first cell.
COLAB_STARTUP = '''\
"""Make this kernel look like Google Colab to the notebook, to otter and to %pip."""
import json
import os
import sys
import types

try:
    import google  # the real namespace package (google.protobuf lives in it): keep it
except ImportError:
    google = sys.modules["google"] = types.ModuleType("google")
colab = types.ModuleType("google.colab")
colab.__file__ = __file__
sys.modules["google.colab"] = colab
google.colab = colab

shell = get_ipython()
# otter-grader detects Colab by "google.colab" in str(get_ipython()): on Colab the shell
# is an instance of google.colab._shell.Shell.
shell.__class__ = type("Shell", (type(shell),), {"__module__": "google.colab._shell"})


def pip(line):
    """Record the %pip line instead of installing: GitHub is not reachable from the test."""
    with open(os.environ["COLAB_TEST_PIP_LOG"], "a", encoding="utf-8") as f:
        f.write(json.dumps(line) + "\\n")


shell.register_magic_function(pip, "line", "pip")
'''

# Appended to each notebook: run in its kernel after the notebook's own cells.
KERNEL_CHECKS = """\
import json as _json
import sys as _sys
from pathlib import Path as _Path

import rnnlib as _rnnlib
from otter.check.utils import IPythonInterpreter as _Interpreter

print(_json.dumps({
    "rnnlib": _rnnlib.__file__,
    "otter_sees_colab": _Interpreter.COLAB.value.running(),
    "google_colab": "google.colab" in _sys.modules,
    "grader_on_colab": (
        grader.interpreter is _Interpreter.COLAB if "grader" in globals() else None
    ),
}))
"""


def _config_requirement() -> str:
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"].rstrip("/")
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    return f"rnnlib @ git+{url}@v{version}"


def _course_pins() -> dict[str, str]:
    """name -> version of the ``name==version`` lines of requirements/course.txt."""
    pins = {}
    for line in (ROOT / "requirements" / "course.txt").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9._-]+)==([^\s;#]+)", line)
        if m:
            pins[m[1].lower()] = m[2]
    return pins


def _run(command: list[str], cwd: Path) -> None:
    """Run a pip command quietly; on failure show what it printed."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, f"{shlex.join(command)} failed:\n{done.stdout}{done.stderr}"


@pytest.fixture(scope="module")
def colab(tmp_path_factory):
    """A folder outside the repository with rnnlib's wheel installed and a Colab profile."""
    base = tmp_path_factory.mktemp("colab")
    assert not base.resolve().is_relative_to(ROOT), "the temporary folder must be outside"
    # What a wheel is built from (as from an sdist): a copy, so the build leaves no build/ here.
    src = base / "src"
    skip = shutil.ignore_patterns("__pycache__")
    for name in ("rnnlib", "requirements"):
        shutil.copytree(ROOT / name, src / name, ignore=skip)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    wheels = base / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    _run([*build, "-w", str(wheels), str(src)], cwd=base)
    (wheel,) = wheels.glob("rnnlib-*.whl")
    site = base / "site"
    install = [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site)]
    _run([*install, str(wheel)], cwd=base)
    shipped = {p.relative_to(site).as_posix() for p in (site / "rnnlib").rglob("*")}
    for exercise in (ROOT / "rnnlib" / "otter_tests").iterdir():
        if exercise.is_dir():
            assert f"rnnlib/otter_tests/{exercise.name}" in shipped, exercise.name
    for table in (ROOT / "rnnlib" / "benchmark_results").glob("*.csv"):
        assert f"rnnlib/benchmark_results/{table.name}" in shipped, table.name

    startup = base / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-colab.py").write_text(COLAB_STARTUP)
    return base, site


@pytest.mark.slow
@pytest.mark.keras
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_alone_on_colab(path, colab, monkeypatch):
    base, site = colab
    folder = base / "run" / path.stem
    folder.mkdir(parents=True)
    shutil.copy(ROOT / path, folder / path.name)  # alone: no repository, no other files
    pip_log = base / "run" / f"{path.stem}.pip.jsonl"
    monkeypatch.setenv("PYTHONPATH", str(site))
    monkeypatch.setenv("IPYTHONDIR", str(base / "ipython"))
    monkeypatch.setenv("COLAB_TEST_PIP_LOG", str(pip_log))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    monkeypatch.setenv("PYTHONHASHSEED", "0")

    nb = nbformat.read(folder / path.name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(KERNEL_CHECKS))
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    print(f"{path}: {time.perf_counter() - start:.1f} s")

    found = json.loads(nb.cells[-1].outputs[-1]["text"])
    assert Path(found["rnnlib"]).resolve().is_relative_to(site.resolve()), found["rnnlib"]
    assert not Path(found["rnnlib"]).resolve().is_relative_to(ROOT), "imported the repo's rnnlib"
    assert found["google_colab"] and found["otter_sees_colab"], found
    if "otter.Notebook(" in (ROOT / path).read_text():
        assert found["grader_on_colab"] is True, "otter.Notebook did not run in its Colab mode"

    lines = [json.loads(line) for line in pip_log.read_text().splitlines()]
    assert len(lines) == 1, f"{path}: expected one %pip line, got {lines}"
    args = shlex.split(lines[0])
    assert args[0] == "install", lines[0]
    requirements = [a for a in args[1:] if not a.startswith("-")]
    assert [r for r in requirements if r.startswith("rnnlib")] == [_config_requirement()]
    pins = _course_pins()
    for other in (r for r in requirements if not r.startswith("rnnlib")):
        name, _, version = other.partition("==")
        assert pins.get(name.lower()) == version, f"{other} differs from requirements/course.txt"


PARENT = re.compile(r"\.\.[/\\]|[\"']\.\.[\"']")  # ../ or ..\ in a path, or ".." itself


@pytest.mark.parametrize("folder", ["chapters", "reference"])
def test_no_code_cell_reads_a_path_outside_its_notebook(folder):
    """On Colab a notebook has no folders around it: no code cell may name ``../``."""
    found = []
    for path in sorted((ROOT / folder).rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "code" and PARENT.search(cell.source):
                found.append(f"{path.relative_to(ROOT)} cell {i}: {PARENT.search(cell.source)[0]}")
    assert not found, "read these files with rnnlib.results.load instead:\n" + "\n".join(found)


def test_parent_paths_are_recognised():
    for source in ['pd.read_csv("../x.csv")', "open('..\\\\x')", 'Path("..") / "x"']:
        assert PARENT.search(source), source
    assert not PARENT.search('results.load("memory_grid")')


def test_results_load_reads_each_shipped_table():
    from rnnlib import results

    shipped = sorted(p.stem for p in (ROOT / "rnnlib" / "benchmark_results").glob("*.csv"))
    assert results.tables() == shipped and "memory_grid" in shipped
    for name in shipped:
        table = results.load(name)
        lines = (ROOT / "rnnlib" / "benchmark_results" / f"{name}.csv").read_text().splitlines()
        assert len(table) == len(lines) - 1 and {"machine", "date"} <= set(table.columns), name
    with pytest.raises(ValueError, match="the tables are: forward_speed, memory_grid"):
        results.load("memory-grid")
