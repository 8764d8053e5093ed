"""Keep the repository URL in one place: _config.yml's `repository.url`.

The launch buttons and the repository button read it from _config.yml. The
only copies are the lines that install rnnlib from the repository, in each
notebook's setup cell (Colab runs a notebook alone, without the repository).
This script writes them all. (The exercises' autograders do not use the URL:
they install the wheel of rnnlib that `make assignments` ships in each zip.)

Usage:
    python tools/repo_url.py           rewrite every notebook's install line (`make repo-url`)
    python tools/repo_url.py --check   exit 1 and list the notebooks that disagree
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
INSTALL = re.compile(r"rnnlib @ git\+(?P<url>[^\"\s]+)")


def repository_url(root: Path = ROOT) -> str:
    """The repository URL that _config.yml declares."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"].rstrip("/")


def notebook_urls(path: Path) -> list[str]:
    """Every repository URL named in a notebook's rnnlib install lines."""
    nb = nbformat.read(path, as_version=4)
    return [m["url"] for c in nb.cells for m in INSTALL.finditer(c.source)]


def rewrite(path: Path, url: str) -> bool:
    """Point a notebook's install lines at ``url``; return True if it changed."""
    nb = nbformat.read(path, as_version=4)
    changed = False
    for cell in nb.cells:
        new = INSTALL.sub(f"rnnlib @ git+{url}", cell.source)
        changed |= new != cell.source
        cell.source = new
    if changed:
        nbformat.write(nb, path)
    return changed


def all_notebooks(root: Path = ROOT) -> list[Path]:
    return sorted(
        p for p in (root / "chapters").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )


if __name__ == "__main__":
    url = repository_url()
    if "--check" in sys.argv[1:]:
        bad = [p for p in all_notebooks() if any(u != url for u in notebook_urls(p))]
        for p in bad:
            print(f"{p.relative_to(ROOT)}: install line does not point at {url}")
        sys.exit(1 if bad else 0)
    for p in all_notebooks():
        if rewrite(p, url):
            print(f"rewrote {p.relative_to(ROOT)}")
