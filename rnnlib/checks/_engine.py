"""The engine of the graded checks: results, safe calls, traps, comparison, mutants.

An exercise is described by a :class:`Spec` (its signature, the reference, the
cases and the known mistakes, see ``rnnlib/checks/specs/``); :func:`make_check`
turns a spec into the public check function and :func:`run_spec` runs it:

1. the learner's function is called on copies of each case's inputs, under a
   time limit, with every exception caught and described from the learner's
   own frames (:func:`_call`);
2. meanwhile a profiler watches for calls into rnnlib's own reference code: a
   function that hands the work to it scores 0 with a kind message;
3. the answer is compared with the reference, leaf by leaf for a tuple or a
   dict (:func:`_compare`); a wrong answer is explained by the first known
   mistake (a *mutant*: the reference run on changed inputs) that gives the
   same numbers, else by shape and value heuristics.
"""

from __future__ import annotations

import contextlib
import dis
import functools
import html
import inspect
import os
import re
import signal
import sys
import sysconfig
import threading
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

_PASS_MARK, _FAIL_MARK = "✓", "✗"
_INPUTS_LABEL = "keeps its inputs unchanged"


# ==========================================================================
# The result of a check.
# ==========================================================================


class CheckResult:
    """The outcome of a check: one line per sub-check; truthy if and only if it passed.

    In a notebook it shows as a compact list with green and red marks;
    ``str(result)`` gives the same report as plain text, under a title line
    such as ``rnn_step: 5/7 checks passed``.

    Args:
        name: what was checked, usually the learner's function name.
        max_score: the number of sub-checks the check plans to run. Defaults
            to the number of lines added. A check that stops early (an
            unwritten function, a time-out) adds fewer lines than that.

    Attributes:
        name: as given.
        passed: True when every planned sub-check passed.
        score: the number of sub-checks passed.
        max_score: the number of sub-checks planned.
        messages: one string per line of the report, starting with ✓ or ✗;
            a failed line carries its hint after a colon.

    Example:

    >>> result = CheckResult("demo", max_score=2)
    >>> _ = result.add("shape", True)
    >>> _ = result.add("values", False, "h_t is wrong at [0, 1]: expected 0.5, got 0.7")
    >>> bool(result), result.score, result.max_score
    (False, 1, 2)
    >>> print(result)
    demo: 1/2 checks passed
      ✓ shape
      ✗ values: h_t is wrong at [0, 1]: expected 0.5, got 0.7
    """

    def __init__(self, name: str, max_score: int | None = None):
        self.name = name
        self._max_score = max_score
        self._lines: list[tuple[bool, str]] = []

    def add(self, label: str, passed: bool, hint: str | None = None) -> CheckResult:
        """Record one sub-check: its label, whether it passed and, if not, a hint.

        Args:
            label: short description of the sub-check, e.g. `"bias only"`.
            passed: whether it passed.
            hint: for a failed sub-check, what went wrong and how to fix it.

        Returns:
            The result itself, so that calls can be chained.

        Example:

        >>> CheckResult("demo").add("runs", True).passed
        True
        """
        text = f"{label}: {hint}" if hint and not passed else label
        self._lines.append((bool(passed), text))
        return self

    @property
    def score(self) -> int:
        return sum(ok for ok, _ in self._lines)

    @property
    def max_score(self) -> int:
        return len(self._lines) if self._max_score is None else self._max_score

    @property
    def passed(self) -> bool:
        return self.max_score > 0 and self.score == self.max_score

    @property
    def messages(self) -> list[str]:
        return [f"{_PASS_MARK if ok else _FAIL_MARK} {text}" for ok, text in self._lines]

    @property
    def title(self) -> str:
        return f"{self.name}: {self.score}/{self.max_score} checks passed"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return "\n".join([self.title, *(f"  {message}" for message in self.messages)])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        green, red = "#1a7f37", "#cf222e"
        rows = "".join(
            f'<li><span style="color:{green if ok else red};font-weight:bold">'
            f"{_PASS_MARK if ok else _FAIL_MARK}</span> {_html_text(text)}</li>"
            for ok, text in self._lines
        )
        return (
            '<div class="rnnlib-check">'
            f'<div style="font-weight:bold;color:{green if self.passed else red}">'
            f"{html.escape(self.title)}</div>"
            f'<ul style="list-style:none;margin:0.2em 0;padding-left:1em">{rows}</ul></div>'
        )

    def assert_passed(self) -> CheckResult:
        """Raise ``AssertionError(str(self))`` unless every sub-check passed.

        For otter-grader test cells, which show the assertion message.

        Returns:
            The result itself when it passed.

        Raises:
            AssertionError: with the whole report as its message.

        Example:

        >>> CheckResult("demo").add("runs", True).assert_passed().score
        1
        """
        if not self.passed:
            raise AssertionError(str(self))
        return self


