"""Re-execute the book's notebooks top to bottom, in place (`make outputs`).

Each notebook runs in a fresh kernel from this environment, in its own folder,
with widget state saved (so the HTML book can show the widgets). The run is
deterministic: no timing metadata is recorded, and the random ids that
ipywidgets gives its models are renamed to ids derived from the notebook's
path and their order of appearance, so that re-running an unchanged notebook
gives an unchanged file.

Usage:
    python tools/execute_notebooks.py                   every executable notebook in _toc.yml
    python tools/execute_notebooks.py chapters/x.ipynb  only these
"""

from __future__ import annotations

import json
import re
import sys
import time
import uuid
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebooks import ROOT, executable_notebooks  # noqa: E402

CELL_TIMEOUT_S = 600
HEX_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")  # also inside IPY_MODEL_<id>


def stable_widget_ids(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """Rename ipywidgets' random model ids to ids fixed by ``name`` and order."""
    state = nb.get("metadata", {}).get("widgets", {})
    models = state.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    if not models:
        return nb
    # Number the models in a fixed order: those the outputs show, then the models
    # they refer to (breadth first), then any others by their content.
    queue = HEX_ID.findall(json.dumps(nb["cells"]))
    ordered: list[str] = []
    while queue:
        model = queue.pop(0)
        if model in models and model not in ordered:
            ordered.append(model)
            queue.extend(HEX_ID.findall(json.dumps(models[model], sort_keys=True)))
    ordered += sorted(
        (m for m in models if m not in ordered), key=lambda m: json.dumps(models[m], sort_keys=True)
    )
    mapping = {
        old: uuid.uuid5(uuid.NAMESPACE_URL, f"{name}#{i}").hex for i, old in enumerate(ordered)
    }
    text = HEX_ID.sub(lambda m: mapping.get(m.group(0), m.group(0)), json.dumps(nb))
    return nbformat.from_dict(json.loads(text))


def merge_streams(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Join consecutive stdout (or stderr) outputs of a cell into one.

    A kernel flushes a long print in pieces when the next line takes a while,
    so the split depends on the machine's load; the joined text does not.
    """
    for cell in nb.cells:
        merged = []
        for out in cell.get("outputs", []):
            prev = merged[-1] if merged else None
            if (
                prev is not None
                and out.output_type == "stream"
                and prev.output_type == "stream"
                and out.name == prev.name
            ):
                prev.text += out.text
            else:
                merged.append(out)
        if "outputs" in cell:
            cell.outputs = merged
    return nb


def execute(path: Path) -> float:
    """Execute one notebook in place; return the wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
        record_timing=False,
        allow_errors=False,
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    rel = path.resolve().relative_to(ROOT).as_posix()
    nb = stable_widget_ids(merge_streams(nb), rel)
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] if argv else [ROOT / p for p in executable_notebooks()]
    total = 0.0
    for i, path in enumerate(paths, 1):
        print(f"[{i}/{len(paths)}] {path} ...", end="", flush=True)
        elapsed = execute(path)
        total += elapsed
        print(f" {elapsed:5.1f} s", flush=True)
    print(f"== {len(paths)} notebook(s) executed in {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
