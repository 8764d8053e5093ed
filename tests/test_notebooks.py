"""Notebook discipline, enforced on the committed notebooks.

The rules live in tools/nbcheck.py. Here they run on every notebook in the
book, and on small hand-made notebooks that break one rule each, so that a
rule that stops working also fails a test.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import nbcheck  # noqa: E402
from notebooks import (  # noqa: E402
    executable_notebooks,
    exercise_source,
    is_student_version,
    toc_files,
    toc_notebooks,
)

MAX_OPT_OUT_FRACTION = 0.15
EXECUTABLE = executable_notebooks(ROOT)
GOOD_SETUP = """\
import os
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
import keras
keras.utils.set_random_seed(0)"""


def _read(path: Path):
    return nbformat.read(ROOT / path, as_version=4)


# --- the committed notebooks ------------------------------------------------------------------


def test_the_book_has_executable_notebooks():
    assert EXECUTABLE, "_toc.yml lists no executable notebook"


def test_every_chapter_notebook_is_in_the_toc():
    """Chapters are listed; an exercise source is covered by its listed student version."""
    listed = {p.as_posix() for p in toc_notebooks(ROOT)}
    listed |= {exercise_source(p).as_posix() for p in toc_notebooks(ROOT) if is_student_version(p)}
    on_disk = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "chapters").rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts and not is_student_version(p.relative_to(ROOT))
    }
    missing = sorted(on_disk - listed)
    assert not missing, f"notebooks in chapters/ that _toc.yml does not list: {missing}"


def test_every_toc_entry_exists():
    missing = [
        entry
        for entry in toc_files(ROOT / "_toc.yml")
        if not any((ROOT / (entry + ext)).is_file() for ext in ("", ".md", ".ipynb"))
    ]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


@pytest.mark.parametrize("path", EXECUTABLE, ids=[p.as_posix() for p in EXECUTABLE])
def test_committed_notebook_follows_the_rules(path):
    problems = nbcheck.notebook_problems(_read(path), nbcheck.is_teaching_page(path))
    assert not problems, f"{path}:\n  " + "\n  ".join(problems) + "\nRun `make outputs`."


def test_few_cells_opt_out_of_output_comparison():
    cells = [c for p in EXECUTABLE for c in nbcheck.code_cells(_read(p))]
    opted_out = sum(nbcheck.opts_out(c) for c in cells)
    assert opted_out <= MAX_OPT_OUT_FRACTION * len(cells), (
        f"{opted_out} of {len(cells)} code cells opt out of nbval's comparison; "
        f"at most {MAX_OPT_OUT_FRACTION:.0%} may"
    )


@pytest.mark.parametrize("path", [p for p in toc_notebooks(ROOT) if is_student_version(p)])
def test_student_versions_ship_unexecuted(path):
    for cell in nbcheck.code_cells(_read(path)):
        assert cell.execution_count is None and not cell.get("outputs"), path


# --- each rule can fail ------------------------------------------------------------------------


def _notebook(*cells):
    nb = new_notebook()
    nb.cells = list(cells)
    return nb


def _code(source, count, *outputs):
    cell = new_code_cell(source, execution_count=count)
    cell.outputs = list(outputs)
    return cell


GOOD_TITLE = "# Title\n\n**After this page you can**\n- run a cell;\n- read its output.\n\nThen on."


def test_a_good_notebook_has_no_problems():
    nb = _notebook(
        new_markdown_cell(GOOD_TITLE),
        _code(GOOD_SETUP, 1),
        _code("model.summary(line_length=80)", 2),
        _code("# NBVAL_IGNORE_OUTPUT\n# wall-clock timings vary from run to run\nprint(1)", 3),
    )
    assert nbcheck.notebook_problems(nb) == []


BROKEN = {
    "never executed": (_code(GOOD_SETUP, 1), _code("x = 1", None)),
    "not 1..2 in order": (_code(GOOD_SETUP, 2), _code("x = 1", 1)),
    "error output": (
        _code(GOOD_SETUP, 1),
        _code("1/0", 2, new_output("error", ename="ZeroDivisionError", evalue="", traceback=[])),
    ),
    "saved a live progress bar": (
        _code(GOOD_SETUP, 1),
        _code(
            "fit()",
            2,
            new_output(
                "display_data",
                data={"text/html": '<div class="rnnlib-progress">GRU</div>', "text/plain": "GRU"},
            ),
        ),
    ),
    "stderr": (_code(GOOD_SETUP, 1), _code("x", 2, new_output("stream", name="stderr", text="W"))),
    "log noise": (
        _code(GOOD_SETUP, 1),
        _code("x", 2, new_output("stream", name="stdout", text="oneDNN custom operations are on")),
    ),
    'must set os.environ["TF_ENABLE_ONEDNN_OPTS"]': (
        _code(GOOD_SETUP.replace('os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"\n', ""), 1),
    ),
    "before importing TensorFlow": (
        _code("import os\nimport tensorflow as tf\n" + GOOD_SETUP.split("\n", 1)[1], 1),
    ),
    "must seed": (_code(GOOD_SETUP.replace("keras.utils.set_random_seed(0)", ""), 1),),
    "keep it in the setup cell": (
        _code(GOOD_SETUP, 1),
        _code('os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"', 2),
    ),
    "use summary(line_length=80)": (_code(GOOD_SETUP, 1), _code("model.summary()", 2)),
    "without a comment": (_code(GOOD_SETUP, 1), _code("# NBVAL_IGNORE_OUTPUT\nprint(1)", 2)),
    "NBVAL_SKIP": (_code(GOOD_SETUP, 1), _code("# NBVAL_SKIP\nprint(1)", 2)),
    "words of prose": (new_markdown_cell(GOOD_TITLE + " word" * 2500), _code(GOOD_SETUP, 1)),
    "has 5 items": (
        new_markdown_cell(GOOD_TITLE.replace("- read", "- a;\n- b;\n- c;\n- read")),
        _code(GOOD_SETUP, 1),
    ),
    "needs an": (new_markdown_cell("# Title"), _code(GOOD_SETUP, 1)),
    "shows 41 lines": (
        _code(GOOD_SETUP, 1),
        _code("\n".join(f"x{i} = {i}" for i in range(41)), 2),
    ),
    "without alt text": (
        _code(GOOD_SETUP, 1),
        _code("plt.show()", 2, new_output("display_data", data={"image/png": "iVBORw0KGgo="})),
    ),
}


def test_folded_code_may_be_long():
    long = _code("\n".join(f"x{i} = {i}" for i in range(80)), 2)
    long.metadata["tags"] = ["hide-input"]
    nb = _notebook(new_markdown_cell(GOOD_TITLE), _code(GOOD_SETUP, 1), long)
    assert nbcheck.notebook_problems(nb) == []


def test_exercise_and_reference_pages_need_no_outcomes_list():
    assert nbcheck.is_teaching_page("chapters/02_bptt.ipynb")
    assert not nbcheck.is_teaching_page("chapters/exercises/ex02_bptt.ipynb")
    assert not nbcheck.is_teaching_page("reference/budget.ipynb")
    nb = _notebook(new_markdown_cell("# Exercise"), _code(GOOD_SETUP, 1))
    assert nbcheck.notebook_problems(nb, teaching=False) == []


@pytest.mark.parametrize("expected", BROKEN, ids=list(BROKEN))
def test_each_broken_rule_is_reported(expected):
    problems = nbcheck.notebook_problems(_notebook(*BROKEN[expected]))
    assert any(expected in p for p in problems), problems