def _html_text(text: str) -> str:
    """Escape ``text`` for HTML and show its `backticked` parts as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


# ==========================================================================
# Calling the learner's code safely.
# ==========================================================================


class _TimeLimitExceeded(BaseException):
    """Raised by the SIGALRM handler. A BaseException, so that a learner's
    ``except Exception:`` does not swallow it."""


@contextlib.contextmanager
def _time_limit(seconds):
    """Raise :class:`_TimeLimitExceeded` in the block after ``seconds`` of wall time.

    Uses ``signal.setitimer``, so it only works in the main thread (where
    notebooks and pytest run code); elsewhere the block runs without a limit.
    Yields a function that disarms the limit; the old SIGALRM handler and any
    timer already running come back afterwards.
    """
    armed = [True]

    def disarm():
        armed[0] = False

    usable = (
        seconds is not None
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield disarm
        return

    def on_alarm(signum, frame):
        if armed[0]:
            raise _TimeLimitExceeded

    old_handler = signal.signal(signal.SIGALRM, on_alarm)
    # The interval re-raises every 0.1 s, in case the learner's code catches the first one.
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
    start = time.monotonic()
    try:
        yield disarm
    finally:
        disarm()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_delay > 0:  # someone else's timer was running: give back what is left of it
            left = max(old_delay - (time.monotonic() - start), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, old_interval)


@dataclass
class _Outcome:
    """What one call of the learner's function gave."""

    value: object = None
    exception: BaseException | None = None
    timed_out: bool = False


def _call(fn, args, seconds, traps=None):
    """Call ``fn(*args)`` under a time limit, catching anything it raises.

    With ``traps`` (a :class:`_Traps`), calls into rnnlib's reference code
    made during the call are recorded in ``traps.hits``.
    """
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            with _time_limit(seconds) as disarm, traps or contextlib.nullcontext():
                value = fn(*args)
                disarm()
        return _Outcome(value=value)
    except _TimeLimitExceeded:
        return _Outcome(timed_out=True)
    except KeyboardInterrupt:
        raise
    except BaseException as err:  # noqa: BLE001 - the learner's code may raise anything
        return _Outcome(exception=err)


def _library_dirs():
    """Folders whose frames are not the learner's: rnnlib, numpy, the standard library."""
    paths = sysconfig.get_paths()
    rnnlib_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dirs = {rnnlib_dir, os.path.dirname(np.__file__)}
    dirs.update(
        paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths
    )
    return tuple(os.path.join(os.path.abspath(d), "") for d in dirs if d)


_LIBRARY_DIRS = _library_dirs()


def _is_learner_file(filename: str) -> bool:
    if filename.startswith(("<frozen", "<__array_function__")):
        return False
    if filename.startswith("<"):  # "<ipython-input-3-...>", "<string>"
        return True
    path = os.path.abspath(filename)
    in_packages = (
        f"{os.sep}site-packages{os.sep}" in path or f"{os.sep}dist-packages{os.sep}" in path
    )
    return not (in_packages or path.startswith(_LIBRARY_DIRS))


def _learner_frame(tb):
    """The deepest traceback frame in the learner's own code, or None."""
    frames = [f for f in traceback.extract_tb(tb) if _is_learner_file(f.filename)]
    return frames[-1] if frames else None


def _shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe_exception(err: BaseException, hint_for=None) -> str:
    """``raised ValueError: ... (in rnn_step, line 3: `h = ...`)``, plus a hint if one fits."""
    kind = type(err).__name__
    text = _shorten(_error_text(err))
    if _is_matmul_error(err) and "signature" in _error_text(err):  # numpy's long message
        sizes = re.search(r"\(size \d+ is different from \d+\)", _error_text(err))
        text = "matmul: the shapes do not fit" + (f" {sizes.group()}" if sizes else "")
    message = f"raised {kind}: {text}" if text else f"raised {kind}"
    frame = _learner_frame(err.__traceback__)
    if frame is not None:
        where = f"line {frame.lineno}"
        if frame.name not in ("<module>", "<lambda>"):
            where = f"in {frame.name}, {where}"
        source = (frame.line or "").strip()
        message += f" ({where}: `{_shorten(source, 100)}`)" if source else f" ({where})"
    hint = (
        (hint_for(err) if hint_for else None)
        or _none_variable_hint(err.__traceback__)
        or _generic_exception_hint(err)
    )
    return f"{message}. {hint}" if hint else message


def _none_variable_hint(tb) -> str | None:
    """A hint when a variable in the learner's failing frame is None or holds None.

    The usual cause: a helper the learner calls (their own rnn_step, say) is
    still unwritten and returns None.
    """
    frames = [
        frame for frame, _ in traceback.walk_tb(tb) if _is_learner_file(frame.f_code.co_filename)
    ]
    if not frames:
        return None
    for name, value in frames[-1].f_locals.items():
        holds_none = isinstance(value, list | tuple) and any(item is None for item in value)
        if not name.startswith("_") and (value is None or holds_none):
            what = "is None" if value is None else "holds None"
            return (
                f"`{name}` {what} at that point: does a function you call (your own step "
                "function?) still return None?"
            )
    return None


def _error_text(err: BaseException) -> str:
    try:
        return str(err)
    except Exception:  # noqa: BLE001 - an exception class with a broken __str__
        return ""


