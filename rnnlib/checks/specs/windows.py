"""Spec of the forecasting exercise: make_windows (supervised windows without look-ahead)."""

from __future__ import annotations

import numpy as np

from rnnlib import data
from rnnlib.checks._engine import Spec


def _windows(series, lookback, horizon):
    return data.make_windows(np.asarray(series), lookback, horizon)


def _target_early(*args):
    """Targets one step early: each starts at the last input of its own window."""
    X, y = _windows(*args)
    return X, np.concatenate([X[:, -1:, 0], y[:, :-1]], axis=1)


MUTANTS = [
    ("look-ahead: the target starts one step too early, at the last input of its window; "
     "it must start right after the window, at series[i + lookback]",
     _target_early),
    ("the last window is missing: there are n = T - lookback - horizon + 1 windows "
     "(range(n), not range(n - 1))", lambda *a: tuple(part[:-1] for part in _windows(*a))),
    ("a gap of one step between each window and its target: the target starts at "
     "series[i + lookback], not series[i + lookback + 1]",
     lambda *a: (_windows(*a)[0][:-1], _windows(*a)[1][1:])),
    ("X has no feature axis: Keras's recurrent layers want (windows, lookback, 1); "
     "add it with X[..., None]", lambda *a: (_windows(*a)[0][..., 0], _windows(*a)[1])),
    ("the windows run backwards in time: X[i] must be series[i : i + lookback], oldest first",
     lambda *a: (_windows(*a)[0][:, ::-1], _windows(*a)[1])),
    ("y has an extra axis: for a 1-D series, y has shape (windows, horizon)",
     lambda *a: (_windows(*a)[0], _windows(*a)[1][..., None])),
]  # fmt: skip


def _look_ahead_hint(got, case):
    """On a series with value = time: the first window whose inputs reach its target."""
    if not case.label.startswith(("series = 0", "value = time")):
        return None
    try:
        X = np.asarray(got[0], dtype=np.float64).reshape(len(got[0]), -1)
        y = np.asarray(got[1], dtype=np.float64).reshape(len(got[1]), -1)
        bad = np.flatnonzero(X.max(axis=1) >= y.min(axis=1))
    except Exception:  # noqa: BLE001 - shapes too odd to say
        return None
    if not bad.size:
        return None
    return (
        f"look-ahead: window {int(bad[0])}'s inputs reach its own target; every target "
        "must lie strictly after its inputs"
    )


def _cases(rng, hidden):
    if hidden:
        out = []
        for _ in range(4):
            lookback, horizon = int(rng.integers(1, 8)), int(rng.integers(1, 4))
            T = lookback + horizon + int(rng.integers(0, 10))
            dtype = np.float32 if rng.random() < 0.4 else np.float64
            label = f"value = time, T = {T}, lookback {lookback}, horizon {horizon}"
            out.append((label, (np.arange(T, dtype=dtype), lookback, horizon)))
        out.append(("graded: random values", (rng.normal(size=13), 3, 2)))
        return out
    return [
        ("series = 0, 1, 2, ... (value = time), horizon 1", (np.arange(12.0), 4, 1)),
        ("value = time, horizon 3", (np.arange(15.0), 5, 3)),
        ("exactly one window (T = lookback + horizon)", (np.arange(6.0), 4, 2)),
        ("random values, lookback 1", (rng.normal(size=9), 1, 1)),
        ("float32 series", (rng.normal(size=20).astype(np.float32), 6, 2)),
    ]


MAKE_WINDOWS = Spec(
    signature="make_windows(series, lookback, horizon)",
    returns="X, y",
    reference=_windows,
    cases=_cases,
    mutants=MUTANTS,
    outputs=("X", "y"),
    how="the pair (X, y), `return X, y`",
    explain=(_look_ahead_hint,),
    tip="cut the windows yourself with numpy",
    doc="""Check a learner's ``make_windows(series, lookback, horizon) -> (X, y)``.

    For a 1-D series of length ``T``, window ``i`` takes ``series[i : i + lookback]``
    as input and ``series[i + lookback : i + lookback + horizon]`` as target, for
    every ``i`` from 0 to ``n - 1``, ``n = T - lookback - horizon + 1``. ``X`` has
    shape ``(n, lookback, 1)`` (a feature axis, for Keras) and ``y`` shape
    ``(n, horizon)``. On series whose values equal their time index, the check
    can see look-ahead directly: a window whose inputs reach its own target.

    Example:

    Splitting the series once is not windowing it; the report names the shapes:

    >>> def one_split(series, lookback, horizon):
    ...     return series[:lookback], series[lookback:]
    >>> result = make_windows(one_split)
    >>> result.passed
    False
    >>> "X has shape (4,), expected (8, 4, 1)" in str(result)
    True
    """,
)

SPECS = {"make_windows": MAKE_WINDOWS}
