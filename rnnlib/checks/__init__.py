"""Checks for the graded exercises: a learner's function against rnnlib's reference.

Every check calls the learner's function on a few small seeded cases and
compares its answers with the reference in ``rnnlib.cells``. It returns a
:class:`CheckResult`, which shows as a short report in a notebook::

    from rnnlib import checks

    checks.rnn_step(rnn_step)                  # a report, one line per sub-check
    checks.rnn_step(rnn_step).assert_passed()  # raises with the report unless it passed

The sub-checks isolate one term at a time (bias only, input term only, ...),
then try a batch of 1, an input size different from the number of units and
float32 inputs. A float32 answer that is right up to float32 rounding passes,
and so does one computed in float64.

A check never raises because of the learner's code: an exception, a ``None``
result, a list instead of an array, a wrong shape, NaN, an input changed in
place or an endless loop each become a failed sub-check with a short, kind
message. A wrong answer is explained by *mutant matching*: each exercise's
spec lists known mistakes, each the reference run on changed inputs, outputs
or conventions, and the report shows the hint of the one that gives the
learner's numbers. A function that hands the work to rnnlib's own reference
(``rnnlib.rnn_step``, ``rnnlib.forward``, ...) earns no marks. A report shows
at most one number of the reference answer per sub-check.

The machinery is in ``_engine.py`` and the three modules it uses
(``_report.py``, ``_calls.py``, ``_compare.py``); each exercise family is a
short spec in ``specs/``. :func:`run` runs any check by name, and with ``key=`` the graded
cases (other shapes and dtypes) that otter's hidden tests use. TensorFlow is
imported only by :func:`build_model`.
"""

from __future__ import annotations

import importlib
import pkgutil

from rnnlib.checks import specs as _specs
from rnnlib.checks._engine import make_check, run_spec
from rnnlib.checks._keras import build_model
from rnnlib.checks._report import CheckResult


def _collect_specs() -> dict:
    """Every spec of every module in ``specs/``, by check name (a name used twice is an error)."""
    found = {}
    for info in sorted(pkgutil.iter_modules(_specs.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{_specs.__name__}.{info.name}")
        for name, spec in getattr(module, "SPECS", {}).items():
            if name in found:
                raise RuntimeError(f"two spec modules define the check {name!r}")
            found[name] = spec
    return found


SPECS = _collect_specs()
# One public check per spec: rnnlib.checks.rnn_step, rnnlib.checks.lstm_step, ...
globals().update({name: make_check(spec) for name, spec in SPECS.items()})
__all__ = ["CheckResult", "build_model", "run", *sorted(SPECS)]


def run(name, fn, *, key=None, **kwargs) -> CheckResult:
    """Run the check called ``name``; with ``key``, on graded cases drawn from that key.

    The graded (hidden) cases have other shapes, dtypes and values than the
    public ones, drawn from ``key``; otter's hidden tests pass a key that only
    the autograder holds.

    Args:
        name: a check of this module, e.g. `"rnn_step"` or `"build_model"`.
        fn: the learner's function (or model, for `build_model`).
        key: an int selecting graded cases, or None for the public ones.
        **kwargs: the check's other arguments (`seed`, `time_limit`,
            `reset_after`, or `build_model`'s specification).

    Returns:
        The check's `CheckResult`.

    Example:

    >>> def no_tanh(x_t, h_prev, W_x, W_h, b):
    ...     return x_t @ W_x + h_prev @ W_h + b
    >>> result = run("rnn_step", no_tanh, key=31)
    >>> result.passed, result.score, result.max_score
    (False, 0, 8)
    """
    if name == "build_model":
        return build_model(fn, **kwargs)
    if name not in SPECS:
        raise ValueError(f"no check called {name!r}; the checks are {', '.join(SPECS)}")
    return run_spec(SPECS[name], fn, key=key, **kwargs)


# Documented here (the API reference reads this module), defined in the engine.
CheckResult.__module__ = build_model.__module__ = __name__