def _generic_exception_hint(err: BaseException) -> str | None:
    text = _error_text(err)
    if isinstance(err, UnboundLocalError):
        return "A variable is used before it gets a value."
    if isinstance(err, NameError):
        return "Run the cells above first (the imports included), or check the spelling."
    if isinstance(err, RecursionError):
        return "The function calls itself again and again: does it call itself by mistake?"
    if isinstance(err, TypeError) and "NoneType" in text:
        return "Something is still None: is a `None` placeholder left in your code?"
    if isinstance(err, TypeError) and "ellipsis" in text:
        return "A `...` placeholder is left in your code."
    if _is_matmul_error(err):
        return "Weights multiply from the right, as in x_t @ W_x."
    return None


def _is_matmul_error(err: BaseException) -> bool:
    text = _error_text(err)
    return isinstance(err, ValueError) and ("matmul" in text or "not aligned" in text)


def _is_stub(fn) -> bool:
    """True for a function with an empty body: ``...``, ``pass``, a docstring, ``return None``."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    skip = {"RESUME", "NOP", "CACHE", "COPY_FREE_VARS", "MAKE_CELL"}
    ops = [(i.opname, i.argval) for i in dis.get_instructions(code) if i.opname not in skip]
    return ops in ([("LOAD_CONST", None), ("RETURN_VALUE", None)], [("RETURN_CONST", None)])


def _not_ready(fn, name: str) -> str | None:
    """A message if ``fn`` is not a written function yet, else None."""
    if fn is None or fn is Ellipsis:
        return f"{name} is not defined yet: write your function in the cell above and run it"
    if not callable(fn):
        return (
            f"{name} should be a function, but it is {_a_type(fn)}: "
            f"define it with `def {name}(...):` and run the cell"
        )
    if _is_stub(fn):
        return (
            f"{name} is not written yet: its body is empty. Write your code in place "
            "of the `...`, run the cell, then run this check again"
        )
    return None


# --------------------------------------------------------------------------
# Inputs: copies for the learner, float64 versions for the reference.
# --------------------------------------------------------------------------


def _copy(value):
    """A deep copy of arrays, dicts of arrays and tuples of those."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(_copy(item) for item in value)
    return value


def _as_float64(value):
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.float64)
    if isinstance(value, dict):
        return {key: _as_float64(item) for key, item in value.items()}
    return value


def _first_change(old, new) -> str | None:
    """None if ``new`` still equals ``old``; else where it changed (``""`` or ``"['bias']"``)."""
    if isinstance(old, np.ndarray):
        same = (
            isinstance(new, np.ndarray)
            and new.shape == old.shape
            and np.array_equal(old, new, equal_nan=True)
        )
        return None if same else ""
    if isinstance(old, dict):
        if not isinstance(new, dict) or set(new) != set(old):
            return " (its keys)"
        for key in old:
            where = _first_change(old[key], new[key])
            if where is not None:
                return f"[{key!r}]{where}"
        return None
    try:
        return None if old is new or bool(old == new) else ""
    except Exception:  # noqa: BLE001
        return ""


def _changed_input(names, before, after) -> str | None:
    """A message naming the first input the learner changed in place, or None."""
    for name, old, new in zip(names, before, after, strict=True):
        where = _first_change(old, new)
        if where is None:
            continue
        if isinstance(old, dict):
            return (
                f"your function changed {name}{where} in place: read the arrays from "
                f"{name} without assigning to it, and compute new arrays instead"
            )
        return (
            f"your function changed {name} in place (with `+=`, `*=` or "
            f"`{name}[...] = ...`?): compute a new array instead"
        )
    return None


# ==========================================================================
# Comparing an answer with the reference.
# ==========================================================================


_TOLERANCES = {"float64": (1e-9, 1e-11), "float32": (1e-4, 1e-5)}


def _tolerance(args) -> tuple[float, float]:
    """(rtol, atol) for the lowest float precision among the inputs."""
    dtypes = []
    for value in args:
        values = value.values() if isinstance(value, dict) else [value]
        dtypes += [v.dtype for v in values if isinstance(v, np.ndarray) and v.dtype.kind == "f"]
    low = any(d.itemsize < 8 for d in dtypes)
    return _TOLERANCES["float32" if low else "float64"]


def _close(got, want, tol) -> bool:
    """Same shape and equal up to ``tol``; never raises."""
    try:
        got = np.asarray(got, dtype=np.float64)
        return got.shape == want.shape and bool(np.allclose(got, want, rtol=tol[0], atol=tol[1]))
    except (TypeError, ValueError):
        return False


def _a_type(value) -> str:
    """``"a list"``, ``"an ndarray"``: the type of ``value`` with its article."""
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _fmt_shape(shape) -> str:
    shape = tuple(shape)
    return f"({shape[0]},)" if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"


def _fmt_index(index) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def _fmt_pair(want, got) -> tuple[str, str]:
    """Format two numbers with 4 significant digits, or more until they differ."""
    for digits in (4, 6, 8, 10):
        pair = f"{float(want):.{digits}g}", f"{float(got):.{digits}g}"
        if pair[0] != pair[1]:
            break
    return pair


@dataclass
class _Problem:
    """Why an answer is wrong. ``comparable``: it is a numeric array, so a
    mutant or a heuristic may explain it."""

    text: str
    comparable: bool
    shows_values: bool = False  # the text quotes a number of the reference


