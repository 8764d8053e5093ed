"""The Makefile runs on a Mac: GNU make 3.81 and bash 3.2, what macOS ships in /usr/bin.

Neither binary is available here (Debian has make 4.3 and bash 5), so three checks stand in:
- the Makefile uses no GNU make feature newer than 3.81 (versions from GNU make's NEWS);
- no recipe uses a bash 4 or 5 construct, and every recipe that ``make -n`` prints parses;
- ``make check-python`` stops with a helpful message for a wrong, broken or missing Python,
  both as make 4.3 runs it and as make 3.81 would: 3.81 ignores ``.SHELLFLAGS`` and runs
  recipes with ``bash -c``, without ``-e -u -o pipefail``, which ``.SHELLFLAGS=-c`` imitates.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = ROOT / "Makefile"

# GNU make features newer than 3.81, each with the release that brought it (NEWS).
# .SHELLFLAGS (3.82) is not here: 3.81 ignores it, which the behaviour tests below imitate.
MAKE_FEATURES = {
    r"^\.ONESHELL\s*:": ".ONESHELL (3.82)",
    r"^\.RECIPEPREFIX\b": ".RECIPEPREFIX (3.82)",
    r"^(override\s+)?undefine\b": "undefine (3.82)",
    r"(^|:\s*)private\s": "private variables (3.82)",
    r"^define\s+\S+\s*(=|:=|::=|\+=|\?=|!=)\s*$": "define with an assignment operator (3.82)",
    r"^[\w.-]+\s*!=": "!= shell assignment (4.0)",
    r"^[\w.-]+\s*::=": "::= assignment (4.0)",
    r"^[\w.-]+\s*:::=": ":::= assignment (4.4)",
    r"\$\(file\s": "$(file ...) (4.0)",
    r"\$\(guile\s": "$(guile ...) (4.0)",
    r"^-?load\s": "load (4.0)",
    r"--output-sync|(^|\s)-O\b": "--output-sync (4.0)",
    r"\.SHELLSTATUS\b": ".SHELLSTATUS (4.2)",
    r"^[^\t#=]*&:": "grouped targets &: (4.3)",
    r"\.EXTRA_PREREQS\b": ".EXTRA_PREREQS (4.3)",
    r"\.NOTINTERMEDIATE\b": ".NOTINTERMEDIATE (4.4)",
    r"\$\(let\s": "$(let ...) (4.4)",
    r"\$\(intcmp\s": "$(intcmp ...) (4.4)",
}

# bash constructs that bash 3.2 does not know (the version that brought each).
BASH_FEATURES = {
    r"\$\{\w+(,,?|\^\^?)\}": "${var,,} / ${var^^} case conversion (4.0)",
    r"\b(mapfile|readarray)\b": "mapfile / readarray (4.0)",
    r"\b(declare|local|typeset)\s+-\w*[An]": "declare -A / declare -n (4.0 / 4.3)",
    r"\|&": "|& (4.0)",
    r"&>>": "&>> (4.0)",
    r";;&|;&": "case fall-through ;& and ;;& (4.0)",
    r"\bcoproc\b": "coproc (4.0)",
    r"globstar": "globstar ** (4.0)",
    r"\bwait\s+-n\b": "wait -n (4.3)",
    r"\[\[\s+-v\s": "[[ -v var ]] (4.2)",
    r"\$\{?EPOCH(SECONDS|REALTIME)": "$EPOCHSECONDS (5.0)",
    r"\{\w+\.\.\w+\.\.-?\d+\}": "{a..b..step} (4.0)",
}


def logical_lines(text: str) -> list[str]:
    """The Makefile's lines with backslash continuations joined (comments kept)."""
    return text.replace("\\\n", " ").splitlines()


