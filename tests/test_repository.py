"""The repository URL sits in one place (_config.yml), and the book's pages exist."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import repo_url  # noqa: E402
from notebooks import executable_notebooks  # noqa: E402


def test_repo_url_check_passes_on_the_repository():
    """`make repo-url` has run: every install line and html.baseurl agree (its --check mode)."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "repo_url.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_executable_notebook_installs_the_tagged_release():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    for path in executable_notebooks(ROOT):
        reqs = repo_url.notebook_requirements(ROOT / path)
        assert reqs == [f"rnnlib @ git+{url}@v{version}"], f"{path}: {reqs}; run `make repo-url`"


def _fork(tmp_path: Path) -> Path:
    """A minimal copy of the repository: _config.yml, pyproject.toml and one notebook."""
    for name in ("_config.yml", "pyproject.toml"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    (tmp_path / "chapters").mkdir()
    notebook = tmp_path / "chapters" / "nb.ipynb"
    notebook.write_bytes((ROOT / "chapters" / "first_look_gru64.ipynb").read_bytes())
    return notebook


def test_a_fork_changes_one_line_and_repo_url_rewrites_the_rest(tmp_path, capsys):
    notebook = _fork(tmp_path)
    config = tmp_path / "_config.yml"
    config.write_text(
        config.read_text().replace(
            "url: https://github.com/rnn-course/rnn-course", "url: https://github.com/Someone/fork"
        )
    )
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', 'version = "0.2.0"'))
    assert repo_url.main(["--check"], tmp_path) == 1
    out = capsys.readouterr().out
    assert "chapters/nb.ipynb" in out and "html.baseurl" in out

    assert repo_url.main([], tmp_path) == 0
    assert repo_url.main(["--check"], tmp_path) == 0
    assert repo_url.notebook_requirements(notebook) == [
        "rnnlib @ git+https://github.com/Someone/fork@v0.2.0"
    ]
    written = yaml.safe_load(config.read_text())
    assert written["html"]["baseurl"] == "https://someone.github.io/fork/"
    assert written["html"]["use_repository_button"] is True  # the rest of html: is kept
    assert "# The repository URL lives here" in config.read_text()  # and the comments


def test_rewriting_changes_only_the_install_line(tmp_path):
    source = ROOT / "chapters" / "first_look_gru64.ipynb"
    copy = _fork(tmp_path)
    requirement = "rnnlib @ git+https://github.com/someone/fork@v9.9.9"
    assert repo_url.rewrite(copy, requirement)
    assert repo_url.notebook_requirements(copy) == [requirement]
    before = nbformat.read(source, as_version=4)
    after = nbformat.read(copy, as_version=4)
    changed = [
        i
        for i, (a, b) in enumerate(zip(before.cells, after.cells, strict=True))
        if a.source != b.source
    ]
    assert len(changed) == 1 and before.cells[changed[0]].outputs == after.cells[changed[0]].outputs
    assert not repo_url.rewrite(copy, requirement)  # idempotent


def test_pages_url_of_a_github_repository():
    assert repo_url.pages_url("https://github.com/a/b/") == "https://a.github.io/b/"
    assert repo_url.pages_url("https://github.com/A/a.github.io") == "https://a.github.io/"
    with pytest.raises(ValueError, match="OWNER/REPO"):
        repo_url.pages_url("https://gitlab.com/a/b")


def test_launch_buttons_are_configured():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    buttons = config["launch_buttons"]
    assert buttons["binderhub_url"] == "https://mybinder.org"
    assert buttons["colab_url"] == "https://colab.research.google.com"
    assert buttons["thebe"] is True
    assert config["repository"]["url"].startswith("https://github.com/")
    assert config["execute"]["execute_notebooks"] == "off"


def test_the_toc_is_a_book_with_parts():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    assert toc["format"] == "jb-book"
    assert toc["parts"] and all("caption" in part for part in toc["parts"])