def _array_problem(got, want, tol, name: str, *, returned: bool = True) -> _Problem | None:
    """Compare one array with the reference; None if it is right.

    ``name`` is what the array is called in messages (``h_t``, ``hs``,
    ``dW_h``). ``returned`` says it is the whole return value, so that the
    messages say "returned None" rather than "h_t is None".
    """
    subject = "returned" if returned else f"{name} is"
    if got is None:
        tip = f"did you forget `return {name}`?" if returned else "is a placeholder left?"
        return _Problem(f"{subject} None: {tip}", False)
    if got is Ellipsis:
        return _Problem(f"{subject} `...`: replace the `...` placeholder with your code", False)
    if isinstance(got, list | tuple):
        note = "its numbers are right, but " if _close(got, want, tol) else ""
        return _Problem(
            f"{subject} {_a_type(got)}, not a numpy array: {note}turn it into "
            "an array, e.g. with np.stack(...) or np.array(...)",
            False,
        )
    if isinstance(got, np.matrix):
        return _Problem(f"{subject} an np.matrix: use plain numpy arrays and the @ operator", False)
    if not isinstance(got, np.ndarray):
        if isinstance(got, int | float | np.number):
            what = "a single number"
        else:
            what = _a_type(got)
        return _Problem(
            f"{subject} {what}, not a numpy array of shape {_fmt_shape(want.shape)}", False
        )
    if got.dtype.kind not in "iuf":
        return _Problem(
            f"{subject} an array of dtype {got.dtype}: expected numbers (floats)", False
        )
    if got.shape != want.shape:
        return _Problem(
            f"{name} has shape {_fmt_shape(got.shape)}, expected {_fmt_shape(want.shape)}", True
        )
    bad = ~np.isfinite(got)
    if bad.any():
        index = np.argwhere(bad)[0]
        kind = "NaN" if np.isnan(got[tuple(index)]) else "inf"
        return _Problem(
            f"{name} contains {kind} at {_fmt_index(index)}: an overflow, a division by zero, "
            "or None stored into the array (from an unfinished step function?)",
            False,
        )
    if np.allclose(got, want, rtol=tol[0], atol=tol[1]):
        return None
    errors = np.abs(got.astype(np.float64) - want) - tol[0] * np.abs(want)
    index = np.unravel_index(np.argmax(errors), want.shape)
    expected, found = _fmt_pair(want[index], got[index])
    return _Problem(
        f"{name} is wrong at {_fmt_index(index)}: expected {expected}, got {found}", True, True
    )


def _with_hint(hint: str | None, problem: _Problem) -> str:
    return f"{hint} ({problem.text})" if hint else problem.text


def _first(functions, *args) -> str | None:
    """The first non-empty answer of ``functions`` called on ``args``."""
    for function in functions:
        answer = function(*args)
        if answer:
            return answer
    return None


def _run_mutant(mutant, args):
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return mutant(*_copy(args))
    except Exception:  # noqa: BLE001 - a mutant that does not fit these inputs
        return None


def _mutant_hint(got, case, same, *, record=True) -> str | None:
    """The hint of the first known mistake whose output ``same(got, output)``.

    With ``record``, every matching hint is kept in ``case.matches`` so that
    the report can prefer the mistake that explains the most cases.
    """
    matches = []
    for hint, output in case.mutant_outputs():
        if output is not None and hint not in matches and same(got, output, case.tol):
            matches.append(hint)
    if record:
        case.matches = matches
    return matches[0] if matches else None


# --------------------------------------------------------------------------
# Heuristics: each takes (got, want, case), with got a numeric array, and
# returns a hint or None. The dtype ones run before the mutants.
# --------------------------------------------------------------------------


def _integer_hint(got, want, case, name=None):
    if got.dtype.kind in "iu":
        return (
            f"the result is an integer array ({got.dtype}), so every value was rounded: "
            "create it with a float dtype, e.g. `np.zeros(shape, dtype=x.dtype)`"
        )
    return None


def _float32_hint(got, want, case, name=None):
    if (
        got.dtype == np.float32
        and case.tol == _TOLERANCES["float64"]
        and _close(got, want, _TOLERANCES["float32"])
    ):
        return (
            "the inputs are float64 but the result is float32, which loses precision: "
            "keep the inputs' dtype, e.g. `np.zeros(shape, dtype=x.dtype)`"
        )
    return None


_DTYPE_HINTS = (_integer_hint, _float32_hint)


def _transposed_hint(got, want, case, name=None):
    if got.ndim == 2 and got.shape == want.shape[::-1]:
        return "the result looks transposed: it should be (batch, units)"
    return None


def _batch_axis_hint(got, want, case, name=None):
    if want.shape[0] == 1 and got.shape == want.shape[1:]:
        return (
            "the batch axis is gone: keep it even for a batch of 1 "
            "(no np.squeeze, no indexing with [0])"
        )
    if got.shape == want.shape[:-1] + (1,) + want.shape[-1:] or got.shape == (1, *want.shape):
        return "the result has an extra axis of length 1"
    return None


