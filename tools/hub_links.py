"""nbgitpuller links for a class on a JupyterHub: one per exercise, and one for the course.

A student who opens a link logs in to the hub; nbgitpuller (installed in the
hub's image) then clones this repository into their home folder, or, from the
second time on, merges what changed in it without overwriting their own
edits, and opens the page the link names. The link format is nbgitpuller's
(https://nbgitpuller.readthedocs.io/en/latest/topic/url-options.html):

    <hub>/hub/user-redirect/git-pull?repo=<repo>&branch=<branch>&urlpath=<urlpath>

with ``urlpath`` = ``lab/tree/<folder>/<path>`` (JupyterLab) or
``tree/<folder>/<path>`` (the classic interface; Notebook 7 redirects a
notebook's ``tree/`` address to its ``notebooks/`` one), relative to the
student's home. ``<folder>`` is where nbgitpuller clones the repository when the link
sets no ``targetpath``: the last part of the repository URL (``rnn-course``
for ``https://github.com/rnn-course/rnn-course``). This assumes the hub does
not set ``NBGITPULLER_PARENTPATH``, the default.

The exercises are the student notebooks in _toc.yml's order, the order of the
table on instructors.md (tools/exercise_table.py); the repository and branch
default to _config.yml's ``repository.url`` and ``repository.branch``.

Usage:
    python tools/hub_links.py --hub https://hub.example.edu [--repo URL] [--branch main]
                              [--interface lab|tree]
    make hub-links HUB=https://hub.example.edu

Prints a title line, then its link, for the whole course (the chapters folder)
and for each exercise. A --hub that is not an http(s) address exits with 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from assign import STUDENT  # noqa: E402
from exercise_table import rows  # noqa: E402

COURSE_FOLDER = "chapters"  # what the course link opens
# The interface -> how its URLs name a file or folder (nbgitpuller's url-options page).
INTERFACES = {"lab": "lab/tree", "tree": "tree"}


def repository(root: Path = ROOT) -> tuple[str, str]:
    """The repository URL and branch that _config.yml declares.

    Example:
        >>> repository()
        ('https://github.com/rnn-course/rnn-course', 'main')
    """
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))["repository"]
    return config["url"].rstrip("/"), config.get("branch", "main")


def check_hub(hub: str) -> str:
    """The hub's address without a trailing slash; ValueError, saying why, if it is not one.

    Args:
        hub: the address students open the hub at, e.g. ``https://hub.example.edu``
            (with a path when the hub is served under one: ``https://example.edu/jupyter``).

    Example:
        >>> check_hub("https://hub.example.edu/")
        'https://hub.example.edu'
    """
    parts = urlsplit(hub.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"--hub {hub!r} is not an http(s) address, e.g. https://hub.example.edu")
    if parts.query or parts.fragment:
        raise ValueError(f"--hub {hub!r} has a query or a fragment; give the hub's address only")
    path = parts.path.rstrip("/")
    if path.endswith("/hub") or "/hub/" in path or "/user/" in path + "/":
        raise ValueError(
            f"--hub {hub!r} is a page of the hub, not its address: leave out /hub/... or /user/..."
        )
    return f"{parts.scheme}://{parts.netloc}{path}"


def clone_folder(repo: str) -> str:
    """The folder nbgitpuller clones ``repo`` into by default (its ``targetpath``).

    nbgitpuller 1.3.0 takes the part after the last ``/``, trailing slashes removed.

    Example:
        >>> clone_folder("https://github.com/rnn-course/rnn-course/")
        'rnn-course'
    """
    return repo.rstrip("/").split("/")[-1]


def pull_link(hub: str, repo: str, branch: str, path: str, interface: str = "lab") -> str:
    """The nbgitpuller link that pulls ``repo`` and opens ``path`` (relative to the repository).

    Args:
        hub: the hub's address, as :func:`check_hub` returns it.
        repo: the repository's URL, anything ``git clone`` accepts.
        branch: the branch to pull.
        path: a notebook or folder of the repository, e.g. ``chapters``.
        interface: ``lab`` (JupyterLab) or ``tree`` (the classic interface).

    Example:
        >>> pull_link("https://hub.example.edu", "https://github.com/a/b", "main", "x.ipynb")
        'https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fa%2Fb&branch=main&urlpath=lab%2Ftree%2Fb%2Fx.ipynb'
    """
    if interface not in INTERFACES:
        raise ValueError(f"interface {interface!r} is not one of {', '.join(INTERFACES)}")
    urlpath = f"{INTERFACES[interface]}/{clone_folder(repo)}/{path}"
    query = urlencode({"repo": repo, "branch": branch, "urlpath": urlpath})
    return f"{hub}/hub/user-redirect/git-pull?{query}"


def title(notebook: Path) -> str:
    """The first heading of a notebook, without its ``#``."""
    first = nbformat.read(notebook, as_version=4).cells[0].source.splitlines()[0]
    return first.lstrip("#").strip()


def student_notebooks() -> list[Path]:
    """Every exercise's student notebook, in _toc.yml's order; an error names any missing."""
    notebooks = [STUDENT / f"{row['exercise']}.ipynb" for row in rows()]
    missing = [str(p.relative_to(ROOT)) for p in notebooks if not p.exists()]
    if missing:
        raise FileNotFoundError(f"no student notebook {', '.join(missing)}: run make assignments")
    return notebooks


def links(hub: str, repo: str, branch: str, interface: str = "lab") -> list[tuple[str, str]]:
    """(title, link) pairs: the whole course first, then each exercise in book order."""
    book = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
    out = [(f"{book}: the whole course", pull_link(hub, repo, branch, COURSE_FOLDER, interface))]
    for nb in student_notebooks():
        path = nb.relative_to(ROOT).as_posix()
        out.append((f"{nb.stem}: {title(nb)}", pull_link(hub, repo, branch, path, interface)))
    return out


def main(argv: list[str] | None = None) -> int:
    url, branch = repository()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hub", required=True, help="the hub's address, https://...")
    parser.add_argument("--repo", default=url, help=f"repository to pull (default {url})")
    parser.add_argument("--branch", default=branch, help=f"branch to pull (default {branch})")
    parser.add_argument("--interface", choices=INTERFACES, default="lab", help="default lab")
    args = parser.parse_args(argv)
    if not args.repo.strip("/") or not args.branch:
        parser.error("--repo and --branch must not be empty")
    try:
        hub = check_hub(args.hub)
    except ValueError as err:
        parser.error(str(err))  # exits with 2
    for name, link in links(hub, args.repo.rstrip("/"), args.branch, args.interface):
        print(f"{name}\n{link}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