def recipe_and_other_lines(text: str) -> tuple[list[str], list[str]]:
    """Recipe lines (starting with a tab) and the others, without comment-only lines."""
    lines = [line for line in logical_lines(text) if not line.lstrip().startswith("#")]
    return [ln for ln in lines if ln.startswith("\t")], [ln for ln in lines if ln[:1] != "\t"]


def newer_make_features(text: str) -> list[str]:
    """What ``text`` (a Makefile) uses that GNU make 3.81 lacks, one entry per line found."""
    _, others = recipe_and_other_lines(text)
    return [
        f"{what}: {line.strip()}"
        for line in others
        for pattern, what in MAKE_FEATURES.items()
        if re.search(pattern, line.strip())
    ]


def newer_bash_features(text: str) -> list[str]:
    """What the recipes of ``text`` (a Makefile) use that bash 3.2 lacks."""
    recipes, _ = recipe_and_other_lines(text)
    return [
        f"{what}: {line.strip()}"
        for line in recipes
        for pattern, what in BASH_FEATURES.items()
        if re.search(pattern, line)
    ]


def test_the_makefile_needs_nothing_newer_than_make_3_81():
    found = newer_make_features(MAKEFILE.read_text(encoding="utf-8"))
    assert not found, "macOS's make is 3.81; the Makefile uses:\n" + "\n".join(found)


def test_the_recipes_need_nothing_newer_than_bash_3_2():
    found = newer_bash_features(MAKEFILE.read_text(encoding="utf-8"))
    assert not found, "macOS's /bin/bash is 3.2; the recipes use:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "snippet",
    [
        ".ONESHELL:\n",
        "X != date\n",
        "undefine X\n",
        "t: private X := 1\n",
        "define X =\nvalue\nendef\n",
        "a b &: c\n\ttouch a b\n",
        "X := $(file < version)\n",
        "Y ::= 1\n",
        "MAKEFLAGS += --output-sync\n",
    ],
)
def test_the_make_check_finds_newer_features(snippet):
    assert newer_make_features(snippet), snippet


@pytest.mark.parametrize(
    "recipe",
    [
        'echo "${name,,}"',
        "mapfile -t lines < file",
        "declare -A seen",
        "make 2>&1 |& tee log",
        "run &>> log",
        "for i in {1..9..2}; do :; done",
        "[[ -v HOME ]]",
    ],
)
def test_the_bash_check_finds_newer_constructs(recipe):
    assert newer_bash_features(f"t:\n\t{recipe}\n"), recipe


def test_the_bash_check_passes_plain_recipes():
    plain = 't:\n\t@x=""; command -v y >/dev/null || x="y"; \\\n\tif [ -n "$$x" ]; then :; fi\n'
    assert not newer_bash_features(plain)
    assert not newer_make_features("X := 1\nY ?= $(shell date)\n.DEFAULT_GOAL := t\n")


# ----- behaviour, with this machine's make ------------------------------------------------

MAKE = shutil.which("make")
needs_make = pytest.mark.skipif(MAKE is None, reason="no make on PATH")
BASH_3_81 = ".SHELLFLAGS=-c"  # what make 3.81 does: SHELL -c, whatever .SHELLFLAGS says