def _tanh_range_hint(got, want, case, name=None):
    if got.shape != want.shape:
        return None
    if want.min() < 0 and got.min() > 0 and got.max() < 1:
        return (
            "all values lie in (0, 1), but tanh also gives negative values: "
            "sigmoid used instead of np.tanh?"
        )
    if np.abs(got).max() > 1 + 1e-6 >= np.abs(want).max():
        return "some values are outside (-1, 1), which tanh never gives: is tanh applied last?"
    return None


def _zeros_hint(got, want, case, name=None):
    if got.shape == want.shape and not got.any() and want.any():
        return "every value is 0: is the result array filled in, and is the right array returned?"
    return None


def _sign_hint(got, want, case, name=None):
    if got.shape == want.shape and _close(-got, want, case.tol):
        return "every value has the wrong sign"
    return None


def _scale_hint(got, want, case, name=None):
    """A constant factor between the answer and the reference, e.g. a division by the batch size."""
    if got.shape != want.shape:
        return None
    big = np.abs(want) > 1e-3
    if big.sum() < 2:
        return None
    ratio = got[big] / want[big]
    factor = float(np.median(ratio))
    if abs(factor - 1) < 1e-3 or not np.allclose(ratio, factor, rtol=1e-3, atol=0):
        return None
    batch = getattr(case.args[0], "shape", (1,))[0]
    if batch > 1 and np.isclose(factor, 1 / batch):
        return "every value is divided by the batch size: the loss is a sum, not a mean"
    return f"every value is {factor:.3g} times the right one"


_VALUE_HINTS = (_zeros_hint, _sign_hint, _scale_hint)


# ==========================================================================
# Shortcuts: calls into rnnlib's own reference while the learner's code runs.
# ==========================================================================

_RNNLIB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# file (relative to rnnlib/) -> the functions in it that count as a reference; None: all of them
_REFERENCE_CODE = {
    "cells.py": None,
    "data.py": {"make_windows"},
    os.path.join("checks", "specs"): None,  # a folder: every reference the checks keep
}


def _reference_name(code) -> str | None:
    """``rnnlib.rnn_step`` or ``rnnlib.cells._lstm_recurrence`` for reference code, else None."""
    return _reference_name_of(code.co_filename, code.co_name)


@functools.lru_cache(maxsize=4096)  # called for every call the learner's code makes
def _reference_name_of(filename, function) -> str | None:
    path = os.path.abspath(filename)
    if not path.startswith(os.path.join(_RNNLIB_DIR, "")):
        return None
    relative = os.path.relpath(path, _RNNLIB_DIR)
    for place, names in _REFERENCE_CODE.items():
        if relative == place or relative.startswith(os.path.join(place, "")):
            if names is not None and function not in names:
                return None
            if place == "cells.py" and not function.startswith("_"):
                return f"rnnlib.{function}"  # exported at the top level
            if place.endswith("specs"):
                return "the checks' own reference"
            return f"rnnlib.{os.path.splitext(place)[0]}.{function}"
    return None


class _Traps:
    """A context manager that records the outermost calls into rnnlib's reference code.

    It uses ``sys.setprofile``, so it sees a call however the learner reached
    the function: ``rnnlib.rnn_step``, an alias, ``from rnnlib.cells import
    ...``, a lambda or ``functools.partial``. ``allowed`` names the public
    functions an exercise may use (``rnnlib.forward`` in a backward pass, say).
    """

    def __init__(self, allowed=()):
        self.allowed = set(allowed)
        self.hits: list[str] = []
        self._old = None

    def _profile(self, frame, event, arg):
        if event != "call" or self.hits:
            return
        name = _reference_name(frame.f_code)
        if name is None or name.split(".")[-1] in self.allowed:
            return
        caller = frame.f_back
        if caller is not None and _reference_name(caller.f_code) is not None:
            return  # inside reference code already: only the outermost call counts
        self.hits.append(name)

    def __enter__(self):
        self._old = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        sys.setprofile(self._old)
        return False


# ==========================================================================
# Exercise specs.
# ==========================================================================


@dataclass(frozen=True)
class Spec:
    """Everything a check knows about one exercise; data only, no logic of its own.

    Attributes:
        signature: the learner's signature, e.g. `"rnn_step(x_t, h_prev, W_x, W_h, b)"`.
        returns: what the learner returns, as in `return h_t, c_t`.
        reference: the right answer, called on float64 copies of the inputs.
        cases: `cases(rng, hidden, **options)` -> list of `(label, args)`;
            `hidden` asks for the graded cases (other shapes and dtypes).
        mutants: `(hint, wrong function)` pairs: known mistakes, each built by
            changing the reference's inputs, outputs or conventions.
        outputs: the names of the parts of the answer: a tuple of names for a
            tuple, a dict `{key: name}` for a dict, `"keys"` for a dict with
            the reference's keys; None for a single array named `returns`.
        how: how to return the answer, for messages about its structure.
        heuristics: extra `(got, want, case, name)` -> hint, for one array.
        explain: extra `(got, case)` -> hint, for the whole answer.
        exception_hint: `(err)` -> hint for an exception of the learner's code.
        allowed: public rnnlib functions the exercise may call.
        tip: what to do instead of calling rnnlib's reference.
        doc: the check's docstring (what the function should do), without
            the Args and Returns sections, which are added.
        options: extra keyword arguments of the check and their defaults.
    """

    signature: str
    returns: str
    reference: Callable
    cases: Callable
    mutants: Sequence = ()
    outputs: object = None
    how: str = ""
    heuristics: tuple = ()
    explain: tuple = ()
    exception_hint: Callable | None = None
    allowed: tuple = ()
    tip: str = ""
    doc: str = ""
    options: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.signature.split("(")[0]

    @property
    def arg_names(self) -> tuple[str, ...]:
        inside = self.signature.split("(", 1)[1].rstrip(")")
        return tuple(a.strip() for a in inside.split(","))


