"""The course's pins, as the files in requirements/ state them.

Versions live in two requirement files, and the installers read them themselves:
pip (`make setup`: ``pip install -r requirements/dev.txt``), conda (environment.yml's
``-r`` line), setuptools (the ``course`` extra of pyproject.toml) and repo2docker
(binder/). This module only reads them back for the tests and tools that compare
something with the pins (the venv, the exercises' autograder requirements).

Usage:
    python tools/pins.py [course|dev]    print the pins, one per line
"""

from __future__ import annotations

import sys
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"


def requirements(name: str = "dev", folder: Path = REQUIREMENTS) -> list[Requirement]:
    """Every requirement of ``folder/<name>.txt``, following its ``-r`` includes."""
    found: list[Requirement] = []
    for raw in (folder / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if line.startswith("-r "):
            found += requirements(Path(line[3:].strip()).stem, folder)
        elif line:
            found.append(Requirement(line))
    return found


def pins(name: str = "dev") -> dict[str, str]:
    """Package name -> pinned version, for every requirement (on any platform)."""
    return {r.name: str(r.specifier).removeprefix("==") for r in requirements(name)}


def pins_here(name: str = "dev") -> dict[str, str]:
    """Like :func:`pins`, for the requirements whose markers hold on this machine."""
    return {
        r.name: str(r.specifier).removeprefix("==")
        for r in requirements(name)
        if r.marker is None or r.marker.evaluate()
    }


if __name__ == "__main__":
    for req in requirements(sys.argv[1] if len(sys.argv) > 1 else "dev"):
        print(req)