def run_make(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """``make -f <a copy of the Makefile> args...``, run in ``folder``."""
    shutil.copy(MAKEFILE, folder / "Makefile")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    return subprocess.run(
        [MAKE, "--no-print-directory", "-f", "Makefile", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def fake_python(folder: Path, sitecustomize: str) -> Path:
    """A ``python`` in ``folder``: this interpreter, changed by ``sitecustomize`` at start."""
    site = folder / "site"
    site.mkdir(parents=True)
    (site / "sitecustomize.py").write_text(sitecustomize, encoding="utf-8")
    python = folder / "python"
    python.write_text(f'#!/bin/sh\nPYTHONPATH="{site}" exec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    return python


PYTHON_3_12 = """import sys
sys.version_info = (3, 12, 4, "final", 0)
sys.version = "3.12.4 (main, Jun  6 2024, 18:26:44) [GCC 12.2.0]"
"""
NO_ENSUREPIP = "import sys\nsys.modules['ensurepip'] = None\n"  # import ensurepip fails


@needs_make
def test_make_3_81_is_imitated_by_dropping_the_shell_flags(tmp_path):
    """Control: ``.SHELLFLAGS=-c`` on the command line really turns ``-e`` off."""
    (tmp_path / "Makefile").write_text(
        "SHELL := /bin/bash\n.SHELLFLAGS := -eu -o pipefail -c\nt:\n\t@false; echo went on\n"
    )
    strict = subprocess.run([MAKE, "-s", "t"], cwd=tmp_path, capture_output=True, text=True)
    loose = subprocess.run(
        [MAKE, "-s", "t", BASH_3_81], cwd=tmp_path, capture_output=True, text=True
    )
    assert strict.returncode != 0 and "went on" not in strict.stdout
    assert loose.returncode == 0 and "went on" in loose.stdout


@needs_make
@pytest.mark.parametrize("flags", [[], [BASH_3_81]], ids=["make-4", "make-3.81"])
def test_check_python_accepts_python_3_11(tmp_path, flags):
    """Control: this interpreter (3.11, with venv) passes, silently."""
    assert sys.version_info[:2] == (3, 11), "the tests run on the course's Python"
    done = run_make(tmp_path, "check-python", f"PYTHON={sys.executable}", *flags)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


@needs_make
@pytest.mark.parametrize("flags", [[], [BASH_3_81]], ids=["make-4", "make-3.81"])
def test_check_python_stops_on_python_3_12(tmp_path, flags):
    python = fake_python(tmp_path / "py312", PYTHON_3_12)
    done = run_make(tmp_path, "check-python", f"PYTHON={python}", *flags)
    assert done.returncode != 0
    assert "3.12.4" in done.stderr and "3.11" in done.stderr, done.stderr
    assert "PYTHON=" in done.stderr, "say how to name another Python"


@needs_make
@pytest.mark.parametrize("flags", [[], [BASH_3_81]], ids=["make-4", "make-3.81"])
def test_check_python_stops_without_venv(tmp_path, flags):
    python = fake_python(tmp_path / "noensurepip", NO_ENSUREPIP)
    done = run_make(tmp_path, "check-python", f"PYTHON={python}", *flags)
    assert done.returncode != 0
    assert "python3.11-venv" in done.stderr, done.stderr


@needs_make
@pytest.mark.parametrize("flags", [[], [BASH_3_81]], ids=["make-4", "make-3.81"])
@pytest.mark.parametrize("python", ["/nonexistent/python3.11", ""], ids=["missing", "empty"])
def test_check_python_stops_without_python(tmp_path, flags, python):
    done = run_make(tmp_path, "check-python", f"PYTHON={python}", *flags)
    assert done.returncode != 0
    assert "3.11" in done.stderr and "PYTHON=" in done.stderr, done.stderr
    assert python in done.stderr


@needs_make
def test_every_recipe_that_make_test_runs_parses(tmp_path):
    """``make -n -B`` prints the recipes of test, bench and the rest; bash parses them all.

    Run in the repository: -n prints instead of running, except the lines that call
    $(MAKE), which run their sub-make with -n too; what those print ("== ...") is dropped.
    """
    targets = ["test", "bench", "outputs", "assignments", "repo-url", "clean", "distclean"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    printed = subprocess.run(
        [MAKE, "--no-print-directory", "-f", str(MAKEFILE), "-n", "-B", *targets],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert printed.returncode == 0, printed.stderr
    script = tmp_path / "recipes.sh"
    lines = [line for line in printed.stdout.splitlines() if not line.startswith("== ")]
    assert any("pip install" in line for line in lines), "make -n printed no set-up recipe"
    script.write_text("\n".join(lines) + "\n")
    parsed = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert parsed.returncode == 0, parsed.stderr
