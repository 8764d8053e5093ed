"""Static rules for committed notebooks (used by tests/test_notebooks.py).

nbval re-executes notebooks and compares outputs; these rules catch what it
cannot see, or what readers would trip on first:

* every code cell executed, with execution counts 1, 2, 3, ... in order;
* no error outputs, nothing on stderr (TensorFlow's log lines in particular),
  no saved progress bar (rnnlib.progress shows one only to a live front end);
* the first code cell is the setup cell: it sets TF_CPP_MIN_LOG_LEVEL=3 and
  TF_ENABLE_ONEDNN_OPTS=0 before TensorFlow is imported, and seeds;
* `model.summary(line_length=80)`, so the output does not follow the terminal;
* a cell that opts out of nbval's comparison says why on the next line;
* one idea per page: at most about 2,500 words of prose, at most four
  "After this page you can" items, and no visible code cell longer than 40
  lines (fold drawing and helper code with the ``hide-input`` tag).

Usage:
    python tools/nbcheck.py chapters/*.ipynb    prints problems; exit 1 if any
"""

from __future__ import annotations

import json
import re
import sys

import nbformat

OPT_OUT = "NBVAL_IGNORE_OUTPUT"
PROGRESS_MARK = "rnnlib-progress"  # rnnlib.progress.CSS_CLASS: a bar must not be saved
TF_NOISE = re.compile(r"oneDNN|absl::|cuda|tensorflow/|TF-TRT|^[IWE]0000 ", re.MULTILINE)
TF_IMPORT = re.compile(r"^\s*(import|from)\s+(tensorflow|keras)\b", re.MULTILINE)
SEED_CALL = re.compile(r"keras\.utils\.set_random_seed\(|tf\.random\.set_seed\(|np\.random\.seed\(")
MAX_WORDS = 2500  # words of prose on one page: one sitting
MAX_OUTCOMES = 4  # items under "After this page you can"
MAX_VISIBLE_LINES = 40  # non-blank lines in a code cell a reader sees unfolded
FOLDED = {"hide-input", "hide-cell", "remove-input", "remove-cell"}
OUTCOMES = re.compile(r"\*\*After this page you can\*\*\n((?:[-*] .*\n?(?:  .*\n?)*)*)")
ENV_SETTINGS = (
    'os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"',
    'os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"',
)


def code_cells(nb) -> list:
    """The code cells with some source, in order."""
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def opts_out(cell) -> bool:
    """True if the cell carries nbval's ``# NBVAL_IGNORE_OUTPUT`` marker."""
    return any(line.strip().lstrip("#").strip() == OPT_OUT for line in cell.source.splitlines())


def execution_problems(nb) -> list[str]:
    counts = [c.execution_count for c in code_cells(nb)]
    never = [i + 1 for i, n in enumerate(counts) if n is None]
    if never:
        return [f"code cells {never} were never executed"]
    if counts != list(range(1, len(counts) + 1)):
        return [f"execution counts {counts} are not 1..{len(counts)} in order"]
    return []


def output_problems(nb) -> list[str]:
    problems = []
    for i, cell in enumerate(code_cells(nb), 1):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append(f"code cell {i} has an error output ({out.get('ename')})")
            elif out.output_type == "stream":
                text = out.get("text", "")
                if out.get("name") == "stderr":
                    problems.append(f"code cell {i} wrote to stderr: {text[:120]!r}")
                elif TF_NOISE.search(text):
                    problems.append(f"code cell {i} printed TensorFlow log noise: {text[:120]!r}")
            if PROGRESS_MARK in json.dumps(out.get("data", {})):
                problems.append(f"code cell {i} saved a live progress bar (rnnlib.progress)")
    return problems


def setup_problems(nb) -> list[str]:
    cells = code_cells(nb)
    if not cells:
        return ["no code cells"]
    if nb.cells[0].cell_type == "code" and not nb.cells[0].source.strip():
        return ["the notebook starts with an empty code cell"]
    first = cells[0].source
    problems = []
    tf_import = TF_IMPORT.search(first)
    for setting in ENV_SETTINGS:
        if setting not in first:
            problems.append(f"the setup cell (first code cell) must set {setting}")
        elif tf_import and first.index(setting) > tf_import.start():
            problems.append(f"the setup cell must set {setting} before importing TensorFlow")
    if not SEED_CALL.search(first):
        problems.append("the setup cell must seed, e.g. keras.utils.set_random_seed(0)")
    for i, cell in enumerate(cells[1:], 2):
        if 'os.environ["TF_' in cell.source:
            problems.append(
                f"code cell {i} sets TensorFlow's environment: keep it in the setup cell"
            )
    return problems


