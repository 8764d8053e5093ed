"""Generate student notebooks, public tests and autograder zips from the exercise sources.

`make assignments` runs this. Each exercise is authored once, in otter-grader's
assign format, as chapters/exercises/<name>.ipynb (solutions between
`# BEGIN SOLUTION` and `# END SOLUTION`, tests that call rnnlib.grading.grade,
some of them hidden). The steps:

1. `otter assign --no-run-tests` on every source into a temporary folder; its
   student notebook is copied to chapters/exercises/student/<name>.ipynb and
   its public test files (student/tests/<question>.py) to
   rnnlib/otter_tests/<name>/, where both are committed. The student notebooks
   find their tests there through rnnlib.grading.public_tests, so
   grader.check works on Colab without the repository.
2. A wheel of rnnlib is built from the working tree, now holding those tests
   (`pip wheel --no-deps --no-build-isolation --no-index`: no network), into
   _build/assign/wheel/.
3. `otter assign` on every source, with that wheel beside it, into
   _build/assign/<name>/:

       autograder/<name>.ipynb                the solution notebook
       autograder/<name>-autograder_*.zip     the zip for `otter run`, `otter grade` and Gradescope
       student/<name>.ipynb                   the student notebook

   The zip carries the wheel (the ASSIGNMENT CONFIG's `autograder_files`) and
   installs it (its `requirements`), so grading uses exactly this rnnlib;
   otter assign grades the solution notebook with the zip and stops unless it
   gets full marks.

Usage:
    python tools/assign.py            regenerate everything
    python tools/assign.py ex12_text  regenerate only the exercises named (while writing one)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "chapters" / "exercises"
STUDENT = SOURCES / "student"
PUBLIC_TESTS = ROOT / "rnnlib" / "otter_tests"
BUILD = ROOT / "_build" / "assign"
# What a wheel of rnnlib is built from (the package and the files pyproject.toml names).
WHEEL_INPUTS = ["pyproject.toml", "README.md", "LICENSE", "rnnlib"]


def exercise_sources() -> list[Path]:
    """The otter-format exercise notebooks, sorted by name."""
    return sorted(p for p in SOURCES.glob("*.ipynb") if "ASSIGNMENT CONFIG" in p.read_text())


def assignment_config(source: Path) -> dict:
    """The ASSIGNMENT CONFIG of an exercise source, as a dict."""
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "raw" and cell.source.startswith("# ASSIGNMENT CONFIG"):
            return yaml.safe_load(cell.source)
    raise ValueError(f"{source} has no ASSIGNMENT CONFIG cell")


def build_wheel(out: Path, root: Path = ROOT) -> Path:
    """Build a wheel of rnnlib from ``root``'s working tree into ``out``; return its path.

    The inputs are copied to a temporary folder first, so that nothing left in
    ``build/`` by an earlier build can slip into the wheel, and the build uses
    this environment's setuptools without touching the network.
    """
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("rnnlib-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="rnnlib-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in WHEEL_INPUTS:
            path = root / name
            if path.is_dir():
                ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
                shutil.copytree(path, src / name, ignore=ignore)
            else:
                shutil.copy2(path, src / name)
        build = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
            + ["--no-build-isolation", "--no-index", "--wheel-dir", str(out), str(src)],
            capture_output=True,
            text=True,
        )
        if build.returncode != 0:
            raise RuntimeError(f"building the rnnlib wheel failed:\n{build.stdout}{build.stderr}")
    (wheel,) = out.glob("rnnlib-*.whl")
    return wheel


def otter_assign(source: Path, out: Path, wheel: Path, *, run_tests: bool = True) -> Path:
    """Run `otter assign` on one source into ``out``; return the student notebook path.

    otter assign takes the files an autograder ships from the source's folder,
    so the source is copied, with ``wheel`` beside it, into a temporary folder
    first. ``wheel`` must have the file name that the source's ASSIGNMENT CONFIG
    lists in ``autograder_files``.
    """
    config = assignment_config(source)
    if wheel.name not in config.get("autograder_files", []):
        raise ValueError(
            f"{source.name}: its ASSIGNMENT CONFIG ships {config.get('autograder_files')}, but "
            f"the wheel built now is {wheel.name}: update autograder_files and requirements"
        )
    if out.exists():
        shutil.rmtree(out)
    otter = Path(sys.executable).with_name("otter")
    with tempfile.TemporaryDirectory(prefix="assign-src-") as stage:
        master = Path(stage) / source.name
        shutil.copyfile(source, master)
        shutil.copyfile(wheel, Path(stage) / wheel.name)
        done = subprocess.run(
            [str(otter), "assign", "--no-pdfs"]
            + ([] if run_tests else ["--no-run-tests"])
            + [str(master), str(out.resolve())],
            cwd=stage,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"otter assign {source.name} failed:\n{done.stdout}{done.stderr}")
    return out / "student" / source.name


def public_test_files(folder: Path) -> dict[str, bytes]:
    """The otter test files in ``folder``, by file name."""
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.py"))}


def exercises_with_public_tests() -> list[str]:
    """The exercises that have a folder of public tests in rnnlib/otter_tests/."""
    if not PUBLIC_TESTS.is_dir():
        return []
    return sorted(p.name for p in PUBLIC_TESTS.iterdir() if p.is_dir() and p.name[0] != "_")


def autograder_zip(name: str, build: Path = BUILD) -> Path:
    """The autograder zip that `otter assign` wrote for exercise ``name``."""
    (zip_path,) = (build / name / "autograder").glob("*.zip")
    return zip_path


def _timed(label: str, action):
    print(label, end="", flush=True)
    start = time.perf_counter()
    result = action()
    print(f" {time.perf_counter() - start:5.1f} s", flush=True)
    return result


def main(argv: list[str]) -> int:
    names = [a for a in argv if not a.startswith("-")]
    sources = [s for s in exercise_sources() if not names or s.stem in names]
    unknown = set(names) - {s.stem for s in sources}
    if unknown:
        print(f"no exercise source called {', '.join(sorted(unknown))} in {SOURCES}")
        return 2
    with tempfile.TemporaryDirectory(prefix="assign-") as tmp:
        # 1. Student notebooks and public tests (with a stand-in for the wheel, not used).
        placeholder = Path(tmp) / "wheel" / assignment_config(sources[0])["autograder_files"][0]
        placeholder.parent.mkdir()
        placeholder.touch()
        for i, source in enumerate(sources, 1):
            label = f"[{i}/{len(sources)}] student notebook and public tests of {source.stem} ..."
            student = _timed(
                label,
                lambda s=source: otter_assign(s, Path(tmp) / s.stem, placeholder, run_tests=False),
            )
            tests = public_test_files(student.parent / "tests")
            committed_nb, committed_tests = STUDENT / source.name, PUBLIC_TESTS / source.stem
            STUDENT.mkdir(exist_ok=True)
            shutil.copyfile(student, committed_nb)
            if committed_tests.exists():
                shutil.rmtree(committed_tests)
            committed_tests.mkdir(parents=True)
            for file_name, content in tests.items():
                (committed_tests / file_name).write_bytes(content)
    everything = {s.stem for s in exercise_sources()}
    gone = sorted(set(exercises_with_public_tests()) - everything)
    for name in gone:  # the public tests of an exercise that has no source any more
        shutil.rmtree(PUBLIC_TESTS / name)
    # 2. The wheel, from the working tree that now holds the public tests.
    wheel = _timed("rnnlib wheel ...", lambda: build_wheel(BUILD / "wheel"))
    # 3. Autograder zips, each checked by otter assign against its solution notebook.
    for i, source in enumerate(sources, 1):
        label = f"[{i}/{len(sources)}] otter assign {source.relative_to(ROOT)} ..."
        _timed(label, lambda s=source: otter_assign(s, BUILD / s.stem, wheel))
    print(
        f"== student notebooks in {STUDENT.relative_to(ROOT)}, public tests in "
        f"{PUBLIC_TESTS.relative_to(ROOT)}, wheel {wheel.relative_to(ROOT)}, autograder zips in "
        f"{BUILD.relative_to(ROOT)}/<name>/autograder/"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
