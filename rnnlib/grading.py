"""What the graded exercises need at grading time: public tests, fresh checks, partial credit.

Three small pieces, for otter-grader's tests and plugin (this module imports
neither otter nor TensorFlow):

* :func:`public_tests`: the folder of an exercise's public otter test files.
  They ship inside rnnlib (``rnnlib/otter_tests/<exercise>/<question>.py``,
  copied there by ``make assignments``), so ``grader.check`` finds them on a
  laptop, on Binder and on Colab, with or without the repository.
* :func:`grade`: what every graded test cell calls. It runs a check from a copy
  of :mod:`rnnlib.checks` imported afresh, so that rebinding
  ``rnnlib.checks.rnn_step`` or ``CheckResult.passed`` in a notebook does not
  change a grade.
* :func:`passed_fraction`: reads "k/n checks passed" back from a failed test's
  message, for the partial-credit plugin (:mod:`rnnlib.otter_plugin`).
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

__all__ = ["exercises", "grade", "passed_fraction", "public_tests"]

_OTTER_TESTS = Path(__file__).resolve().with_name("otter_tests")

# The title line of a check's report as otter shows a failed test case:
# "AssertionError: rnn_step: 6/8 checks passed".
_TITLE = re.compile(r"^AssertionError: [^\n]*?: (\d+)/(\d+) checks passed$", re.MULTILINE)


def exercises() -> list[str]:
    """The names of the exercises whose public tests ship with rnnlib, sorted.

    Returns:
        The exercise names, e.g. ``"ex01_recurrent_step"``.

    Example:

    >>> "ex01_recurrent_step" in exercises()
    True
    """
    if not _OTTER_TESTS.is_dir():
        return []
    return sorted(p.name for p in _OTTER_TESTS.iterdir() if p.is_dir() and any(p.glob("*.py")))


def public_tests(exercise: str) -> str:
    """The folder of an exercise's public otter test files, inside the installed rnnlib.

    The exercise notebooks hand it to otter: ``otter.Notebook(tests_dir=...)``.

    Args:
        exercise: the exercise's name, its notebook's file name without
            ``.ipynb``, e.g. ``"ex01_recurrent_step"``.

    Returns:
        The folder's path, as a string (one ``<question>.py`` file per question).

    Raises:
        ValueError: ``exercise`` is not an exercise that ships with rnnlib (the
            message lists those that do).

    Example:

    >>> from pathlib import Path
    >>> (Path(public_tests("ex01_recurrent_step")) / "rnn_step.py").is_file()
    True
    """
    known = exercises()
    if exercise not in known:
        raise ValueError(f"exercise must be one of {known}, got {exercise!r}")
    return str(_OTTER_TESTS / exercise)


def _is_rnnlib(module_name: str) -> bool:
    return module_name == "rnnlib" or module_name.startswith("rnnlib.")


def _fresh_checks():
    """A copy of :mod:`rnnlib.checks` imported anew, sharing no object with the loaded one.

    Every ``rnnlib`` module is taken out of ``sys.modules`` for the import and
    put back after it, so the caller's modules (and whatever a notebook rebound
    in them) are the same objects afterwards, and the fresh copy is reachable
    only through the return value.
    """
    saved = {name: module for name, module in sys.modules.items() if _is_rnnlib(name)}
    for name in saved:
        del sys.modules[name]
    try:
        return importlib.import_module("rnnlib.checks")
    finally:
        for name in [name for name in sys.modules if _is_rnnlib(name)]:
            del sys.modules[name]
        sys.modules.update(saved)


def grade(check_name: str, fn, *, key: int | None = None, **kwargs):
    """Run a graded check on a learner's function; raise unless every sub-check passed.

    Each otter test of the exercises is one call, e.g. ``grade("rnn_step",
    rnn_step)`` (public) or ``grade("rnn_step", rnn_step, key=7)`` (hidden).
    The check comes from a fresh import of :mod:`rnnlib.checks`, not from the
    module the notebook holds.

    Args:
        check_name: the check's name in :mod:`rnnlib.checks`, e.g. ``"rnn_step"``.
        fn: the learner's function (for ``build_model``, the model or a function
            that builds it).
        key: None for the public cases; an integer selects hidden cases
            generated from it.
        **kwargs: passed on to the check, e.g. ``build_model``'s
            ``input_shape``, ``layers``, ``output_shape`` and ``params``.

    Returns:
        The check's ``CheckResult``, when it passed.

    Raises:
        AssertionError: with the check's whole report as its message (its first
            line is ``"<name>: k/n checks passed"``), unless it passed.
        ValueError: ``check_name`` is not a check.

    Example:

    >>> def rnn_step(x_t, h_prev, W_x, W_h, b):
    ...     return x_t @ W_x + h_prev @ W_h + b  # the tanh is missing
    >>> grade("rnn_step", rnn_step)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    AssertionError: rnn_step: 0/8 checks passed
    ...
    """
    result = _run(check_name, fn, key=key, **kwargs)
    if not result.passed:
        raise AssertionError(str(result))
    return result


def _run(check_name: str, fn, *, key: int | None = None, **kwargs):
    """The ``CheckResult`` of a check from a fresh :mod:`rnnlib.checks`, passed or not."""
    return _fresh_checks().run(check_name, fn, key=key, **kwargs)


def passed_fraction(message: str | None) -> float:
    """The share of sub-checks passed, read from a failed otter test case's message.

    otter reports a failed test case with the exception it raised; for
    :func:`grade` that is the check's report, whose title line reads
    ``AssertionError: <name>: k/n checks passed``.

    Args:
        message: the test case's message as otter recorded it, or None.

    Returns:
        ``k / n`` from the first such line, if ``0 <= k < n``; otherwise 0.0
        (no report, a crash, or a report that claims a pass for a failed test).

    Example:

    >>> passed_fraction("Error at line 3 in test rnn_step:\\n"
    ...                 "AssertionError: rnn_step: 6/8 checks passed\\n  ✓ bias only")
    0.75
    >>> passed_fraction("NameError: name 'np' is not defined")
    0.0
    """
    match = _TITLE.search(message or "")
    if match is None:
        return 0.0
    k, n = int(match[1]), int(match[2])
    return k / n if 0 <= k < n else 0.0
