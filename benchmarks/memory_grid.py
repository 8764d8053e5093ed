"""Which cell remembers longer? The full grid behind chapter 8 (`make bench`).

SimpleRNN, GRU and LSTM, each with about the same number of parameters
(recurrent layer + Dense head, BUDGET in all), are trained on two tasks whose
difficulty is one knob, the lag:

* the adding problem (``rnnlib.data.adding_problem``), where the lag is the
  sequence length T; metric: test MSE, chance 1/6 (always predict 1.0);
* delayed recall (``rnnlib.data.delayed_recall``, 4 symbols), where the lag is
  the number of blank steps; metric: test accuracy, chance 1/4.

Every (task, cell, lag, seed) is one run of ``run_one``, the same function that
chapter 8 defines on its page: fresh seeded data, ``keras.utils.set_random_seed``
right before the model is built, Adam with gradient clipping, a fixed number of
epochs, and the metric on unseen test sequences. A second, smaller block trains
a few of the hard cases three times longer, to see whether the training budget
is what limits them.

Writes rnnlib/benchmark_results/memory_grid.csv (one row per run, with the machine
and the date; package data that the book's pages read with rnnlib.results.load)
and prints one line per run with its time.

Usage:
    python benchmarks/memory_grid.py              the full grid (7-11 min on a busy 2-core machine)
    python benchmarks/memory_grid.py --quick      1 seed, lags 5 and 20, written to /tmp
    python benchmarks/memory_grid.py --out x.csv  write elsewhere
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import rnnlib  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe, write_csv  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "rnnlib" / "benchmark_results" / "memory_grid.csv"
QUICK_OUT = Path(tempfile.gettempdir()) / "memory_grid_quick.csv"

TASKS = ("adding", "recall")
CELLS = ("simple_rnn", "gru", "lstm")
LAGS = (5, 10, 20, 40, 80)
SEEDS = (0, 1, 2)
BUDGET = 3000  # parameters: recurrent layer + Dense head
N_TRAIN, EPOCHS, BATCH_SIZE, N_TEST = 2048, 8, 64, 512
# The longer-training block: (task, cell, lag) trained LONGER_EPOCHS epochs, every seed.
LONGER = (("adding", "simple_rnn", 20), ("recall", "gru", 40), ("recall", "lstm", 40))
LONGER_EPOCHS = 24

# ---- the experiment, as on the page of chapter 8 ------------------------------------------

N_SYMBOLS = 4  # delayed recall: 4 symbols, chance accuracy 1/4
INPUT_DIM = {"adding": 2, "recall": N_SYMBOLS + 1}
CHANCE = {"adding": rnnlib.data.ADDING_PROBLEM_BASELINE_MSE, "recall": 1 / N_SYMBOLS}
METRIC = {"adding": "mse", "recall": "accuracy"}
LAYERS = {"simple_rnn": keras.layers.SimpleRNN, "gru": keras.layers.GRU, "lstm": keras.layers.LSTM}


def make_task(task, n, lag, seed):
    """(x, y) for the adding problem (lag = sequence length) or delayed recall."""
    if task == "adding":
        return rnnlib.data.adding_problem(n, lag, seed=seed)
    return rnnlib.data.delayed_recall(n, lag, n_symbols=N_SYMBOLS, seed=seed)


def count_params(task, cell, units):
    """Parameters of the recurrent layer plus the Dense head, in closed form."""
    n_out = 1 if task == "adding" else N_SYMBOLS
    return rnnlib.param_count(cell, units, INPUT_DIM[task]) + units * n_out + n_out


def units_for_budget(task, cell, budget=BUDGET):
    """The number of units whose total parameter count is closest to the budget."""
    return min(range(1, 500), key=lambda u: abs(count_params(task, cell, u) - budget))


def build_model(task, cell, units):
    """Recurrent layer (returns the last state) and a Dense head."""
    if task == "adding":
        head = keras.layers.Dense(1)  # a number: the sum
    else:
        head = keras.layers.Dense(N_SYMBOLS, activation="softmax")  # a class
    inputs = keras.Input(shape=(None, INPUT_DIM[task]))
    return keras.Sequential([inputs, LAYERS[cell](units), head])


def run_one(task, cell, lag, seed, *, epochs=EPOCHS, n_train=N_TRAIN):
    """Train one model on seeded data; return its test MSE (adding) or accuracy (recall)."""
    x, y = make_task(task, n_train, lag, seed=seed)
    x_test, y_test = make_task(task, N_TEST, lag, seed=10_000 + seed)  # unseen sequences
    keras.utils.set_random_seed(seed)  # the same initial weights and batch order every time
    model = build_model(task, cell, units_for_budget(task, cell))
    loss = "mse" if task == "adding" else "sparse_categorical_crossentropy"
    model.compile(optimizer=keras.optimizers.Adam(0.01, clipnorm=1.0), loss=loss)
    model.fit(x, y, epochs=epochs, batch_size=BATCH_SIZE, verbose=0)
    pred = keras.ops.convert_to_numpy(model(x_test))
    if task == "adding":
        return float(np.mean((pred - y_test) ** 2))  # test MSE
    return float(np.mean(pred.argmax(axis=1) == y_test))  # test accuracy


# ---- the grid ------------------------------------------------------------------------------


def plan(lags, seeds, longer):
    """Every run as (block, task, cell, lag, seed, epochs), in the order they run."""
    runs = [
        ("grid", task, cell, lag, seed, EPOCHS)
        for task in TASKS
        for lag in lags
        for cell in CELLS
        for seed in seeds
    ]
    if longer:
        runs += [
            ("longer", task, cell, lag, seed, LONGER_EPOCHS)
            for task, cell, lag in LONGER
            for seed in seeds
        ]
    return runs


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="1 seed, lags 5 and 20, no longer block"
    )
    parser.add_argument(
        "--out", type=Path, help=f"CSV to write (default {OUT}; with --quick, {QUICK_OUT})"
    )
    args = parser.parse_args(argv)
    lags, seeds, longer = ((5, 20), (0,), False) if args.quick else (LAGS, SEEDS, True)
    args.out = args.out or (QUICK_OUT if args.quick else OUT)  # a smoke test never overwrites OUT

    runs = plan(lags, seeds, longer)
    where, date = describe(), dt.date.today().isoformat()
    print(f"== memory grid: {len(runs)} runs on {where}, {date}")
    print(f"   Keras {keras.__version__}, budget {BUDGET} parameters, ", end="")
    print(f"{N_TRAIN} training sequences, batch {BATCH_SIZE}, {N_TEST} test sequences")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")  # ignored by git
    rows, start = [], time.perf_counter()
    for i, (block, task, cell, lag, seed, epochs) in enumerate(runs, 1):
        t0 = time.perf_counter()
        value = run_one(task, cell, lag, seed, epochs=epochs)
        seconds = time.perf_counter() - t0
        units = units_for_budget(task, cell)
        rows.append(
            {
                "block": block,
                "task": task,
                "cell": cell,
                "lag": lag,
                "seed": seed,
                "units": units,
                "params": count_params(task, cell, units),
                "metric": METRIC[task],
                "value": f"{value:.6f}",
                "chance": f"{CHANCE[task]:.6f}",
                "epochs": epochs,
                "n_train": N_TRAIN,
                "batch_size": BATCH_SIZE,
                "n_test": N_TEST,
                "budget": BUDGET,
                "seconds": f"{seconds:.1f}",
                "keras": keras.__version__,
                "machine": where,
                "date": date,
            }
        )
        write_csv(rows, tmp)  # after every run, so that an interrupted grid keeps its rows
        elapsed = time.perf_counter() - start
        print(
            f"[{i:3d}/{len(runs)}] {block:6} {task:6} {cell:10} lag {lag:3d} seed {seed} "
            f"epochs {epochs:2d}: {METRIC[task]} {value:.3f} (chance {CHANCE[task]:.3f})  "
            f"{seconds:5.1f} s, elapsed {elapsed / 60:5.1f} min",
            flush=True,
        )

    tmp.replace(args.out)  # only a finished grid replaces the committed CSV
    total = time.perf_counter() - start
    print(f"== {len(runs)} runs in {total / 60:.1f} min; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
