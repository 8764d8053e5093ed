"""One source of truth for versions, and the two commands that set everything up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from importlib import metadata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from pins import pins, pins_here, requirements  # noqa: E402


def test_every_pin_is_exact():
    loose = [
        str(r)
        for name in ("course", "dev")
        for r in requirements(name)
        if len(r.specifier) != 1 or next(iter(r.specifier)).operator != "=="
    ]
    assert not loose, f"requirements/ pins must be exact (==): {loose}"


def test_environment_yml_installs_the_dev_file_on_python_3_11():
    """conda reads environment.yml; its pip section must be the dev file (relative to it)."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    (pip_block,) = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert pip_block == ["-r requirements/dev.txt"]


def test_the_course_extra_is_the_learner_file():
    """pyproject.toml's `course` extra is read from requirements/course.txt, not copied."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    dynamic = project["tool"]["setuptools"]["dynamic"]["optional-dependencies"]
    assert dynamic["course"] == {"file": ["requirements/course.txt"]}
    declared = metadata.requires("rnnlib") or []
    course = sorted(r.split(";")[0].strip() for r in declared if 'extra == "course"' in r)
    assert course == sorted(f"{n}=={v}" for n, v in pins("course").items()), (
        "the installed rnnlib's metadata is stale: run `make setup`"
    )


def test_the_learner_set_has_nothing_of_the_toolchain():
    toolchain = {"jupyter-book", "sphinx", "pytest", "playwright", "nbval", "ruff"}
    assert not toolchain & set(pins("course")), toolchain & set(pins("course"))
    assert set(pins("course")) <= set(pins("dev")), "dev.txt must include course.txt"


def test_installed_versions_match_the_pins():
    wrong = []
    for name, version in pins_here().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        if installed != version:
            wrong.append(f"{name}: pinned {version}, installed {installed}")
    assert not wrong, "the venv disagrees with requirements/ (run `make setup`):\n" + "\n".join(
        wrong
    )


def test_jupyter_book_is_1x():
    assert metadata.version("jupyter-book").startswith("1."), "the course uses Jupyter Book 1.x"


def test_ci_runs_make_test_and_the_readme_shows_it():
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [
        line.strip()
        for line in ci.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))
    ]
    assert commands == ["make test"], commands
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Two commands", 1)[1]
    first_block = section.split("```", 2)[1]
    assert "make book" in first_block and "make test" in first_block


def test_pytest_collects_nothing_under_build(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_real.py").write_text("def test_real():\n    pass\n")
    for sub in ("_build/html/_sources", "_build/jupyter_execute"):
        (tmp_path / sub).mkdir(parents=True)
        (tmp_path / sub / "test_copy.py").write_text("def test_copy():\n    pass\n")
        shutil.copy(ROOT / "chapters" / "first_look_gru64.ipynb", tmp_path / sub)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "--nbval",
            "-p",
            "no:cacheprovider",
            ".",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "tests/test_real.py::test_real" in result.stdout, result.stdout + result.stderr
    assert "_build" not in result.stdout, result.stdout


@pytest.mark.slow
def test_the_learner_install_runs_the_course_without_the_toolchain(tmp_path):
    """README's learner line, `pip install ".[course]"`, in a fresh venv (what Binder does)."""
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", f"{ROOT}[course]"],
        check=True,
        env=env,
        timeout=900,
    )
    code = (
        "import os; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'\n"
        "import keras, tensorflow, numpy, matplotlib, ipywidgets, statsmodels, otter, jupyterlab\n"
        "import rnnlib, rnnlib.plots, rnnlib.progress, rnnlib.checks\n"
        "from importlib.util import find_spec\n"
        "print(keras.__version__, numpy.__version__, jupyterlab.__version__)\n"
        "tools = ('jupyter_book', 'myst_nb', 'pytest', 'nbval', 'hypothesis', 'ruff')\n"
        "print(*[m for m in tools if find_spec(m)])"
    )
    out = subprocess.run(
        [python, "-c", code], check=True, capture_output=True, text=True, env=env, timeout=300
    )
    # Not sphinx or playwright: otter-grader itself needs them (fica, nbconvert[webpdf]).
    versions, toolchain = (out.stdout.splitlines() + [""])[:2]
    pinned = pins("course")
    assert versions.split() == [pinned["keras"], pinned["numpy"], pinned["jupyterlab"]]
    assert toolchain == "", f"the learner install pulled in the toolchain: {toolchain}"
