"""Every page that teaches a technique has a graded exercise, and the pages list them all.

Pages that teach judgement rather than a technique end with ungraded questions
whose answers are folded instead. The table of exercises on how-to-use.md and
instructors.md is generated from the sources (tools/exercise_table.py) and
must match them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import exercise_table  # noqa: E402
from notebooks import toc_files  # noqa: E402

# Pages of judgement, comparison or a first tour: they end with questions whose answers fold.
JUDGEMENT_PAGES = {
    "chapters/first_look_gru64",
    "chapters/09b_time_to_result",
    "chapters/10_choosing",
    "chapters/13b_streaming_and_map",
}
TEACHING_PAGES = [f for f in toc_files() if f.startswith("chapters/") and "/exercises/" not in f]


def test_every_exercise_follows_a_page_and_the_table_builds():
    rows = exercise_table.rows()
    assert {r["exercise"] for r in rows} == {s.stem for s in exercise_table.exercise_sources()}


def test_there_are_at_least_20_graded_questions():
    questions = [q for r in exercise_table.rows() for q in r["questions"]]
    assert len(questions) >= 20, [q["name"] for q in questions]
    assert all(3 <= q["points"] <= 6 for q in questions)


@pytest.mark.parametrize("page", [p for p in TEACHING_PAGES if p not in JUDGEMENT_PAGES])
def test_a_page_that_teaches_a_technique_has_a_graded_exercise(page):
    pages_with_exercises = {r["page"] for r in exercise_table.rows()}
    assert page in pages_with_exercises, f"{page} has no graded exercise under it in _toc.yml"


@pytest.mark.parametrize("page", sorted(JUDGEMENT_PAGES))
def test_a_page_of_judgement_ends_with_questions_whose_answers_fold(page):
    cells = nbformat.read(ROOT / f"{page}.ipynb", as_version=4).cells
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "dropdown" in text, f"{page}: no question with a folded answer"


def test_the_judgement_pages_are_pages_of_the_book():
    assert JUDGEMENT_PAGES <= set(TEACHING_PAGES)


@pytest.mark.parametrize("page", exercise_table.PAGES, ids=lambda p: p.name)
def test_the_exercise_table_on_the_page_is_current(page):
    text = page.read_text(encoding="utf-8")
    assert exercise_table.START in text and exercise_table.END in text
    assert exercise_table.with_table(text, exercise_table.markdown()) == text, (
        f"the exercise table in {page.name} differs from the sources: "
        "run `python tools/exercise_table.py --write` (or `make assignments`)"
    )


def test_the_table_counts_questions_and_points():
    rows = [
        {"exercise": "ex01_a", "page": "chapters/01", "questions": [
            {"name": "f", "points": 4, "title": "F"}, {"name": "g", "points": 3, "title": "G"}]},
        {"exercise": "ex02_b", "page": "chapters/02", "questions": [
            {"name": "h", "points": 5, "title": "H"}]},
    ]  # fmt: skip
    table = exercise_table.markdown(rows).splitlines()
    assert table[2].startswith("| {doc}`/chapters/01` | {doc}`ex01_a ")
    assert table[3] == "|  |  | `g`: G | 3 |"
    assert table[-1] == "| | 2 exercises | 3 questions | 12 |"