def rng_for(seed, salt):
    """The random generator of a check's cases: one stream per seed and check."""
    return np.random.default_rng([int(seed) % 2**32, salt])


def zero_unless(keep, array):
    """``array``, or zeros of its shape and dtype where a case leaves a term out."""
    return array if keep else np.zeros_like(array)


def hidden_sizes(rng, *, batch=(1, 4), features=(1, 6), units=(1, 5), time=(1, 6)):
    """Random sizes for a graded case: a dict with batch, d, u, time and dtype."""
    return {
        "batch": int(rng.integers(batch[0], batch[1] + 1)),
        "d": int(rng.integers(features[0], features[1] + 1)),
        "u": int(rng.integers(units[0], units[1] + 1)),
        "time": int(rng.integers(time[0], time[1] + 1)),
        "dtype": np.float32 if rng.random() < 0.4 else np.float64,
    }


def hidden_label(sizes) -> str:
    """``"batch 3, 5 features, 1 unit, float32"`` for a graded case."""

    def count(n, noun):
        return f"{n} {noun}" + ("" if n == 1 else "s")

    dtype = np.dtype(sizes["dtype"]).name
    features, units = count(sizes["d"], "feature"), count(sizes["u"], "unit")
    return f"batch {sizes['batch']}, {features}, {units}, {dtype}"


# ==========================================================================
# Cases and the comparison of an answer with the reference.
# ==========================================================================


@dataclass
class _Case:
    """One sub-check: the learner's inputs, the reference answer and the known mistakes."""

    label: str
    args: tuple  # the inputs, in the dtype the learner gets
    spec: Spec

    def __post_init__(self):
        self.matches = []  # hints of every known mistake that gives the learner's answer
        self.args64 = tuple(_as_float64(a) for a in self.args)
        self.tol = _tolerance(self.args)
        self.expected = self.spec.reference(*_copy(self.args64))
        self._outputs = None

    def mutant_outputs(self):
        """(hint, output) of every known mistake on these inputs, computed once."""
        if self._outputs is None:
            self._outputs = [(hint, _run_mutant(m, self.args64)) for hint, m in self.spec.mutants]
        return self._outputs


def _same(got, want, tol) -> bool:
    """``got`` equals ``want`` up to ``tol``, for an array, a tuple or a dict of them."""
    if isinstance(want, tuple):
        return (
            isinstance(got, tuple | list)
            and len(got) == len(want)
            and all(_same(g, w, tol) for g, w in zip(got, want, strict=True))
        )
    if isinstance(want, Mapping):
        return (
            isinstance(got, Mapping)
            and set(want) <= set(got)
            and all(_same(got[k], w, tol) for k, w in want.items())
        )
    return want is not None and _close(got, want, tol)


