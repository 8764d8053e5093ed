"""The scripts behind the Makefile: notebook listing, deterministic widget ids."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

from nbformat.v4 import new_code_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from execute_notebooks import stable_widget_ids  # noqa: E402
from notebooks import executable_notebooks, is_student_version, toc_files  # noqa: E402


def _widget_notebook(seed: int):
    """A notebook with a VBox holding a slider, with random model ids as ipywidgets makes."""
    rnd = uuid.UUID(int=seed * 7919 + 1).hex, uuid.UUID(int=seed * 104729 + 2).hex
    box, slider = rnd
    nb = new_notebook()
    cell = new_code_cell("w", execution_count=1)
    cell.outputs = [
        new_output(
            "display_data",
            data={
                "text/plain": "VBox()",
                "application/vnd.jupyter.widget-view+json": {"model_id": box, "version_major": 2},
            },
        )
    ]
    nb.cells = [cell]
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "state": {
                slider: {"model_name": "IntSliderModel", "state": {"value": 3}},
                box: {"model_name": "VBoxModel", "state": {"children": [f"IPY_MODEL_{slider}"]}},
            }
        }
    }
    return nb


def test_widget_ids_do_not_depend_on_the_random_ids_of_a_run():
    a = stable_widget_ids(_widget_notebook(1), "chapters/x.ipynb")
    b = stable_widget_ids(_widget_notebook(2), "chapters/x.ipynb")
    assert a.metadata == b.metadata
    assert a.cells[0].outputs == b.cells[0].outputs
    state = a.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    shown = a.cells[0].outputs[0]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert state[shown]["model_name"] == "VBoxModel"
    (child,) = state[shown]["state"]["children"]
    assert state[child.removeprefix("IPY_MODEL_")]["model_name"] == "IntSliderModel"


def test_widget_ids_differ_between_notebooks():
    a = stable_widget_ids(_widget_notebook(1), "chapters/x.ipynb")
    b = stable_widget_ids(_widget_notebook(1), "chapters/y.ipynb")
    assert a.metadata != b.metadata


def test_toc_lists_root_first_and_student_versions_are_not_executable():
    assert toc_files(ROOT / "_toc.yml")[0] == "intro"
    assert not any(is_student_version(p) for p in executable_notebooks(ROOT))
    assert is_student_version(Path("chapters/exercises/student/ex.ipynb"))


def test_consecutive_stream_outputs_are_merged():
    from execute_notebooks import merge_streams

    nb = new_notebook()
    cell = new_code_cell("print(1); print(2)", execution_count=1)
    cell.outputs = [
        new_output("stream", name="stdout", text="1\n"),
        new_output("stream", name="stdout", text="2\n"),
        new_output("stream", name="stderr", text="w\n"),
        new_output("stream", name="stdout", text="3\n"),
    ]
    nb.cells = [cell]
    outs = merge_streams(nb).cells[0].outputs
    assert [(o.name, o.text) for o in outs] == [
        ("stdout", "1\n2\n"),
        ("stderr", "w\n"),
        ("stdout", "3\n"),
    ]
