"""Time rnnlib.forward (numpy) against a compiled Keras layer on the same input.

Batch 64, 100 time steps, 32 features, 128 units, float32, for each of
simple_rnn, gru and lstm. Both sides get the same weights (rnnlib's
init_params loaded into Keras with set_weights), run a few warm-up calls, and
are timed over repeated calls; the table shows the median. The Keras side is
``tf.function(layer, jit_compile=False)`` called on a tf.constant, and its
result is converted to numpy inside the timed call, as rnnlib's is numpy.

Usage:
    python benchmarks/bench_forward.py [--repeats 20] [--csv results.csv]

`make bench` writes rnnlib/benchmark_results/forward_speed.csv, the table that
reference/budget.ipynb reads with rnnlib.results.load (package data of rnnlib).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402

import rnnlib  # noqa: E402

BATCH, TIME, FEATURES, UNITS = 64, 100, 32, 128
KERAS_LAYERS = {"simple_rnn": "SimpleRNN", "gru": "GRU", "lstm": "LSTM"}


def median_ms(fn, repeats, warmup):
    """Median wall time of fn() in milliseconds, after a few warm-up calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def bench(kind, x, repeats, warmup):
    """Time both implementations of one kind; returns a row of the results table."""
    import keras
    import tensorflow as tf

    params = rnnlib.init_params(kind, UNITS, FEATURES, seed=0, dtype=np.float32)
    layer = getattr(keras.layers, KERAS_LAYERS[kind])(UNITS, return_sequences=True, dtype="float32")
    layer.build((None, None, FEATURES))
    layer.set_weights([params["kernel"], params["recurrent_kernel"], params["bias"]])
    keras_call = tf.function(layer, jit_compile=False)
    x_tf = tf.constant(x)

    def run_numpy():
        out = rnnlib.forward(kind, x, params)
        return out[0] if kind == "lstm" else out

    def run_keras():
        return keras_call(x_tf).numpy()

    max_diff = float(np.max(np.abs(run_numpy() - run_keras())))
    numpy_ms = median_ms(run_numpy, repeats, warmup)
    keras_ms = median_ms(run_keras, repeats, warmup)
    return {
        "kind": kind,
        "numpy_ms": numpy_ms,
        "keras_ms": keras_ms,
        "ratio": numpy_ms / keras_ms,
        "max_abs_diff": max_diff,
        "agree_1e-4": max_diff <= 1e-4,
    }


def machine():
    """A few lines describing where the numbers come from."""
    import keras
    import tensorflow as tf

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    return [
        f"platform: {platform.platform()} ({platform.machine()})",
        f"cpus: {os.cpu_count()} (usable by this process: {usable})",
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"tensorflow {tf.__version__}, keras {keras.__version__}",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="timed calls per case")
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls first")
    parser.add_argument("--csv", metavar="PATH", help="also write the results to this CSV")
    args = parser.parse_args()

    x = np.random.default_rng(0).normal(size=(BATCH, TIME, FEATURES)).astype(np.float32)
    rows = [bench(kind, x, args.repeats, args.warmup) for kind in rnnlib.KINDS]

    print(f"rnnlib.forward vs Keras: batch {BATCH}, time {TIME}, features {FEATURES}, ", end="")
    print(f"units {UNITS}, float32, median of {args.repeats}")
    for line in machine():
        print("  " + line)
    print()
    print(f"{'kind':<12}{'numpy ms':>10}{'keras ms':>10}{'numpy/keras':>13}{'max |diff|':>12}")
    for r in rows:
        print(
            f"{r['kind']:<12}{r['numpy_ms']:>10.2f}{r['keras_ms']:>10.2f}"
            f"{r['ratio']:>12.2f}x{r['max_abs_diff']:>12.1e}"
        )
    disagree = [r["kind"] for r in rows if not r["agree_1e-4"]]
    print("\noutputs agree to 1e-4" if not disagree else f"\nDISAGREE beyond 1e-4: {disagree}")

    if args.csv:
        from machine import describe, write_csv  # benchmarks/machine.py, beside this script

        today = datetime.date.today().isoformat()
        rows = [{**r, "machine": describe(), "date": today} for r in rows]
        write_csv(rows, args.csv)
        print(f"wrote {args.csv}")
    return 1 if disagree else 0


if __name__ == "__main__":
    raise SystemExit(main())
