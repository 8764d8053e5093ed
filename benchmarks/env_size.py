"""How big the learner's environment is, next to the full development one (`make bench`).

Creates a fresh virtual environment in a temporary folder, installs the learner set into it
the way a learner does (``pip install "rnnlib[course]"``, from a copy of this repository's
package files, so the checkout gets no build folder), and measures it and this repository's
.venv (the learner set plus the toolchain of requirements/dev.txt):

- packages: how many ``pip list`` shows (pip and rnnlib included);
- size_mb: the sum of the files' sizes (what a download or a copy moves);
- disk_mb: the blocks they take on disk, each hard-linked file once (what ``du -sk`` says).

Writes benchmarks/results/env_size.csv and prints a table. Needs the network (PyPI), or
pip's cache, and about 2 GB free in the temporary folder.

Usage:
    python benchmarks/env_size.py [--venv .venv] [--csv benchmarks/results/env_size.csv]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from machine import describe, write_csv  # noqa: E402

# What `pip install ".[course]"` needs from the repository to build rnnlib.
PACKAGE_FILES = ["pyproject.toml", "README.md", "requirements", "rnnlib"]
MB = 1_000_000


def tree_size(folder: Path) -> tuple[int, int]:
    """Bytes in the files under ``folder``, and bytes of disk blocks they take (like ``du``).

    Symbolic links are not followed; a file with several hard links counts once.
    Example: ``tree_size(Path(".venv"))`` -> ``(2_400_000_000, 2_450_000_000)``.
    """
    if not folder.is_dir():
        raise FileNotFoundError(f"no environment at {folder}")
    size = blocks = 0
    seen: set[tuple[int, int]] = set()
    for parent, dirs, files in os.walk(folder):
        for name in dirs + files:
            st = os.lstat(os.path.join(parent, name))
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            blocks += st.st_blocks * 512
            if name in files and not os.path.islink(os.path.join(parent, name)):
                size += st.st_size
    return size, blocks


def package_count(python: Path) -> int:
    """How many distributions ``python -m pip list`` shows in that environment."""
    out = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return len(json.loads(out))


def learner_environment(folder: Path) -> Path:
    """Create a venv in ``folder`` with ``rnnlib[course]`` installed; return its path."""
    source = folder / "rnnlib-src"
    source.mkdir()
    for name in PACKAGE_FILES:
        if (ROOT / name).is_dir():
            skip = shutil.ignore_patterns("__pycache__")
            shutil.copytree(ROOT / name, source / name, ignore=skip)
        else:
            shutil.copy2(ROOT / name, source / name)
    env = folder / "learner"
    venv.create(env, with_pip=True)
    pip = [str(env / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, f"{source}[course]"], check=True)
    return env


def measure(name: str, env: Path) -> dict:
    """One CSV row for the environment at ``env``."""
    size, blocks = tree_size(env)
    return {
        "environment": name,
        "packages": package_count(env / "bin" / "python"),
        "size_mb": round(size / MB),
        "disk_mb": round(blocks / MB),
        "date": dt.date.today().isoformat(),
        "machine": describe(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv", help="the full environment")
    parser.add_argument("--csv", type=Path, default=ROOT / "benchmarks/results/env_size.csv")
    args = parser.parse_args(argv)
    if not (args.venv / "bin" / "python").exists():
        parser.error(f"{args.venv} is not a virtual environment (no bin/python): run make setup")

    with tempfile.TemporaryDirectory(prefix="env-size-") as tmp:
        start = time.perf_counter()
        learner = learner_environment(Path(tmp))
        seconds = time.perf_counter() - start
        rows = [measure("learner (rnnlib[course])", learner), measure("full (.venv)", args.venv)]

    write_csv(rows, args.csv)
    print(f"{'environment':<26} {'packages':>8} {'size_mb':>8} {'disk_mb':>8}")
    for row in rows:
        print(
            f"{row['environment']:<26} {row['packages']:>8} {row['size_mb']:>8} {row['disk_mb']:>8}"
        )
    learner_row, full_row = rows
    print(
        f"the learner set is {learner_row['size_mb'] / full_row['size_mb']:.0%} of the full one "
        f"({full_row['packages'] - learner_row['packages']} packages fewer); "
        f"creating it took {seconds:.0f} s here"
    )


if __name__ == "__main__":
    main()
