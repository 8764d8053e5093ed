"""Keep the repository URL and the release tag in one place each.

The URL lives in _config.yml's `repository.url`; the version in pyproject.toml's
`project.version`, whose tag is `v<version>` (for example v0.1.0). The launch
buttons and the repository button read the URL from _config.yml. The copies
this script writes are:

- the line that installs rnnlib in each notebook's setup cell on Colab (Colab
  opens one notebook alone, without the repository), pinned to the release tag:
  ``%pip install "rnnlib @ git+https://github.com/OWNER/REPO@v0.1.0"``;
- _config.yml's `html.baseurl`, the address GitHub Pages serves the book at:
  https://github.com/OWNER/REPO gives https://OWNER.github.io/REPO/.

(The exercises' autograders do not use the URL: they install the wheel of
rnnlib that `make assignments` ships in each zip.) The Colab lines work only
once the tag is pushed: `git tag v0.1.0 && git push --tags`.

Usage:
    python tools/repo_url.py           rewrite the install lines and html.baseurl (`make repo-url`)
    python tools/repo_url.py --check   exit 1 and list what disagrees
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIRS = ("chapters", "reference")
# `rnnlib @ git+URL` or `rnnlib @ git+URL@REF`; the URL itself holds no "@".
INSTALL = re.compile(r"rnnlib @ git\+(?P<url>[^\"\s@]+)(?:@(?P<ref>[^\"\s]+))?")
GITHUB = re.compile(r"https://github\.com/(?P<owner>[^/\s]+)/(?P<repo>[^/\s]+)")
# The `baseurl:` key of the top-level `html:` block of _config.yml.
BASEURL = re.compile(r"(?m)^(html:\n(?:[ \t]+.*\n|\s*\n)*?[ \t]+baseurl:[ \t]*)(\S*)[ \t]*$")


def repository_url(root: Path = ROOT) -> str:
    """The repository URL that _config.yml declares, without a trailing slash."""
    return _config(root)["repository"]["url"].rstrip("/")


def release_tag(root: Path = ROOT) -> str:
    """The git tag of this version: ``"v"`` + pyproject.toml's ``project.version``.

    Example:
        >>> release_tag()  # with version = "0.1.0"
        'v0.1.0'
    """
    with (root / "pyproject.toml").open("rb") as f:
        return "v" + tomllib.load(f)["project"]["version"]


def install_requirement(root: Path = ROOT) -> str:
    """The requirement each notebook's Colab line installs, e.g. ``rnnlib @ git+URL@v0.1.0``."""
    return f"rnnlib @ git+{repository_url(root)}@{release_tag(root)}"


def pages_url(url: str) -> str:
    """The GitHub Pages address of a GitHub repository.

    Args:
        url: ``https://github.com/OWNER/REPO``.

    Returns:
        ``https://OWNER.github.io/REPO/`` (owner lower-cased, as Pages serves it), or
        ``https://OWNER.github.io/`` for the repository named ``OWNER.github.io``.

    Example:
        >>> pages_url("https://github.com/rnn-course/rnn-course")
        'https://rnn-course.github.io/rnn-course/'
    """
    m = GITHUB.fullmatch(url.rstrip("/"))
    if not m:
        raise ValueError(
            f"repository.url must look like https://github.com/OWNER/REPO, not {url!r}"
        )
    host = f"{m['owner'].lower()}.github.io"
    return f"https://{host}/" if m["repo"].lower() == host else f"https://{host}/{m['repo']}/"


def notebook_requirements(path: Path) -> list[str]:
    """Every rnnlib install requirement in a notebook, e.g. ``["rnnlib @ git+URL@v0.1.0"]``."""
    nb = nbformat.read(path, as_version=4)
    return [m[0] for c in nb.cells for m in INSTALL.finditer(c.source)]


def notebook_urls(path: Path) -> list[str]:
    """Every repository URL named in a notebook's rnnlib install lines (without the tag)."""
    nb = nbformat.read(path, as_version=4)
    return [m["url"] for c in nb.cells for m in INSTALL.finditer(c.source)]


def rewrite(path: Path, requirement: str) -> bool:
    """Make a notebook's install lines install ``requirement``; return True if it changed.

    Args:
        path: a notebook.
        requirement: ``rnnlib @ git+URL@TAG`` (see :func:`install_requirement`).
    """
    nb = nbformat.read(path, as_version=4)
    changed = False
    for cell in nb.cells:
        new = INSTALL.sub(requirement, cell.source)
        changed |= new != cell.source
        cell.source = new
    if changed:
        nbformat.write(nb, path)
    return changed


def config_baseurl(root: Path = ROOT) -> str | None:
    """_config.yml's ``html.baseurl`` (None when absent)."""
    return (_config(root).get("html") or {}).get("baseurl")


def set_baseurl(root: Path, baseurl: str) -> bool:
    """Write ``html.baseurl`` into _config.yml, keeping its comments; True if it changed."""
    path = root / "_config.yml"
    text = path.read_text(encoding="utf-8")
    if BASEURL.search(text):
        new = BASEURL.sub(lambda m: m[1] + baseurl, text, count=1)
    elif re.search(r"(?m)^html:\n", text):
        new = re.sub(r"(?m)^html:\n", f"html:\n  baseurl: {baseurl}\n", text, count=1)
    else:
        new = text.rstrip("\n") + f"\n\nhtml:\n  baseurl: {baseurl}\n"
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def all_notebooks(root: Path = ROOT) -> list[Path]:
    """Every notebook of the course (chapters, exercises, student versions, reference)."""
    return sorted(
        p
        for d in NOTEBOOK_DIRS
        for p in (root / d).rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    )


def problems(root: Path = ROOT) -> list[str]:
    """What disagrees with _config.yml and pyproject.toml, one line each (empty: all agree)."""
    want = install_requirement(root)
    found = []
    for p in all_notebooks(root):
        reqs = notebook_requirements(p)
        if not reqs:
            found.append(f"{p.relative_to(root)}: no Colab install line for rnnlib")
        elif any(r != want for r in reqs):
            found.append(f"{p.relative_to(root)}: installs {reqs[0]!r}, not {want!r}")
    baseurl = pages_url(repository_url(root))
    if config_baseurl(root) != baseurl:
        found.append(f"_config.yml: html.baseurl is {config_baseurl(root)!r}, not {baseurl!r}")
    return found


def main(argv: list[str], root: Path = ROOT) -> int:
    """Rewrite (or with ``--check``, check) the notebooks and html.baseurl; the exit status."""
    if "--check" in argv:
        found = problems(root)
        for line in found:
            print(line)
        if found:
            print("run `make repo-url` to fix")
        return 1 if found else 0
    want = install_requirement(root)
    for p in all_notebooks(root):
        if rewrite(p, want):
            print(f"rewrote {p.relative_to(root)}")
    if set_baseurl(root, pages_url(repository_url(root))):
        print("rewrote _config.yml html.baseurl")
    return 0


def _config(root: Path) -> dict:
    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
