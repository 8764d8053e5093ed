"""Binder builds the learner set from binder/, with Python 3.11, then runs binder/postBuild.

Checked the way Binder reads the repository: `repo2docker --no-build` prints the Dockerfile
it would build, without Docker. mybinder.org builds for linux/amd64 as user jovyan (1000),
so the test asks for the same.
"""

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
# The toolchain the issue names; none of it belongs in what binder/ lists.
TOOLCHAIN = {"jupyter-book", "pytest", "playwright", "sphinx"}


def requirement_names(path):
    """Canonical names of the requirements in a pip requirements file, following -r.

    Args:
        path: a requirements file; a nested ``-r`` is read relative to it, as pip does.

    Example:
        >>> "keras" in requirement_names(ROOT / "requirements/course.txt")
        True
    """
    names = set()
    for line in Path(path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r"):
            names |= requirement_names(Path(path).parent / line[2:].strip())
        elif line.startswith("-"):
            raise ValueError(f"{path}: option {line!r} is not followed by this test")
        elif line:
            names.add(canonicalize_name(Requirement(line).name))
    return names


def repo2docker_dockerfile(repo, tmp_path):
    """The Dockerfile repo2docker would build for ``repo``, and its log (stderr)."""
    config = tmp_path / "r2d_config.py"
    config.write_text('c.Repo2Docker.platform = "linux/amd64"\n')
    command = [sys.executable, "-m", "repo2docker", "--config", str(config), "--no-build"]
    command += ["--debug", "--user-id", "1000", "--user-name", "jovyan", str(repo)]
    # cwd: repo2docker also reads a repo2docker_config.py from its working directory.
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout, result.stderr


def binder_problems(dockerfile, log):
    """What, in repo2docker's Dockerfile and log, shows that it did not build from binder/."""
    lines = dockerfile.splitlines()

    def first(pattern):
        return next((n for n, line in enumerate(lines) if re.search(pattern, line)), None)

    problems = []
    if "Building conda environment for python=3.11\n" not in log:
        problems.append("the base environment is not Python 3.11")
    for name in ("environment.yml", "dev.txt", "env update -p"):
        if name in dockerfile:
            problems.append(f"the Dockerfile uses {name!r}: not the learner set of binder/")
    repo = first(r"^COPY .* src/ \$\{REPO_DIR\}/$")
    install = first(r'^RUN \S*/pip install --no-cache-dir -r "binder/requirements\.txt"$')
    post_build = first(r"^RUN \./binder/postBuild$")
    if install is None:
        problems.append("binder/requirements.txt is not installed")
    elif repo is None or install < repo:
        # Its -r ../requirements/course.txt needs the repository copied in first.
        problems.append("binder/requirements.txt is installed before the repository is copied")
    if post_build is None:
        problems.append("binder/postBuild is not run")
    elif install is not None and post_build < install:
        problems.append("binder/postBuild runs before the learner set is installed")
    return problems


@pytest.fixture(scope="module")
def binder_build(tmp_path_factory):
    return repo2docker_dockerfile(ROOT, tmp_path_factory.mktemp("r2d"))


def test_repo2docker_builds_from_binder(binder_build):
    dockerfile, log = binder_build
    assert binder_problems(dockerfile, log) == []


def test_without_binder_the_check_fails(tmp_path):
    """The same check on a copy without binder/ (the top-level environment.yml wins)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("environment.yml", "pyproject.toml", "_config.yml"):
        shutil.copy(ROOT / name, repo)
    shutil.copytree(ROOT / "requirements", repo / "requirements")
    assert binder_problems(*repo2docker_dockerfile(repo, tmp_path)) == [
        "the Dockerfile uses 'environment.yml': not the learner set of binder/",
        "the Dockerfile uses 'env update -p': not the learner set of binder/",
        "binder/requirements.txt is not installed",
        "binder/postBuild is not run",
    ]


def test_binder_lists_the_learner_set_only():
    listed = requirement_names(ROOT / "binder/requirements.txt")
    assert listed == requirement_names(ROOT / "requirements/course.txt")
    toolchain_only = requirement_names(ROOT / "requirements/dev.txt") - listed
    assert TOOLCHAIN <= toolchain_only, "dev.txt pins the toolchain, course.txt none of it"
    assert listed.isdisjoint(toolchain_only)


def test_binder_python_is_the_course_python():
    runtime = (ROOT / "binder/runtime.txt").read_text().strip()
    conda = re.search(r"^\s*- python=(\S+)$", (ROOT / "environment.yml").read_text(), re.M)
    assert runtime == "python-3.11"
    assert conda and conda.group(1) == "3.11", "environment.yml and binder/ differ in Python"


def test_post_build_installs_rnnlib():
    post_build = ROOT / "binder/postBuild"
    assert post_build.read_text().startswith("#!/bin/bash\n")
    assert re.search(r"^python -m pip install .*--no-deps \.$", post_build.read_text(), re.M)
    assert not (ROOT / "postBuild").exists(), "repo2docker ignores a top-level postBuild"


def test_launch_buttons_open_jupyterlab():
    config = (ROOT / "_config.yml").read_text()
    assert re.search(r"^launch_buttons:\n(  .*\n)*  notebook_interface: jupyterlab$", config, re.M)


# What the learner set itself pulls in from requirements/dev.txt, and through which package.
PULLED_IN = {
    "sphinx": "otter-grader -> fica",
    "playwright": "otter-grader -> nbconvert[webpdf] (the Python package, no browser)",
    "nbconvert": "otter-grader, jupyter-server",
    "nbclient": "nbconvert",
    "nbformat": "otter-grader, jupyter-server, nbconvert",
    "psutil": "ipython",
    "pyyaml": "otter-grader, jupyter-events",
    "setuptools": "tensorflow",
}


@pytest.mark.slow
def test_binder_resolution_leaves_the_toolchain_out(tmp_path):
    """pip resolves binder/requirements.txt from the repository root, as Binder runs it."""
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed"]
    command += ["--quiet", "--report", str(report), "-r", "binder/requirements.txt"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    installed = json.loads(report.read_text())["install"]
    names = {canonicalize_name(item["metadata"]["name"]) for item in installed}
    toolchain_only = requirement_names(ROOT / "requirements/dev.txt") - requirement_names(
        ROOT / "requirements/course.txt"
    )
    assert {"otter-grader", "jupyterlab", "keras", "numpy"} <= names
    assert "jupyter-book" not in names and "pytest" not in names
    assert (names & toolchain_only) - PULLED_IN.keys() == set()


def test_how_to_use_quotes_the_measured_memory():
    """The Binder memory advice quotes the measured kernels, and the learner's two lines."""
    rows = list(csv.DictReader((ROOT / "rnnlib/benchmark_results/notebook_budget.csv").open()))
    peaks = [float(row["peak_mb"]) for row in rows]
    tensorflow = [peak for peak in peaks if peak > 500]  # the others stay under 130 MB
    page = " ".join((ROOT / "how-to-use.md").read_text().split())
    assert f"The {len(rows)} notebooks are" in page
    assert f"{len(tensorflow)} of them, the ones that use TensorFlow" in page
    assert f"peak between {min(tensorflow):.0f} and {max(peaks):.0f} MB" in page
    assert "others under 130 MB" in page and max(p for p in peaks if p <= 500) < 130
    assert 2 * min(tensorflow) > 1024 and 3 * max(peaks) > 2048, "the advice no longer holds"
    assert (
        'python -m pip install ".[course]"\njupyter lab\n' in (ROOT / "how-to-use.md").read_text()
    )
