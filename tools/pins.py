"""Print the pip requirements listed in environment.yml, one per line.

environment.yml is the single source of truth for versions: Binder reads it as
a conda environment, and `make` feeds this script's output to pip. It runs
with the bare system Python (no PyYAML yet), so it reads the one block it
needs by hand; tests/test_environment.py checks it against a real YAML parser.

Usage:
    python tools/pins.py [environment.yml] > requirements.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pip_requirements(path: Path = ROOT / "environment.yml") -> list[str]:
    """Return the entries of the ``- pip:`` list in a conda environment file."""
    requirements: list[str] = []
    pip_indent = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        item = line.strip()
        if pip_indent is None:
            if item == "- pip:":
                pip_indent = indent
            continue
        if indent <= pip_indent:  # the pip block has ended
            break
        if not item.startswith("- "):
            raise ValueError(f"{path}: unexpected line in the pip block: {raw!r}")
        requirements.append(item[2:].strip())
    if not requirements:
        raise ValueError(f"{path}: no '- pip:' block found")
    return requirements


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "environment.yml"
    print("\n".join(pip_requirements(target)))