def source_problems(nb) -> list[str]:
    problems = []
    for i, cell in enumerate(code_cells(nb), 1):
        for args in re.findall(r"\.summary\(([^)]*)\)", cell.source):
            if "line_length=80" not in args:
                problems.append(f"code cell {i} calls summary({args}): use summary(line_length=80)")
        lines = [line.strip() for line in cell.source.splitlines()]
        for j, line in enumerate(lines):
            if line.lstrip("#").strip() == "NBVAL_SKIP":
                problems.append(f"code cell {i} uses NBVAL_SKIP: every cell must run under nbval")
            if line.lstrip("#").strip() == OPT_OUT:
                reason = lines[j + 1] if j + 1 < len(lines) else ""
                if not (reason.startswith("#") and len(reason.lstrip("# ")) >= 15):
                    problems.append(
                        f"code cell {i} opts out of nbval without a comment on the next line "
                        "saying why (for example: wall-clock timings vary from run to run)"
                    )
    return problems


def figure_problems(nb) -> list[str]:
    problems = []
    for i, cell in enumerate(code_cells(nb), 1):
        shows_image = any(
            k.startswith("image/") for o in cell.get("outputs", []) for k in o.get("data", {})
        )
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
        if shows_image and len(alt.strip()) < 10:
            problems.append(
                f"code cell {i} shows a figure without alt text: set its metadata "
                '{"mystnb": {"image": {"alt": "what the figure shows"}}}'
            )
    return problems


def is_teaching_page(path) -> bool:
    """A chapter page (chapters/*.ipynb), as opposed to an exercise or a reference page."""
    parts = str(path).replace("\\", "/").split("/")
    return len(parts) >= 2 and parts[-2] == "chapters"


def prose_words(nb) -> int:
    """Words of prose: runs of letters in the markdown cells."""
    return sum(
        len(re.findall(r"[A-Za-z]+", c.source)) for c in nb.cells if c.cell_type == "markdown"
    )


def visible_lines(cell) -> int:
    """Non-blank source lines a reader sees (0 for a folded or removed cell)."""
    if FOLDED & set(cell.metadata.get("tags", [])):
        return 0
    return sum(1 for line in cell.source.splitlines() if line.strip())


def shape_problems(nb, teaching: bool = True) -> list[str]:
    """One idea per page: prose length, the outcomes list, long visible code.

    ``teaching`` pages (the chapters) must open with an outcomes list; exercises
    and reference pages need not.
    """
    problems = []
    words = prose_words(nb)
    if words > MAX_WORDS:
        problems.append(
            f"{words} words of prose: one idea per page is about {MAX_WORDS:,} at most; split it"
        )
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    found = OUTCOMES.search(first + "\n")
    if found is None and not teaching:
        pass
    elif found is None:
        problems.append('the first cell needs an "**After this page you can**" list')
    else:
        items = len(re.findall(r"^[-*] ", found.group(1), re.MULTILINE))
        if not 1 <= items <= MAX_OUTCOMES:
            problems.append(f'"After this page you can" has {items} items: at most {MAX_OUTCOMES}')
    for i, cell in enumerate(code_cells(nb), 1):
        n = visible_lines(cell)
        if n > MAX_VISIBLE_LINES:
            problems.append(
                f"code cell {i} shows {n} lines: fold drawing and helper code with the "
                f"hide-input tag, or move it into rnnlib (at most {MAX_VISIBLE_LINES} visible)"
            )
    return problems


def notebook_problems(nb, teaching: bool = True) -> list[str]:
    """Every rule above, for one executed notebook (``teaching``: a chapter page)."""
    return (
        execution_problems(nb)
        + output_problems(nb)
        + setup_problems(nb)
        + source_problems(nb)
        + figure_problems(nb)
        + shape_problems(nb, teaching)
    )


if __name__ == "__main__":
    bad = 0
    for arg in sys.argv[1:]:
        teaching = is_teaching_page(arg)
        for problem in notebook_problems(nbformat.read(arg, as_version=4), teaching):
            print(f"{arg}: {problem}")
            bad += 1
    sys.exit(1 if bad else 0)
