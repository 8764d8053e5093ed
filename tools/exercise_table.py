"""The table of graded exercises on how-to-use.md and instructors.md, built from the sources.

Each row is one exercise: the page it follows in _toc.yml, its questions with
their points (from the `# BEGIN QUESTION` cells) and what each asks (the title
of its statement). `make assignments` rewrites the table between the markers
``<!-- exercise-table -->`` and ``<!-- /exercise-table -->`` in both pages;
tests/test_exercises.py fails while a page's table differs from the sources.

Usage:
    python tools/exercise_table.py          print the table
    python tools/exercise_table.py --write  rewrite it in how-to-use.md and instructors.md
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from assign import exercise_sources  # noqa: E402

PAGES = [ROOT / "how-to-use.md", ROOT / "instructors.md"]
START, END = "<!-- exercise-table -->", "<!-- /exercise-table -->"


def parent_pages(toc_path: Path = ROOT / "_toc.yml") -> dict[str, str]:
    """Exercise name -> the page (``chapters/...`` without suffix) it is a section of."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    found = {}

    def walk(node, parent=None):
        if isinstance(node, dict):
            if "file" in node and parent and "/student/" in node["file"]:
                found[Path(node["file"]).name] = parent
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []):
                    walk(child, node.get("file", parent))

    walk(toc)
    return found


def questions(source: Path) -> list[dict]:
    """The questions of an exercise source: name, points and the title of its statement."""
    cells = nbformat.read(source, as_version=4).cells
    found = []
    for i, cell in enumerate(cells):
        if cell.cell_type == "raw" and cell.source.startswith("# BEGIN QUESTION"):
            config = yaml.safe_load(cell.source.split("\n", 1)[1])
            statement = next(c for c in cells[i + 1 :] if c.cell_type == "markdown")
            title = statement.source.splitlines()[0].lstrip("#").strip()
            title = re.sub(r"^\d+\.\s*", "", title)  # "1. One GRU step" -> "One GRU step"
            found.append({"name": config["name"], "points": config["points"], "title": title})
    return found


def page_title(page: str) -> str:
    """The first heading of a page's notebook."""
    cells = nbformat.read(ROOT / f"{page}.ipynb", as_version=4).cells
    return cells[0].source.splitlines()[0].lstrip("#").strip()


def rows() -> list[dict]:
    """One row per exercise, in book order."""
    parents = parent_pages()
    order = {name: i for i, name in enumerate(parents)}
    out = []
    for source in sorted(exercise_sources(), key=lambda s: order.get(s.stem, len(order))):
        page = parents.get(source.stem)
        if page is None:
            raise ValueError(f"{source.name} is not a section of a page in _toc.yml")
        out.append({"exercise": source.stem, "page": page, "questions": questions(source)})
    return out


def markdown(table_rows: list[dict] | None = None) -> str:
    """The table as MyST markdown, with links to the pages and the exercises."""
    table_rows = rows() if table_rows is None else table_rows
    lines = [
        "| after the page | exercise | question: what it asks | points |",
        "| --- | --- | --- | --- |",
    ]
    for row in table_rows:
        for k, q in enumerate(row["questions"]):
            page = f"{{doc}}`/{row['page']}`" if k == 0 else ""
            exercise = (
                f"{{doc}}`{row['exercise']} </chapters/exercises/student/{row['exercise']}>`"
                if k == 0
                else ""
            )
            lines.append(f"| {page} | {exercise} | `{q['name']}`: {q['title']} | {q['points']} |")
    n_questions = sum(len(r["questions"]) for r in table_rows)
    points = sum(q["points"] for r in table_rows for q in r["questions"])
    lines.append(f"| | {len(table_rows)} exercises | {n_questions} questions | {points} |")
    return "\n".join(lines)


def with_table(text: str, table: str) -> str:
    """``text`` with the part between the markers replaced by ``table``."""
    start, end = text.index(START) + len(START), text.index(END)
    return text[:start] + "\n" + table + "\n" + text[end:]


def main(argv: list[str]) -> int:
    table = markdown()
    if "--write" not in argv:
        print(table)
        return 0
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        page.write_text(with_table(text, table), encoding="utf-8")
        print(f"updated the exercise table in {page.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
