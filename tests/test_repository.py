"""The repository URL sits in one place (_config.yml), and the book's pages exist."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import repo_url  # noqa: E402
from notebooks import executable_notebooks  # noqa: E402


def test_every_notebook_installs_rnnlib_from_the_configured_repository():
    url = repo_url.repository_url()
    for path in executable_notebooks(ROOT):
        urls = repo_url.notebook_urls(ROOT / path)
        assert urls, f"{path}: the setup cell has no Colab install line for rnnlib"
        assert set(urls) == {url}, f"{path}: {urls} != {url}; run `make repo-url`"


def test_rewriting_the_url_changes_only_the_install_line(tmp_path):
    source = ROOT / "chapters" / "first_look_gru64.ipynb"
    copy = tmp_path / "nb.ipynb"
    copy.write_bytes(source.read_bytes())
    assert repo_url.rewrite(copy, "https://github.com/someone/fork")
    assert repo_url.notebook_urls(copy) == ["https://github.com/someone/fork"]
    before = nbformat.read(source, as_version=4)
    after = nbformat.read(copy, as_version=4)
    changed = [
        i
        for i, (a, b) in enumerate(zip(before.cells, after.cells, strict=True))
        if a.source != b.source
    ]
    assert len(changed) == 1 and before.cells[changed[0]].outputs == after.cells[changed[0]].outputs
    assert not repo_url.rewrite(copy, "https://github.com/someone/fork")  # idempotent


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
