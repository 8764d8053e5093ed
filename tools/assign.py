"""Generate student notebooks and autograder zips from the exercise sources (`make assignments`).

Each exercise is authored once, in otter-grader's assign format, as
chapters/exercises/<name>.ipynb (solutions between `# BEGIN SOLUTION` and
`# END SOLUTION`, tests that call rnnlib.checks, some of them hidden). For each
one, `otter assign` writes into _build/assign/<name>/:

    autograder/<name>.ipynb        the solution notebook
    autograder/<name>-autograder_*.zip   the zip for `otter run` and Gradescope
    student/<name>.ipynb           the student notebook

and the student notebook is copied to chapters/exercises/student/<name>.ipynb,
where it is committed (Binder and Colab users open it from the book).

Usage:
    python tools/assign.py            regenerate everything
    python tools/assign.py --check    regenerate into a temporary folder and exit 1 if a committed
                                      student notebook differs from what otter assign writes now
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "chapters" / "exercises"
STUDENT = SOURCES / "student"
BUILD = ROOT / "_build" / "assign"


def exercise_sources() -> list[Path]:
    """The otter-format exercise notebooks, sorted by name."""
    return sorted(p for p in SOURCES.glob("*.ipynb") if "ASSIGNMENT CONFIG" in p.read_text())


def otter_assign(source: Path, out: Path) -> Path:
    """Run `otter assign` on one source into ``out``; return the student notebook path."""
    if out.exists():
        shutil.rmtree(out)
    otter = Path(sys.executable).with_name("otter")
    subprocess.run(
        [str(otter), "assign", "--no-pdfs", str(source), str(out)],
        check=True,
        cwd=source.parent,
        stdout=subprocess.DEVNULL,
    )
    return out / "student" / source.name


def autograder_zip(name: str, build: Path = BUILD) -> Path:
    """The autograder zip that `otter assign` wrote for exercise ``name``."""
    (zip_path,) = (build / name / "autograder").glob("*.zip")
    return zip_path


def main(argv: list[str]) -> int:
    check = "--check" in argv
    build = Path(tempfile.mkdtemp(prefix="assign-")) if check else BUILD
    stale = []
    sources = exercise_sources()
    for i, source in enumerate(sources, 1):
        print(
            f"[{i}/{len(sources)}] otter assign {source.relative_to(ROOT)} ...", end="", flush=True
        )
        start = time.perf_counter()
        student = otter_assign(source, build / source.stem)
        committed = STUDENT / source.name
        if check:
            if not committed.exists() or committed.read_bytes() != student.read_bytes():
                stale.append(committed.relative_to(ROOT))
        else:
            STUDENT.mkdir(exist_ok=True)
            shutil.copyfile(student, committed)
        print(f" {time.perf_counter() - start:5.1f} s", flush=True)
    if check:
        shutil.rmtree(build)
        for path in stale:
            print(f"{path} differs from what `otter assign` generates now: run `make assignments`")
        return 1 if stale else 0
    print(f"== student notebooks in {STUDENT.relative_to(ROOT)}, autograder zips in {BUILD}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
