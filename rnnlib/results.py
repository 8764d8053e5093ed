"""The benchmark results that the book's pages show, shipped inside rnnlib.

Some numbers take too long to measure on a page: the memory experiment's full
grid, every notebook's time and memory, numpy against Keras. `make bench` runs
the scripts in ``benchmarks/`` that measure them; each writes one CSV file into
``rnnlib/benchmark_results/``, which is package data of rnnlib. A page reads a
table with :func:`load`, so it finds the same numbers in a clone of the
repository, in an installed rnnlib and on Colab, where the notebook runs alone.

The tables, the script that writes each and the pages that show it:

* ``memory_grid``: ``benchmarks/memory_grid.py``; chapters 8 and 10.
* ``notebook_budget``: ``benchmarks/notebook_budget.py``; the budget reference page.
* ``forward_speed``: ``benchmarks/bench_forward.py``; the budget reference page.
"""

from __future__ import annotations

from importlib.resources import files

#: The folder inside the rnnlib package that holds the CSV files.
FOLDER = "benchmark_results"


def tables() -> list[str]:
    """The names of the tables that ship with rnnlib, sorted.

    Returns:
        A list of names, each one a CSV file ``rnnlib/benchmark_results/<name>.csv``.

    Example:
        >>> "memory_grid" in tables()
        True
    """
    folder = files("rnnlib") / FOLDER
    return sorted(p.name.removesuffix(".csv") for p in folder.iterdir() if p.name.endswith(".csv"))


def load(name: str):
    """Read one benchmark table that ships with rnnlib.

    Args:
        name: the table's name, without ``.csv``: one of :func:`tables`, e.g.
            ``"memory_grid"``.

    Returns:
        A pandas DataFrame with one row per measurement. Every table has a
        ``machine`` and a ``date`` column: where and when it was measured.

    Raises:
        ValueError: ``name`` is not a table; the message lists the tables.

    Example:
        >>> from rnnlib import results
        >>> runs = results.load("memory_grid")
        >>> sorted(runs["cell"].unique())
        ['gru', 'lstm', 'simple_rnn']
    """
    import pandas as pd  # imported here: only the pages that show results need pandas

    available = tables()
    if name not in available:
        raise ValueError(
            f"no benchmark table {name!r} in rnnlib; the tables are: {', '.join(available)}"
        )
    with (files("rnnlib") / FOLDER / f"{name}.csv").open("r", encoding="utf-8") as f:
        return pd.read_csv(f)
