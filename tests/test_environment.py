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
from pins import pip_requirements  # noqa: E402


def _yaml_pip_list():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    (pip_block,) = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    return pip_block


def test_pins_script_reads_the_same_list_as_a_yaml_parser():
    assert pip_requirements() == _yaml_pip_list()


def test_every_pin_is_exact():
    loose = [r for r in pip_requirements() if "==" not in r]
    assert not loose, f"environment.yml pins must be exact (==): {loose}"


def test_binder_gets_python_3_11():
    deps = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    assert "python=3.11" in deps


def test_installed_versions_match_the_pins():
    wrong = []
    for req in pip_requirements():
        name, version = req.split("==")
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        if installed != version:
            wrong.append(f"{name}: pinned {version}, installed {installed}")
    assert not wrong, "the venv disagrees with environment.yml (run `make setup`):\n" + "\n".join(
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
    first_block = readme.split("```", 2)[1]
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
def test_pip_part_of_environment_installs_and_imports_in_a_clean_venv(tmp_path):
    """What Binder's pip step does, without conda: a fresh venv, the pins, the imports."""
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("\n".join(pip_requirements()) + "\n")
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    for args in (["-r", str(reqs)], ["--no-deps", str(ROOT)]):
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", *args], check=True, env=env, timeout=900
        )
    code = (
        "import os; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'; "
        "import keras, tensorflow, numpy, matplotlib, ipywidgets, statsmodels, otter, nbval, "
        "jupyter_book, sphinx_exercise, rnnlib; "
        "print(keras.__version__, numpy.__version__)"
    )
    out = subprocess.run(
        [python, "-c", code], check=True, capture_output=True, text=True, env=env, timeout=300
    )
    pins = dict(r.split("==") for r in pip_requirements())
    assert out.stdout.split() == [pins["keras"], pins["numpy"]]