def _and(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _leaves(got, case):
    """``(names, got parts, wanted parts, key)`` or a message about the answer's structure."""
    spec, want = case.spec, case.expected
    if isinstance(want, tuple):
        names = spec.outputs
        if isinstance(got, np.ndarray):
            for name, part in zip(names, want, strict=True):
                if _close(got, part, case.tol):
                    return f"returned only {name}: return {spec.how}"
            return f"returned one array: return {spec.how}"
        if not isinstance(got, tuple | list):
            return f"returned {_a_type(got)}: return {spec.how}"
        if len(got) != len(want):
            return f"returned {len(got)} values: return exactly {len(want)}, {spec.how}"
        return names, list(got), list(want), list(range(len(want)))
    names = {k: k for k in want} if spec.outputs == "keys" else dict(spec.outputs)
    quoted = ", ".join(f"'{k}'" for k in want)
    if not isinstance(got, Mapping):
        return f"returned {_a_type(got)}: return {spec.how}"
    missing = [k for k in want if k not in got]
    if missing:
        first = missing[0]
        if names[first] != first and all(names[k] in got for k in missing):
            return (
                f"the keys are named after the parameters: use '{first}', "
                f"not '{names[first]}' (the dict needs {quoted})"
            )
        return f"the dict has no key '{first}': it needs the keys {quoted}"
    keys = list(want)
    return [names[k] for k in keys], [got[k] for k in keys], [want[k] for k in keys], keys


def _part(value, key):
    try:
        return value[key]
    except Exception:  # noqa: BLE001 - a mutant output of another structure
        return None


def _explain_array(got, want, case, name, *, record=True, key=None):
    """A hint for one wrong array: dtype, a known mistake, the spec's heuristics, values.

    ``key`` picks the array's part out of the mutants' outputs, for an answer
    that is a tuple or a dict.
    """

    def same(g, m, tol):
        return _close(g, m if key is None else _part(m, key), tol)

    return (
        _first(_DTYPE_HINTS, got, want, case, name)
        or _mutant_hint(got, case, same, record=record)
        or _first(case.spec.heuristics, got, want, case, name)
        or _first(_VALUE_HINTS, got, want, case, name)
    )


def _compare(got, case) -> str | None:
    """None for a right answer; else what is wrong, with the likely mistake."""
    spec, want = case.spec, case.expected
    if not isinstance(want, tuple | Mapping):
        problem = _array_problem(got, want, case.tol, spec.returns)
        if problem is None or not problem.comparable:
            return None if problem is None else problem.text
        return _with_hint(_explain_array(got, want, case, spec.returns), problem)

    if got is None or got is Ellipsis:
        first = next(iter(want.values())) if isinstance(want, Mapping) else want[0]
        return _array_problem(got, first, case.tol, spec.returns).text
    parts = _leaves(got, case)
    if isinstance(parts, str):
        return parts
    names, gots, wants, keys = parts
    problems = [
        _array_problem(g, w, case.tol, n, returned=False)
        for n, g, w in zip(names, gots, wants, strict=True)
    ]
    wrong = [i for i, p in enumerate(problems) if p is not None]
    if not wrong:
        return None
    right = [names[i] for i in range(len(names)) if i not in wrong]
    verdict = f"{_and(names[i] for i in wrong)} {'is' if len(wrong) == 1 else 'are'} wrong"
    if right:
        verdict += f" ({_and(right)} {'is' if len(right) == 1 else 'are'} right)"
    first = problems[wrong[0]]
    if not all(problems[i].comparable for i in wrong):
        return f"{verdict}: " + "; ".join(problems[i].text for i in wrong)

    # One known mistake, or one whole-answer explanation, for every part at once.
    for i in wrong:
        hint = _first(_DTYPE_HINTS, gots[i], wants[i], case, names[i])
        if hint:
            return f"{verdict}: {_with_hint(hint, first)}"
    hint = _mutant_hint(got, case, lambda g, m, tol: _same(g, m, tol)) or _first(
        spec.explain, got, case
    )
    if hint:
        return f"{verdict}: {_with_hint(hint, first)}"
    # Otherwise explain each wrong part on its own.
    hints = {
        i: _explain_array(gots[i], wants[i], case, names[i], record=False, key=keys[i])
        for i in wrong
    }
    if len(set(hints.values())) == 1 and hints[wrong[0]]:
        return f"{verdict}: {_with_hint(hints[wrong[0]], first)}"
    parts, shown = [], False
    for i in wrong:  # only the first wrong values show numbers of the reference
        problem, hint = problems[i], hints[i]
        if problem.shows_values and shown:
            part = hint if not hint or hint.startswith(names[i]) else f"{names[i]}: {hint}"
        else:
            part = _with_hint(hint, problem)
            shown = shown or problem.shows_values
        if part and part not in parts:
            parts.append(part)
    return f"{verdict}: " + "; ".join(parts)


def _safe_compare(got, case):
    """:func:`_compare`, or a message if the answer is too odd to compare at all."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return _compare(got, case)
    except Exception as err:  # noqa: BLE001 - e.g. an object whose __array__ raises
        return (
            f"the answer ({_a_type(got)}) could not be compared with the "
            f"expected one ({type(err).__name__}): return numpy arrays"
        )


# ==========================================================================
# Running a check.
# ==========================================================================


def _placeholder_message(value, returns: str) -> str | None:
    """A message if the first answer is an unfilled placeholder (None, ...)."""

    def empty(item):
        return item is None or item is Ellipsis

    if value is None:
        return (
            f"returned None: did you forget `return {returns}`, or is a `None` "
            "placeholder left in your code?"
        )
    if value is Ellipsis:
        return "returned `...`: replace each `...` placeholder with your code"
    if isinstance(value, tuple | list) and value and all(empty(v) for v in value):
        return (
            f"returned {value!r}: replace the placeholders with your code, then `return {returns}`"
        )
    if isinstance(value, Mapping) and value and all(empty(v) for v in value.values()):
        return "the values of the returned dict are still placeholders: compute every gradient"
    return None


def _shortcut_message(spec, name) -> str:
    tip = spec.tip or f"write {spec.name} yourself with numpy: the point is to see every term"
    return f"this calls {name} (rnnlib's own reference), so it earns no marks; {tip}"


def run_spec(spec, fn, *, seed=0, key=None, time_limit=5.0, **options) -> CheckResult:
    """Call ``fn`` on every case of ``spec``, compare, and collect the report.

    Args:
        spec: the exercise's :class:`Spec`.
        fn: the learner's function.
        seed: seed of the public cases.
        key: if given, run the graded (hidden) cases drawn from this key instead.
        time_limit: seconds one call may take before it counts as an endless loop.
        **options: the spec's options (e.g. `reset_after` for the GRU).

    Returns:
        A :class:`CheckResult` with one line per case and a last line saying
        whether the inputs were left unchanged.
    """
    options = {**spec.options, **options}
    hidden = key is not None
    rng = rng_for(key if hidden else seed, sum(map(ord, spec.name)) + 7919 * hidden)
    cases = [_Case(label, args, spec) for label, args in spec.cases(rng, hidden, **options)]
    name, signature = spec.name, spec.signature
    result = CheckResult(name, max_score=len(cases) + 1)

    def hint_for(err):
        called_wrongly = _learner_frame(err.__traceback__) is None
        if isinstance(err, TypeError) and "argument" in _error_text(err) and called_wrongly:
            return f"The function must take the arguments `{signature}`."
        return spec.exception_hint(err) if spec.exception_hint else None

    problem = _not_ready(fn, name)
    if problem:
        return result.add(problem, False)

    lines = []  # (case, hint): hint None for a passed sub-check
    changed, returned = None, False
    traps = _Traps(spec.allowed)
    for index, case in enumerate(cases):
        args, before = _copy(case.args), _copy(case.args)
        outcome = _call(fn, args, time_limit, traps)
        if traps.hits:
            return result.add(_shortcut_message(spec, traps.hits[0]), False)
        if outcome.timed_out:
            left = len(cases) - index
            lines.append(
                (
                    case,
                    f"did not finish within {time_limit:g} s: an infinite loop? "
                    f"(the {left} checks after this one were not run)",
                )
            )
            return _report(result, _prefer_common_hints(lines))
        changed = changed or _changed_input(spec.arg_names, before, args)
        if outcome.exception is not None:
            if index == 0 and isinstance(outcome.exception, NotImplementedError):
                return result.add(
                    f"{name} is not written yet: replace `raise NotImplementedError` with "
                    "your code, run the cell, then run this check again",
                    False,
                )
            lines.append((case, _describe_exception(outcome.exception, hint_for)))
        else:
            if index == 0 and (message := _placeholder_message(outcome.value, spec.returns)):
                return result.add(message, False)
            returned = True
            lines.append((case, _safe_compare(outcome.value, case)))

    _report(result, _prefer_common_hints(lines))
    if not returned:
        return result.add(_INPUTS_LABEL, False, "not checked, since the function never returned")
    if not result.score:  # leaving the inputs alone earns nothing on its own
        return result.add(_INPUTS_LABEL, False, changed or "not counted until an answer is right")
    return result.add(_INPUTS_LABEL, changed is None, changed)


def _prefer_common_hints(lines):
    """Where several known mistakes explain a case, name the one that explains most cases.

    With x_t = 0 and h_prev = 0, for instance, "tanh missing" and "b added after
    the tanh" give the same numbers; the other cases tell them apart.
    """
    counts = Counter(hint for case, _ in lines for hint in case.matches)
    better = []
    for case, hint in lines:
        if hint is not None and case.matches:
            best = max(case.matches, key=lambda h: counts[h])  # ties: the first listed
            hint = hint.replace(case.matches[0], best, 1)
        better.append((case, hint))
    return better


def _report(result, lines):
    """Add the lines to ``result``, writing "same problem as above" for repeats."""
    last = None
    for case, hint in lines:
        if hint is not None and _without_digits(hint) == _without_digits(last):
            result.add(case.label, False, "same problem as above")
        else:
            result.add(case.label, hint is None, hint)
        last = hint
    return result


def _without_digits(text):
    return None if text is None else re.sub(r"[-+.\d]+", "#", text)


_ARGS_DOC = """
    Args:
        fn: the learner's function (None or an empty stub scores 0).{options}
        seed: seed of the random cases.
        time_limit: seconds one call may take before it counts as an endless loop.

    Returns:
        A `CheckResult`; truthy if every sub-check passed.
"""


def make_check(spec, option_docs=None):
    """The public check function of ``spec``: ``check(fn, *, seed=0, time_limit=5.0, ...)``.

    Args:
        spec: the exercise's :class:`Spec`; its `doc` opens the docstring, and
            an `Example:` section in it stays last.
        option_docs: `{option: description}` for the Args section.

    Returns:
        A function of the learner's function that returns a `CheckResult`.
    """

    def check(fn, *, seed=0, time_limit=5.0, **options):
        unknown = set(options) - set(spec.options)
        if unknown:
            raise TypeError(f"{spec.name}() got an unexpected keyword argument {unknown.pop()!r}")
        return run_spec(spec, fn, seed=seed, time_limit=time_limit, **options)

    option_docs = option_docs or {}
    lines = "".join(f"\n        {k}: {v}" for k, v in option_docs.items())
    doc, _, example = spec.doc.partition("\n    Example:")
    check.__doc__ = doc.rstrip() + "\n" + _ARGS_DOC.format(options=lines)
    if example:
        check.__doc__ += "\n    Example:" + example
    check.__name__ = check.__qualname__ = spec.name
    check.__module__ = "rnnlib.checks"
    params = [inspect.Parameter("fn", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    params += [
        inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=v)
        for k, v in {**spec.options, "seed": 0, "time_limit": 5.0}.items()
    ]
    check.__signature__ = inspect.Signature(params)
    return check
