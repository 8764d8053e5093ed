"""Checks for the graded exercises: a learner's function against rnnlib's reference.

Every check calls the learner's function on a few small seeded cases and
compares its answers with the reference in ``rnnlib.cells`` (``rnnlib.rnn_step``
and the others). It returns a :class:`CheckResult`, which shows as a short
report in a notebook::

    from rnnlib import checks

    checks.rnn_step(rnn_step)                  # a report, one line per sub-check
    checks.rnn_step(rnn_step).assert_passed()  # in an otter-grader test cell

The sub-checks isolate one term at a time (bias only, input term only, ...),
then try a batch of 1, an input size different from the number of units and
float32 inputs. A float32 answer that is right up to float32 rounding passes,
and so does one computed in float64.

A check never raises because of the learner's code: an exception, a ``None``
result, a list instead of an array, a wrong shape, NaN, an input changed in
place or an endless loop each become a failed sub-check with a short, kind
message. When an answer is wrong, the check looks for the likely mistake by
*mutant matching*: it keeps a list of known wrong implementations, each with a
hint, and shows the hint of the one that gives the learner's numbers. Shape and
range heuristics cover the rest. A report shows at most one number of the
reference answer per sub-check.

TensorFlow is imported only by :func:`build_model`.
"""

from __future__ import annotations

import contextlib
import dis
import html
import itertools
import os
import re
import signal
import sysconfig
import threading
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from rnnlib import cells as _cells

__all__ = [
    "CheckResult",
    "build_model",
    "clip_by_global_norm",
    "gru_step",
    "lstm_step",
    "make_windows",
    "rnn_backward",
    "rnn_forward",
    "rnn_step",
]

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


def _call(fn, args, seconds):
    """Call ``fn(*args)`` under a time limit, catching anything it raises."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            with _time_limit(seconds) as disarm:
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
    dirs = {os.path.dirname(os.path.abspath(__file__)), os.path.dirname(np.__file__)}
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


def _integer_hint(got, want, case):
    if got.dtype.kind in "iu":
        return (
            f"the result is an integer array ({got.dtype}), so every value was rounded: "
            "create it with a float dtype, e.g. `np.zeros(shape, dtype=x.dtype)`"
        )
    return None


def _float32_hint(got, want, case):
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


def _transposed_hint(got, want, case):
    if got.ndim == 2 and got.shape == want.shape[::-1]:
        return "the result looks transposed: it should be (batch, units)"
    return None


def _batch_axis_hint(got, want, case):
    if want.shape[0] == 1 and got.shape == want.shape[1:]:
        return (
            "the batch axis is gone: keep it even for a batch of 1 "
            "(no np.squeeze, no indexing with [0])"
        )
    if got.shape == want.shape[:-1] + (1,) + want.shape[-1:] or got.shape == (1, *want.shape):
        return "the result has an extra axis of length 1"
    return None


def _tanh_range_hint(got, want, case):
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


def _zeros_hint(got, want, case):
    if got.shape == want.shape and not got.any() and want.any():
        return "every value is 0: is the result array filled in, and is the right array returned?"
    return None


def _sign_hint(got, want, case):
    if got.shape == want.shape and _close(-got, want, case.tol):
        return "every value has the wrong sign"
    return None


def _scale_hint(got, want, case):
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
    batch = case.args[0].shape[0]
    if batch > 1 and np.isclose(factor, 1 / batch):
        return "every value is divided by the batch size: the loss is a sum, not a mean"
    return f"every value is {factor:.3g} times the right one"


_VALUE_HINTS = (_zeros_hint, _sign_hint, _scale_hint)


# ==========================================================================
# Running a check.
# ==========================================================================


@dataclass
class _Case:
    """One sub-check: the learner's inputs, the reference answer and the known mistakes."""

    label: str
    names: tuple[str, ...]  # the learner's argument names, for messages
    args: tuple  # the inputs, in the dtype the learner gets
    reference: Callable
    mutants: list = field(default_factory=list)  # (hint, wrong implementation) pairs

    def __post_init__(self):
        self.matches = []  # hints of every known mistake that gives the learner's answer
        self.args64 = tuple(_as_float64(a) for a in self.args)
        self.tol = _tolerance(self.args)
        self.expected = self.reference(*_copy(self.args64))
        self._outputs = None

    def mutant_outputs(self):
        """(hint, output) of every known mistake on these inputs, computed once."""
        if self._outputs is None:
            self._outputs = [(hint, _run_mutant(m, self.args64)) for hint, m in self.mutants]
        return self._outputs


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


def _run_check(signature, fn, cases, compare, *, returns, time_limit, exception_hint=None):
    """Call ``fn`` on every case, compare, and collect the report.

    ``signature`` is the learner's, e.g. ``"rnn_step(x_t, h_prev, W_x, W_h, b)"``.
    ``compare(got, case)`` returns None for a right answer, else the message.
    The last sub-check says whether the inputs were left unchanged.
    """
    name = signature.split("(")[0]
    result = CheckResult(name, max_score=len(cases) + 1)

    def hint_for(err):
        called_wrongly = _learner_frame(err.__traceback__) is None
        if isinstance(err, TypeError) and "argument" in _error_text(err) and called_wrongly:
            return f"The function must take the arguments `{signature}`."
        return exception_hint(err) if exception_hint else None

    problem = _not_ready(fn, name)
    if problem:
        return result.add(problem, False)

    lines = []  # (case, hint): hint None for a passed sub-check
    changed, returned = None, False
    for index, case in enumerate(cases):
        args, before = _copy(case.args), _copy(case.args)
        outcome = _call(fn, args, time_limit)
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
        changed = changed or _changed_input(case.names, before, args)
        if outcome.exception is not None:
            if index == 0 and isinstance(outcome.exception, NotImplementedError):
                return result.add(
                    f"{name} is not written yet: replace `raise NotImplementedError` with "
                    "your code, run the cell, then run this check again",
                    False,
                )
            lines.append((case, _describe_exception(outcome.exception, hint_for)))
        else:
            if index == 0 and (message := _placeholder_message(outcome.value, returns)):
                return result.add(message, False)
            returned = True
            lines.append((case, _safe_compare(compare, outcome.value, case)))

    _report(result, _prefer_common_hints(lines))
    if not returned:
        return result.add(_INPUTS_LABEL, False, "not checked, since the function never returned")
    return result.add(_INPUTS_LABEL, changed is None, changed)


def _safe_compare(compare, got, case):
    """``compare(got, case)``, or a message if the answer is too odd to compare at all."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return compare(got, case)
    except Exception as err:  # noqa: BLE001 - e.g. an object whose __array__ raises
        return (
            f"the answer ({_a_type(got)}) could not be compared with the "
            f"expected one ({type(err).__name__}): return numpy arrays"
        )


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


def _compare_array(got, case, *, name, heuristics=()):
    """Compare a single-array answer; on a mismatch, find the likely mistake."""
    problem = _array_problem(got, case.expected, case.tol, name)
    if problem is None:
        return None
    if not problem.comparable:
        return problem.text
    want = case.expected
    hint = (
        _first(_DTYPE_HINTS, got, want, case)
        or _mutant_hint(got, case, lambda g, m, tol: _close(g, m, tol))
        or _first(heuristics, got, want, case)
        or _first(_VALUE_HINTS, got, want, case)
    )
    return _with_hint(hint, problem)


def _zero_unless(keep, array):
    """``array``, or zeros of its shape and dtype where a case leaves a term out."""
    return array if keep else np.zeros_like(array)


def _rng(seed, salt):
    return np.random.default_rng([int(seed) % 2**32, salt])


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _relu(a):
    return np.maximum(a, 0.0)


def _split(a, k, order=None):
    """Split the last axis of ``a`` into ``k`` equal blocks, in the given order."""
    blocks = np.split(a, k, axis=-1)
    return [blocks[i] for i in (order or range(k))]


# ==========================================================================
# rnn_step
# ==========================================================================


def _rnn_core(x, h, W_x, W_h, b):
    return np.tanh(x @ W_x + h @ W_h + b)


_RNN_STEP_MUTANTS = [
    (
        "the bias b is left out: h_t = tanh(x_t @ W_x + h_prev @ W_h + b)",
        lambda x, h, W_x, W_h, b: np.tanh(x @ W_x + h @ W_h),
    ),
    (
        "tanh expected, got values in (0, 1): sigmoid used instead of np.tanh?",
        lambda x, h, W_x, W_h, b: _sigmoid(x @ W_x + h @ W_h + b),
    ),
    (
        "the tanh is missing: h_t = np.tanh(x_t @ W_x + h_prev @ W_h + b)",
        lambda x, h, W_x, W_h, b: x @ W_x + h @ W_h + b,
    ),
    (
        "ReLU used instead of tanh: the simple RNN applies np.tanh",
        lambda x, h, W_x, W_h, b: _relu(x @ W_x + h @ W_h + b),
    ),
    (
        "W_x looks transposed: weights multiply from the right, x_t @ W_x",
        lambda x, h, W_x, W_h, b: np.tanh(x @ W_x.T + h @ W_h + b),
    ),
    (
        "W_h looks transposed: weights multiply from the right, h_prev @ W_h",
        lambda x, h, W_x, W_h, b: np.tanh(x @ W_x + h @ W_h.T + b),
    ),
    (
        "h_prev is ignored: add the recurrent term h_prev @ W_h",
        lambda x, h, W_x, W_h, b: np.tanh(x @ W_x + b),
    ),
    (
        "x_t is ignored: add the input term x_t @ W_x",
        lambda x, h, W_x, W_h, b: np.tanh(h @ W_h + b),
    ),
    (
        "W_x and W_h are swapped: x_t goes with W_x and h_prev with W_h",
        lambda x, h, W_x, W_h, b: np.tanh(x @ W_h + h @ W_x + b),
    ),
    (
        "b is added after the tanh: it belongs inside, tanh(x_t @ W_x + h_prev @ W_h + b)",
        lambda x, h, W_x, W_h, b: np.tanh(x @ W_x + h @ W_h) + b,
    ),
    (
        "h_prev is added to the result: h_t is the tanh alone, without `+ h_prev`",
        lambda x, h, W_x, W_h, b: np.tanh(x @ W_x + h @ W_h + b) + h,
    ),
    (
        "element-wise `*` used instead of the matrix product `@`",
        lambda x, h, W_x, W_h, b: np.tanh(x * np.diag(W_x) + h * np.diag(W_h) + b),
    ),
]


def _rnn_weights(rng, d, u, dtype):
    W_x = rng.normal(scale=0.6, size=(d, u)).astype(dtype)
    W_h = rng.normal(scale=0.6, size=(u, u)).astype(dtype)
    b = rng.normal(scale=0.6, size=u).astype(dtype)
    return W_x, W_h, b


def _rnn_step_cases(seed):
    rng = _rng(seed, 1)
    f64, f32 = np.float64, np.float32
    names = ("x_t", "h_prev", "W_x", "W_h", "b")

    def case(label, batch, d, u, dtype=f64, x=True, h=True, bias=True):
        W_x, W_h, b = _rnn_weights(rng, d, u, dtype)
        x_t = _zero_unless(x, rng.normal(size=(batch, d)).astype(dtype))
        h_prev = _zero_unless(h, rng.uniform(-0.9, 0.9, size=(batch, u)).astype(dtype))
        b = _zero_unless(bias, b)
        args = (x_t, h_prev, W_x, W_h, b)
        return _Case(label, names, args, _cells.rnn_step, _RNN_STEP_MUTANTS)

    return [
        case("bias only (x_t = 0, h_prev = 0)", 2, 3, 3, x=False, h=False),
        case("input term only (h_prev = 0, b = 0)", 2, 3, 3, h=False, bias=False),
        case("recurrent term only (x_t = 0, b = 0)", 2, 3, 3, x=False, bias=False),
        case("full step, float64", 2, 3, 3),
        case("batch of 1", 1, 2, 3),
        case("input size != units (5 features, 3 units)", 2, 5, 3),
        case("float32 input", 3, 2, 4, dtype=f32),
    ]


def _weights_hint(err):
    if _is_matmul_error(err):
        return (
            "Weights multiply from the right: x_t @ W_x, with W_x of shape (features, units), "
            "and h_prev @ W_h."
        )
    return None


def rnn_step(fn, *, seed=0, time_limit=5.0):
    """Check a learner's ``rnn_step(x_t, h_prev, W_x, W_h, b) -> h_t``.

    The function should compute one step of a simple RNN,
    ``h_t = tanh(x_t @ W_x + h_prev @ W_h + b)``, batch-major. The sub-checks
    isolate the bias, the input term and the recurrent term, then try a
    full step, a batch of 1, an input size different from the number of
    units and float32 inputs, and check that the inputs are left unchanged.

    Args:
        fn: the learner's function (None or an empty stub scores 0).
        seed: seed of the random cases.
        time_limit: seconds one call may take before it counts as an endless loop.

    Returns:
        A `CheckResult`; truthy if every sub-check passed.

    Example:

    >>> import numpy as np
    >>> def my_rnn_step(x_t, h_prev, W_x, W_h, b):
    ...     return np.tanh(x_t @ W_x + h_prev @ W_h + b)
    >>> rnn_step(my_rnn_step).passed
    True
    """
    return _run_check(
        "rnn_step(x_t, h_prev, W_x, W_h, b)",
        fn,
        _rnn_step_cases(seed),
        lambda got, case: _compare_array(
            got,
            case,
            name="h_t",
            heuristics=(_transposed_hint, _batch_axis_hint, _tanh_range_hint),
        ),
        returns="h_t",
        time_limit=time_limit,
        exception_hint=_weights_hint,
    )


# ==========================================================================
# rnn_forward
# ==========================================================================


def _rnn_states(x, h0, W_x, W_h, b, step=_rnn_core):
    """Every h_t of a simple RNN, as a list (the loop the learner writes)."""
    h, states = h0, []
    for t in range(x.shape[1]):
        h = step(x[:, t], h, W_x, W_h, b)
        states.append(h)
    return states


def _rnn_forward_reference(x, h0, W_x, W_h, b):
    params = {"kernel": W_x, "recurrent_kernel": W_h, "bias": b}
    return _cells.forward("simple_rnn", x, params, initial_state=h0)


def _lifted(step):
    """A forward pass whose loop is right, built on a wrong step."""
    return lambda x, h0, W_x, W_h, b: np.stack(_rnn_states(x, h0, W_x, W_h, b, step), axis=1)


def _restarting(x, h0, W_x, W_h, b):
    return np.stack([_rnn_core(x[:, t], h0, W_x, W_h, b) for t in range(x.shape[1])], axis=1)


def _same_input(x, h0, W_x, W_h, b):
    x0 = np.repeat(x[:, :1], x.shape[1], axis=1)
    return np.stack(_rnn_states(x0, h0, W_x, W_h, b), axis=1)


_RNN_FORWARD_MUTANTS = [
    (
        "returned only the last hidden state: stack every h_t into hs, "
        "of shape (batch, time, units)",
        lambda x, h0, W_x, W_h, b: _rnn_states(x, h0, W_x, W_h, b)[-1],
    ),
    (
        "time-major output (time, batch, units): the course is batch-major, "
        "so stack along axis 1, `np.stack(states, axis=1)`",
        lambda x, h0, W_x, W_h, b: np.stack(_rnn_states(x, h0, W_x, W_h, b), axis=0),
    ),
    (
        "hs starts with h0: hs[:, t] is the state after step t, so hs[:, 0] is h_1 "
        "and h0 is not part of hs",
        lambda x, h0, W_x, W_h, b: np.stack([h0, *_rnn_states(x, h0, W_x, W_h, b)], axis=1),
    ),
    (
        "hs[:, 0] should already be h_1 = step(x[:, 0], h0): off by one in the time loop",
        lambda x, h0, W_x, W_h, b: np.stack([h0, *_rnn_states(x, h0, W_x, W_h, b)[:-1]], axis=1),
    ),
    (
        "every step restarts from h0: carry h from one step to the next, "
        "`h = rnn_step(x[:, t], h, ...)`",
        _restarting,
    ),
    (
        "h0 is ignored: start the loop from h = h0, not from zeros",
        lambda x, h0, W_x, W_h, b: np.stack(_rnn_states(x, np.zeros_like(h0), W_x, W_h, b), axis=1),
    ),
    ("every step reads x[:, 0]: step t takes x[:, t]", _same_input),
    (
        "hs is in reverse time order: hs[:, t] must be the state after step t",
        lambda x, h0, W_x, W_h, b: np.stack(_rnn_states(x, h0, W_x, W_h, b)[::-1], axis=1),
    ),
    (
        "the sequence is read backwards: go through x[:, 0], x[:, 1], ... in order",
        lambda x, h0, W_x, W_h, b: np.stack(_rnn_states(x[:, ::-1], h0, W_x, W_h, b), axis=1),
    ),
] + [
    (f"the loop is right, but each step is not: {hint}", _lifted(step))
    for hint, step in _RNN_STEP_MUTANTS
]


def _shape_of_x_hint(got, want, case):
    x = case.args[0]
    if got.shape == x.shape and got.shape != want.shape:
        return (
            "hs has the shape of x, (batch, time, features): it needs (batch, time, units), "
            "e.g. `np.zeros((batch, time, units))`"
        )
    return None


def _empty_steps_hint(got, want, case):
    if got.shape != want.shape or not got.any():
        return None
    for t in range(got.shape[1]):
        if not got[:, t].any() and want[:, t].any():
            return f"hs[:, {t}] is still all zeros: store every h_t in hs[:, t]"
    return None


def _rnn_forward_cases(seed):
    rng = _rng(seed, 2)
    names = ("x", "h0", "W_x", "W_h", "b")

    def case(label, batch, time, d, u, dtype=np.float64, h0=True):
        W_x, W_h, b = _rnn_weights(rng, d, u, dtype)
        x = rng.normal(size=(batch, time, d)).astype(dtype)
        h = _zero_unless(h0, rng.uniform(-0.9, 0.9, size=(batch, u)).astype(dtype))
        args = (x, h, W_x, W_h, b)
        return _Case(label, names, args, _rnn_forward_reference, _RNN_FORWARD_MUTANTS)

    return [
        case("one time step (time = 1)", 2, 1, 3, 3),
        case("several steps from h0 = 0", 2, 4, 3, 3, h0=False),
        case("several steps from a non-zero h0", 2, 4, 3, 3),
        case("batch of 1", 1, 3, 2, 3),
        case("input size != units (5 features, 3 units)", 2, 4, 5, 3),
        case("float32 input", 3, 5, 2, 4, dtype=np.float32),
    ]


def _forward_exception_hint(err):
    if isinstance(err, ValueError) and "broadcast" in str(err):
        return (
            "hs must have shape (batch, time, units), e.g. `np.zeros((batch, time, units))`, "
            "so that hs[:, t] = h fits."
        )
    return _weights_hint(err)


def rnn_forward(fn, *, seed=0, time_limit=5.0):
    """Check a learner's ``rnn_forward(x, h0, W_x, W_h, b) -> hs``.

    The function should run a simple RNN over a whole sequence ``x`` of shape
    `(batch, time, features)` from the initial state ``h0`` and return every
    hidden state, ``hs`` of shape `(batch, time, units)`, with
    ``hs[:, t] = h_{t+1} = tanh(x[:, t] @ W_x + h_t @ W_h + b)`` (``h_0 = h0``).
    The sub-checks try one time step, several steps from a zero and from a
    non-zero ``h0``, a batch of 1, an input size different from the number
    of units and float32 inputs.

    Args:
        fn: the learner's function (None or an empty stub scores 0).
        seed: seed of the random cases.
        time_limit: seconds one call may take before it counts as an endless loop.

    Returns:
        A `CheckResult`; truthy if every sub-check passed.

    Example:

    >>> import numpy as np
    >>> def my_rnn_forward(x, h0, W_x, W_h, b):
    ...     h, hs = h0, []
    ...     for t in range(x.shape[1]):
    ...         h = np.tanh(x[:, t] @ W_x + h @ W_h + b)
    ...         hs.append(h)
    ...     return np.stack(hs, axis=1)
    >>> rnn_forward(my_rnn_forward).passed
    True
    """
    return _run_check(
        "rnn_forward(x, h0, W_x, W_h, b)",
        fn,
        _rnn_forward_cases(seed),
        lambda got, case: _compare_array(
            got,
            case,
            name="hs",
            heuristics=(_shape_of_x_hint, _batch_axis_hint, _empty_steps_hint, _tanh_range_hint),
        ),
        returns="hs",
        time_limit=time_limit,
        exception_hint=_forward_exception_hint,
    )


# ==========================================================================
# rnn_backward
# ==========================================================================

_GRAD_KEYS = ("W_x", "W_h", "b", "h0")


def _grad_name(key):
    return f"d{key}"


def _rnn_backward_reference(x, h0, W_x, W_h, b, d_hs):
    params = {"kernel": W_x, "recurrent_kernel": W_h, "bias": b}
    grads = _cells.backward("simple_rnn", x, params, d_hs, initial_state=h0)
    return {
        "W_x": grads["kernel"],
        "W_h": grads["recurrent_kernel"],
        "b": grads["bias"],
        "h0": grads["initial_state"],
    }


def _rnn_bptt(
    x,
    h0,
    W_x,
    W_h,
    b,
    d_hs,
    *,
    derivative="1 - h**2",
    carry_in=True,
    carry_through="W_h.T",
    every_step=True,
    state_in_dW_h="h_prev",
    transposed=None,
    accumulate=True,
    backwards=True,
    dh0="carried",
    scale=1.0,
):
    """Backpropagation through time for the simple RNN, with switches for known mistakes.

    The defaults give the right gradients; each keyword turns one mistake on.
    """
    hs = np.stack(_rnn_states(x, h0, W_x, W_h, b), axis=1)
    h_prevs = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    time_steps = x.shape[1]
    grads = {"W_x": np.zeros_like(W_x), "W_h": np.zeros_like(W_h), "b": np.zeros_like(b)}
    dh_next = np.zeros_like(h0)
    dh = da = np.zeros_like(h0)
    order = reversed(range(time_steps)) if backwards else range(time_steps)
    for t in order:
        upstream = d_hs[:, t] if every_step or t == time_steps - 1 else 0.0
        dh = upstream + (dh_next if carry_in else 0.0)
        h_t = hs[:, t]
        if derivative == "1 - h**2":
            da = dh * (1.0 - h_t**2)
        elif derivative == "none":
            da = dh
        else:  # "1 - tanh(h)**2"
            da = dh * (1.0 - np.tanh(h_t) ** 2)
        state = h_prevs[:, t] if state_in_dW_h == "h_prev" else h_t
        step = {"W_x": x[:, t].T @ da, "W_h": state.T @ da, "b": da.sum(axis=0)}
        if transposed:
            step[transposed] = step[transposed].T
        for key, value in step.items():
            grads[key] = grads[key] + value if accumulate else value
        dh_next = da @ (W_h.T if carry_through == "W_h.T" else W_h)
    grads["h0"] = {"carried": dh_next, "da": da, "dh": dh}[dh0]
    return {key: value * scale for key, value in grads.items()}


def _bptt(**mistake):
    return lambda x, h0, W_x, W_h, b, d_hs: _rnn_bptt(x, h0, W_x, W_h, b, d_hs, **mistake)


_RNN_BACKWARD_MUTANTS = [
    (
        "the tanh derivative is missing: da_t = dh_t * (1 - h_t**2)",
        _bptt(derivative="none"),
    ),
    (
        "h_t is already tanh(a_t), so the derivative is 1 - h_t**2, not 1 - np.tanh(h_t)**2",
        _bptt(derivative="1 - tanh(h)**2"),
    ),
    (
        "the gradient does not flow back through time: each step needs "
        "dh_t = d_hs[:, t] + dh_next, with dh_next = da @ W_h.T from the step after it",
        _bptt(carry_in=False),
    ),
    (
        "the gradient flows back through the transposed W_h: dh_prev = da_t @ W_h.T",
        _bptt(carry_through="W_h"),
    ),
    (
        "only the last step's d_hs is used: add d_hs[:, t] at every step t",
        _bptt(every_step=False),
    ),
    (
        "dW_h pairs da_t with h_t; it needs h_{t-1}, the state that entered step t "
        "(h0 at the first step)",
        _bptt(state_in_dW_h="h_t"),
    ),
    ("dW_x looks transposed: dW_x += x_t.T @ da_t", _bptt(transposed="W_x")),
    ("dW_h looks transposed: dW_h += h_prev.T @ da_t", _bptt(transposed="W_h")),
    (
        "the gradients keep only one step's contribution: add up every step's, "
        "e.g. `dW_x += x[:, t].T @ da`",
        _bptt(accumulate=False),
    ),
    (
        "the loop runs forwards in time: backpropagation goes from the last step to "
        "the first, `for t in reversed(range(time))`",
        _bptt(backwards=False),
    ),
    (
        "dh0 is the gradient that flows out of the first step into h0: "
        "dh0 = da_1 @ W_h.T, with da_1 the first step's da",
        _bptt(dh0="da"),
    ),
    (
        "dh0 is the gradient that flows out of the first step into h0: "
        "dh0 = da_1 @ W_h.T, with da_1 the first step's da",
        _bptt(dh0="dh"),
    ),
    (
        "the gradients are divided by the batch size: the loss sum(d_hs * hs) is a sum, not a mean",
        lambda x, h0, W_x, W_h, b, d_hs: _rnn_bptt(
            x, h0, W_x, W_h, b, d_hs, scale=1.0 / x.shape[0]
        ),
    ),
]


def _grad_shape_hint(key, got, want, case):
    """A hint for a gradient of the wrong shape."""
    if got.shape == want.shape:
        return None
    batch, time_steps = case.args[0].shape[:2]
    dname = _grad_name(key)
    if key == "b" and got.shape in ((batch, *want.shape), (batch, time_steps, *want.shape)):
        return "db must be summed over the batch: `da.sum(axis=0)` at every step"
    if key == "h0" and got.shape == want.shape[1:]:
        return "dh0 has one row per example: do not sum it over the batch"
    if got.ndim == 2 and got.shape == want.shape[::-1]:
        return f"{dname} looks transposed: it has the shape of {key}, {_fmt_shape(want.shape)}"
    return f"{dname} must have the shape of {key}, {_fmt_shape(want.shape)}"


def _compare_grads(got, case):
    """Compare the learner's dict of gradients key by key."""
    want = case.expected
    keys = ", ".join(f"'{k}'" for k in _GRAD_KEYS)
    if got is None or got is Ellipsis:
        return _array_problem(got, want["W_x"], case.tol, "grads").text
    if not isinstance(got, Mapping):
        return (
            f"returned {_a_type(got)}: return a dict with the keys {keys}, "
            "e.g. `{'W_x': dW_x, 'W_h': dW_h, 'b': db, 'h0': dh0}`"
        )
    missing = [k for k in _GRAD_KEYS if k not in got]
    if missing:
        if all(_grad_name(k) in got for k in missing):
            return (
                f"the keys are named after the parameters: use '{missing[0]}', "
                f"not '{_grad_name(missing[0])}' (the dict needs {keys})"
            )
        return f"the dict has no key '{missing[0]}': it needs the keys {keys}"

    problems = {
        key: _array_problem(got[key], want[key], case.tol, _grad_name(key), returned=False)
        for key in _GRAD_KEYS
    }
    wrong = [key for key in _GRAD_KEYS if problems[key] is not None]
    if not wrong:
        return None
    right = [_grad_name(key) for key in _GRAD_KEYS if key not in wrong]
    verdict = f"{_and(_grad_name(k) for k in wrong)} {'is' if len(wrong) == 1 else 'are'} wrong"
    if right:
        verdict += f" ({_and(right)} {'is' if len(right) == 1 else 'are'} right)"
    first = problems[wrong[0]]

    comparable = all(problems[key].comparable for key in wrong)
    if comparable:
        # One known mistake that explains every key at once.
        for key in wrong:
            hint = _first(_DTYPE_HINTS, got[key], want[key], case)
            if hint:
                return f"{verdict}: {_with_hint(hint, first)}"
        hint = _mutant_hint(
            got, case, lambda g, m, tol: all(_close(g[k], m[k], tol) for k in _GRAD_KEYS)
        )
        if hint:
            return f"{verdict}: {_with_hint(hint, first)}"

    # Otherwise explain each wrong key on its own.
    hints = {key: None for key in wrong}
    for key in wrong:
        if problems[key].comparable:
            hints[key] = (
                _mutant_hint(
                    got, case, lambda g, m, tol, key=key: _close(g[key], m[key], tol), record=False
                )
                or _grad_shape_hint(key, got[key], want[key], case)
                or _first(_VALUE_HINTS, got[key], want[key], case)
            )
    if comparable and len(set(hints.values())) == 1 and hints[wrong[0]]:
        return f"{verdict}: {_with_hint(hints[wrong[0]], first)}"
    return f"{verdict}: " + _join_key_problems(wrong, problems, hints)


def _join_key_problems(wrong, problems, hints):
    """One part per wrong gradient; only the first wrong values show numbers."""
    parts, shown = [], False
    for key in wrong:
        problem, hint = problems[key], hints[key]
        if problem.shows_values and shown:
            name = _grad_name(key)
            part = hint if not hint or hint.startswith(name) else f"{name}: {hint}"
        else:
            part = _with_hint(hint, problem)
            shown = shown or problem.shows_values
        if part and part not in parts:
            parts.append(part)
    return "; ".join(parts)


def _and(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _rnn_backward_cases(seed):
    rng = _rng(seed, 3)
    names = ("x", "h0", "W_x", "W_h", "b", "d_hs")

    def case(label, batch, time, d, u, dtype=np.float64, last_only=False):
        W_x, W_h, b = _rnn_weights(rng, d, u, dtype)
        x = rng.normal(size=(batch, time, d)).astype(dtype)
        h0 = rng.uniform(-0.9, 0.9, size=(batch, u)).astype(dtype)
        d_hs = rng.normal(size=(batch, time, u)).astype(dtype)
        if last_only:
            d_hs[:, :-1] = 0
        args = (x, h0, W_x, W_h, b, d_hs)
        return _Case(label, names, args, _rnn_backward_reference, _RNN_BACKWARD_MUTANTS)

    return [
        case("one time step (time = 1)", 2, 1, 3, 3),
        case("several steps, d_hs on the last step only", 2, 4, 3, 3, last_only=True),
        case("several steps, d_hs on every step", 2, 4, 3, 3),
        case("batch of 1", 1, 3, 2, 3),
        case("input size != units (5 features, 3 units)", 2, 4, 5, 3),
        case("float32 input", 3, 5, 2, 4, dtype=np.float32),
    ]


def _backward_hint(err):
    if _is_matmul_error(err):
        return (
            "The shapes that fit: dW_x += x_t.T @ da, dW_h += h_prev.T @ da and "
            "dh_prev = da @ W_h.T."
        )
    return None


def rnn_backward(fn, *, seed=0, time_limit=5.0):
    """Check a learner's ``rnn_backward(x, h0, W_x, W_h, b, d_hs) -> grads``.

    The function should backpropagate through time in a simple RNN: for the
    loss ``L = sum(d_hs * hs)``, with ``hs = rnn_forward(x, h0, W_x, W_h, b)``,
    return the dict ``{"W_x": dL/dW_x, "W_h": dL/dW_h, "b": dL/db, "h0": dL/dh0}``,
    each of the shape of its parameter. The sub-checks try one time step,
    an upstream gradient on the last step only and on every step, a batch
    of 1, an input size different from the number of units and float32
    inputs. A failed sub-check says which gradients are right and which are not.

    Args:
        fn: the learner's function (None or an empty stub scores 0).
        seed: seed of the random cases.
        time_limit: seconds one call may take before it counts as an endless loop.

    Returns:
        A `CheckResult`; truthy if every sub-check passed.

    Example:

    >>> import rnnlib
    >>> def my_rnn_backward(x, h0, W_x, W_h, b, d_hs):
    ...     params = {"kernel": W_x, "recurrent_kernel": W_h, "bias": b}
    ...     g = rnnlib.backward("simple_rnn", x, params, d_hs, initial_state=h0)
    ...     return {"W_x": g["kernel"], "W_h": g["recurrent_kernel"],
    ...             "b": g["bias"], "h0": g["initial_state"]}
    >>> rnn_backward(my_rnn_backward).passed
    True
    """
    return _run_check(
        "rnn_backward(x, h0, W_x, W_h, b, d_hs)",
        fn,
        _rnn_backward_cases(seed),
        _compare_grads,
        returns="grads",
        time_limit=time_limit,
        exception_hint=_backward_hint,
    )


# ==========================================================================
# clip_by_global_norm
# ==========================================================================


def _global_norm(grads):
    return np.sqrt(sum(np.sum(g**2) for g in grads.values()))


def _clip_reference(grads, max_norm):
    """Pascanu et al. (2013): g <- g * min(1, max_norm / ||g||), one norm over all arrays."""
    scale = min(1.0, max_norm / max(_global_norm(grads), 1e-300))
    return {key: g * scale for key, g in grads.items()}


def _scaled(grads, scale):
    return {key: g * scale for key, g in grads.items()}


_CLIP_MUTANTS = [
    (
        "each array is clipped by its own norm: use one global norm over all the arrays, "
        "sqrt(sum of every squared entry), so that the direction is kept",
        lambda g, m: {k: v * min(1.0, m / np.linalg.norm(v)) for k, v in g.items()},
    ),
    (
        "the values are clipped one by one (np.clip): that changes the gradient's direction; "
        "scale every array by the same factor instead",
        lambda g, m: {k: np.clip(v, -m, m) for k, v in g.items()},
    ),
    (
        "small gradients are scaled up too: scale only when the global norm exceeds max_norm, "
        "with min(1, max_norm / norm)",
        lambda g, m: _scaled(g, m / _global_norm(g)),
    ),
    (
        "the square root is missing: the global norm is sqrt(sum of every squared entry)",
        lambda g, m: _scaled(g, min(1.0, m / sum(np.sum(v**2) for v in g.values()))),
    ),
    (
        "the global norm adds up the arrays' norms: it is sqrt(sum of every squared entry) "
        "over all arrays, not the sum of their norms",
        lambda g, m: _scaled(g, min(1.0, m / sum(np.linalg.norm(v) for v in g.values()))),
    ),
    (
        "the norm uses a mean: it is the square root of the sum of squares, not of their mean",
        lambda g, m: _scaled(
            g, min(1.0, m / np.sqrt(np.mean(np.concatenate([v.ravel() for v in g.values()]) ** 2)))
        ),
    ),
    (
        "the scale is upside down: multiply by max_norm / norm, not norm / max_norm",
        lambda g, m: _scaled(g, min(1.0, _global_norm(g) / m)),
    ),
    (
        "the gradients are normalised to norm 1: scale them to norm max_norm",
        lambda g, m: _scaled(g, min(1.0, 1.0 / _global_norm(g))),
    ),
    (
        "max(1, ...) where min(1, ...) is needed: the factor must never exceed 1",
        lambda g, m: _scaled(g, max(1.0, m / _global_norm(g))),
    ),
]


def _clip_cases(seed):
    rng = _rng(seed, 6)
    names = ("grads", "max_norm")

    def case(label, shapes, max_norm, scale=1.0, dtype=np.float64):
        scales = scale if isinstance(scale, dict) else dict.fromkeys(shapes, scale)
        grads = {k: (scales[k] * rng.normal(size=s)).astype(dtype) for k, s in shapes.items()}
        return _Case(label, names, (grads, max_norm), _clip_reference, _CLIP_MUTANTS)

    rnn = {"W_x": (3, 4), "W_h": (4, 4), "b": (4,)}
    return [
        case("global norm below max_norm: returned unchanged", rnn, 100.0),
        case("global norm above max_norm: scaled down to max_norm", rnn, 1.0),
        case(
            "one array much larger than the others",
            {"W_h": (4, 4), "b": (4,)},
            5.0,
            scale={"W_h": 50.0, "b": 0.1},
        ),
        case("a single array", {"W": (2, 3)}, 0.5),
        case("float32 gradients", rnn, 1.0, scale=10.0, dtype=np.float32),
    ]


def _compare_clipped(got, case):
    """Compare the learner's dict of clipped gradients with the reference."""
    want = case.expected
    keys = ", ".join(f"'{k}'" for k in want)
    if got is None or got is Ellipsis:
        return _array_problem(got, next(iter(want.values())), case.tol, "grads").text
    if not isinstance(got, Mapping):
        return f"returned {_a_type(got)}: return a dict with the same keys as grads ({keys})"
    missing = [k for k in want if k not in got]
    if missing:
        return f"the returned dict has no key '{missing[0]}': keep every key of grads ({keys})"
    problems = {k: _array_problem(got[k], want[k], case.tol, k, returned=False) for k in want}
    wrong = [k for k in want if problems[k] is not None]
    if not wrong:
        return None
    first = problems[wrong[0]]
    if all(problems[k].comparable for k in wrong):
        hint = _mutant_hint(got, case, lambda g, m, tol: all(_close(g[k], m[k], tol) for k in want))
        if hint:
            return _with_hint(hint, first)
    return first.text


def clip_by_global_norm(fn, *, seed=0, time_limit=5.0):
    """Check a learner's ``clip_by_global_norm(grads, max_norm) -> clipped``.

    The function should rescale a dict of gradient arrays so that their global
    norm, ``sqrt(sum of every squared entry)``, is at most ``max_norm``:
    every array is multiplied by the same factor ``min(1, max_norm / norm)``,
    which keeps the direction of the whole gradient (Pascanu et al., 2013).
    It returns a new dict with the same keys and leaves ``grads`` unchanged.
    The sub-checks try a norm below and above ``max_norm``, one array much
    larger than the others (which tells global from per-array clipping), a
    single array and float32 gradients.

    Args:
        fn: the learner's function (None or an empty stub scores 0).
        seed: seed of the random cases.
        time_limit: seconds one call may take before it counts as an endless loop.

    Returns:
        A `CheckResult`; truthy if every sub-check passed.

    Example:

    >>> import numpy as np
    >>> def my_clip(grads, max_norm):
    ...     norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    ...     return {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}
    >>> clip_by_global_norm(my_clip).passed
    True
    """
    return _run_check(
        "clip_by_global_norm(grads, max_norm)",
        fn,
        _clip_cases(seed),
        _compare_clipped,
        returns="clipped",
        time_limit=time_limit,
    )


# ==========================================================================
# make_windows
# ==========================================================================


def _windows(series, lookback, horizon, *, shift=0, n_less=0, feature_axis=True, gap=0):
    """Windows with a known mistake: targets ``shift`` steps early, ``n_less`` windows short."""
    T = len(series)
    n = T - lookback - horizon + 1 - n_less - gap
    starts = np.arange(n)[:, None]
    X = series[starts + np.arange(lookback)]
    y = series[starts + lookback + gap - shift + np.arange(horizon)]
    return (X[..., None] if feature_axis else X), y


_WINDOW_MUTANTS = [
    (
        "look-ahead: the target starts one step too early, at the last input of its window; "
        "it must start right after the window, at series[i + lookback]",
        lambda s, lb, h: _windows(s, lb, h, shift=1),
    ),
    (
        "the last window is missing: there are n = T - lookback - horizon + 1 windows "
        "(range(n), not range(n - 1))",
        lambda s, lb, h: _windows(s, lb, h, n_less=1),
    ),
    (
        "a gap of one step between each window and its target: the target starts at "
        "series[i + lookback], not series[i + lookback + 1]",
        lambda s, lb, h: _windows(s, lb, h, gap=1),
    ),
    (
        "X has no feature axis: Keras's recurrent layers want (windows, lookback, 1); "
        "add it with X[..., None]",
        lambda s, lb, h: _windows(s, lb, h, feature_axis=False),
    ),
    (
        "the windows run backwards in time: X[i] must be series[i : i + lookback], oldest first",
        lambda s, lb, h: (_windows(s, lb, h)[0][:, ::-1], _windows(s, lb, h)[1]),
    ),
    (
        "y has an extra axis: for a 1-D series, y has shape (windows, horizon)",
        lambda s, lb, h: (_windows(s, lb, h)[0], _windows(s, lb, h)[1][..., None]),
    ),
]


def _window_cases(seed):
    rng = _rng(seed, 7)
    names = ("series", "lookback", "horizon")

    def case(label, series, lookback, horizon):
        return _Case(
            label,
            names,
            (series, lookback, horizon),
            lambda s, lb, h: _windows(np.asarray(s), lb, h),
            _WINDOW_MUTANTS,
        )

    return [
        case("series = 0, 1, 2, ... (value = time), horizon 1", np.arange(12.0), 4, 1),
        case("value = time, horizon 3", np.arange(15.0), 5, 3),
        case("exactly one window (T = lookback + horizon)", np.arange(6.0), 4, 2),
        case("random values, lookback 1", rng.normal(size=9), 1, 1),
        case("float32 series", rng.normal(size=20).astype(np.float32), 6, 2),
    ]


def _look_ahead(X, y):
    """On a series with value = time: the first window whose inputs reach its target."""
    X = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    bad = np.flatnonzero(X.max(axis=1) >= y.min(axis=1))
    return int(bad[0]) if bad.size else None


def _compare_windows(got, case):
    """Compare the learner's (X, y) pair; on the value-equals-time cases, name look-ahead."""
    want_X, want_y = case.expected
    if not isinstance(got, tuple | list) or len(got) != 2:
        return (
            f"returned {_a_type(got)}: return the pair (X, y), with X of shape "
            f"{_fmt_shape(want_X.shape)} and y of shape {_fmt_shape(want_y.shape)}"
        )
    X, y = got
    problem_X = _array_problem(X, want_X.astype(np.float64), case.tol, "X", returned=False)
    problem_y = _array_problem(y, want_y.astype(np.float64), case.tol, "y", returned=False)
    if problem_X is None and problem_y is None:
        return None
    first = problem_X or problem_y
    hint = None
    if all(p is None or p.comparable for p in (problem_X, problem_y)):
        hint = _mutant_hint(
            got,
            case,
            lambda g, m, tol: all(_close(a, b, tol) for a, b in zip(g, m, strict=True)),
        )
        if hint is None and case.label.startswith(("series = 0", "value = time")):
            try:
                window = _look_ahead(X, y)
            except Exception:  # noqa: BLE001 - shapes too odd to say
                window = None
            if window is not None:
                hint = (
                    f"look-ahead: window {window}'s inputs reach its own target; every target "
                    "must lie strictly after its inputs"
                )
    return _with_hint(hint, first)


def make_windows(fn, *, seed=0, time_limit=5.0):
    """Check a learner's ``make_windows(series, lookback, horizon) -> (X, y)``.

    For a 1-D series of length ``T``, window ``i`` takes ``series[i : i + lookback]``
    as input and ``series[i + lookback : i + lookback + horizon]`` as target, for
    every ``i`` from 0 to ``n - 1``, ``n = T - lookback - horizon + 1``. ``X`` has
    shape ``(n, lookback, 1)`` (a feature axis, for Keras) and ``y`` shape
    ``(n, horizon)``. On series whose values equal their time index, the check
    can see look-ahead directly: a window whose inputs reach its own target.

    Args:
        fn: the learner's function (None or an empty stub scores 0).
        seed: seed of the random cases.
        time_limit: seconds one call may take before it counts as an endless loop.

    Returns:
        A `CheckResult`; truthy if every sub-check passed.

    Example:

    >>> import numpy as np
    >>> def my_windows(series, lookback, horizon):
    ...     n = len(series) - lookback - horizon + 1
    ...     X = np.stack([series[i : i + lookback] for i in range(n)])[..., None]
    ...     y = np.stack([series[i + lookback : i + lookback + horizon] for i in range(n)])
    ...     return X, y
    >>> make_windows(my_windows).passed
    True
    """
    return _run_check(
        "make_windows(series, lookback, horizon)",
        fn,
        _window_cases(seed),
        _compare_windows,
        returns="X, y",
        time_limit=time_limit,
    )


# ==========================================================================
# lstm_step
# ==========================================================================

_LSTM_GATES = ("i", "f", "c", "o")


def _lstm_mutant(
    x,
    h,
    c,
    params,
    *,
    order=(0, 1, 2, 3),
    gate=_sigmoid,
    candidate=np.tanh,
    forget="f * c_prev",
    input_gate=True,
    coupled=False,
    out="o * tanh(c_t)",
    swap_outputs=False,
    use_bias=True,
    use_h=True,
):
    """An LSTM step with switches for known mistakes; the defaults are right.

    ``order[k]`` is the block the learner takes as gate k of i, f, c, o.
    """
    a = x @ params["kernel"]
    if use_h:
        a = a + h @ params["recurrent_kernel"]
    if use_bias:
        a = a + params["bias"]
    a_i, a_f, a_c, a_o = _split(a, 4, order)
    i, f, g, o = gate(a_i), gate(a_f), candidate(a_c), gate(a_o)
    kept = f * c if forget == "f * c_prev" else 0.0
    added = (1.0 - f) * g if coupled else (i * g if input_gate else g)
    c_t = kept + added
    h_t = {"o * tanh(c_t)": o * np.tanh(c_t), "o * c_t": o * c_t, "c_prev": o * np.tanh(c)}[out]
    return (c_t, h_t) if swap_outputs else (h_t, c_t)


def _order_hint(order, gates, origin):
    """Explain reading the gate blocks in ``order`` instead of Keras's order."""
    read_as = [""] * len(gates)
    for gate, block in zip(gates, order, strict=True):
        read_as[block] = gate
    keras = ", ".join(gates)
    moved = [g for g, block in zip(gates, order, strict=True) if gates[block] != g]
    note = f" ({origin[tuple(read_as)]})" if tuple(read_as) in origin else ""
    if len(moved) == 2:
        return (
            f"the {moved[0]} and {moved[1]} gate blocks are swapped{note}: "
            f"Keras's gate order is {keras}"
        )
    return (
        f"the gate blocks are in the wrong order: your code reads them as "
        f"{', '.join(read_as)}{note}, but Keras's order is {keras}"
    )


def _lstm(**mistake):
    return lambda x, h, c, params: _lstm_mutant(x, h, c, params, **mistake)


_LSTM_MUTANTS = [
    (
        "returned (c_t, h_t): return the pair the other way round, `return h_t, c_t`",
        _lstm(swap_outputs=True),
    ),
    (
        "c_prev is ignored: the new cell state is c_t = f_t * c_prev + i_t * g_t",
        _lstm(forget="none"),
    ),
    ("the tanh of c_t is missing: h_t = o_t * np.tanh(c_t)", _lstm(out="o * c_t")),
    (
        "h_t uses the old cell state: h_t = o_t * np.tanh(c_t), with the new c_t",
        _lstm(out="c_prev"),
    ),
    ("the gates i, f and o use sigmoid, not tanh", _lstm(gate=np.tanh)),
    ("the candidate g_t (the c block) uses tanh, not sigmoid", _lstm(candidate=_sigmoid)),
    (
        "the input gate is missing: c_t = f_t * c_prev + i_t * g_t",
        _lstm(input_gate=False),
    ),
    (
        "the input gate i_t scales g_t: c_t = f_t * c_prev + i_t * g_t, not (1 - f_t) * g_t",
        _lstm(coupled=True),
    ),
    (
        "the bias is left out: the gates see x_t @ kernel + h_prev @ recurrent_kernel + bias",
        _lstm(use_bias=False),
    ),
    (
        "h_prev is ignored: the gates see x_t @ kernel + h_prev @ recurrent_kernel + bias",
        _lstm(use_h=False),
    ),
]
_LSTM_MUTANTS += [
    (
        _order_hint(
            order, _LSTM_GATES, {("i", "c", "f", "o"): "i, c, f, o is TensorFlow 1's order"}
        ),
        _lstm(order=order),
    )
    for order in itertools.permutations(range(4))
    if order != (0, 1, 2, 3)
]


def _lstm_params(rng, d, u, dtype, k=4):
    return {
        "kernel": rng.normal(scale=0.5, size=(d, k * u)).astype(dtype),
        "recurrent_kernel": rng.normal(scale=0.5, size=(u, k * u)).astype(dtype),
        "bias": rng.normal(scale=0.5, size=k * u).astype(dtype),
    }


def _lstm_cases(seed):
    rng = _rng(seed, 4)
    names = ("x_t", "h_prev", "c_prev", "params")

    def case(label, batch, d, u, dtype=np.float64, x=True, h=True, c=True):
        params = _lstm_params(rng, d, u, dtype)
        x_t = _zero_unless(x, rng.normal(size=(batch, d)).astype(dtype))
        h_prev = _zero_unless(h, rng.uniform(-0.9, 0.9, size=(batch, u)).astype(dtype))
        c_prev = _zero_unless(c, rng.normal(size=(batch, u)).astype(dtype))
        args = (x_t, h_prev, c_prev, params)
        return _Case(label, names, args, _cells.lstm_step, _LSTM_MUTANTS)

    return [
        case("bias only (x_t = 0, h_prev = 0)", 2, 3, 3, x=False, h=False),
        case("no memory (c_prev = 0)", 2, 3, 3, c=False),
        case("full step, float64", 2, 3, 3),
        case("batch of 1", 1, 2, 3),
        case("input size != units (5 features, 3 units)", 2, 5, 3),
        case("float32 input", 3, 2, 4, dtype=np.float32),
    ]


def _pair_close(got, mutant, tol):
    return (
        isinstance(got, tuple | list)
        and len(got) == 2
        and _close(got[0], mutant[0], tol)
        and _close(got[1], mutant[1], tol)
    )


def _compare_lstm(got, case):
    """Compare the pair (h_t, c_t)."""
    want_h, want_c = case.expected
    if isinstance(got, np.ndarray):
        if _close(got, want_h, case.tol):
            return "returned only h_t: return both states, `return h_t, c_t`"
        if _close(got, want_c, case.tol):
            return "returned only c_t: return both states, `return h_t, c_t`"
        return "returned one array: return the pair of states, `return h_t, c_t`"
    if not isinstance(got, tuple | list):
        return f"returned {_a_type(got)}: return the pair of states, `return h_t, c_t`"
    if len(got) != 2:
        return f"returned {len(got)} values: return exactly two, `return h_t, c_t`"

    h_t, c_t = got
    problems = {
        "h_t": _array_problem(h_t, want_h, case.tol, "h_t", returned=False),
        "c_t": _array_problem(c_t, want_c, case.tol, "c_t", returned=False),
    }
    wrong = [name for name, problem in problems.items() if problem is not None]
    if not wrong:
        return None
    text = "; ".join(problems[name].text for name in wrong)
    if len(wrong) == 1:
        text += f"; {'c_t' if wrong == ['h_t'] else 'h_t'} is right"
    if any(not problems[name].comparable for name in wrong):
        return text
    values = {"h_t": (h_t, want_h), "c_t": (c_t, want_c)}
    hint = (
        _first(_DTYPE_HINTS, *values[wrong[0]], case)
        or _mutant_hint(got, case, _pair_close)
        or ("h_t" in wrong and _tanh_out_hint(h_t, want_h))
        or _first((_transposed_hint, _batch_axis_hint), *values[wrong[0]], case)
    )
    return f"{hint} ({text})" if hint else text


def _tanh_out_hint(h_t, want_h):
    if h_t.shape == want_h.shape and np.abs(h_t).max() > 1 + 1e-6:
        return "some values of h_t are outside (-1, 1), which o_t * tanh(c_t) never gives"
    return None


def _params_hint(gates, extra=""):
    def hint(err):
        if isinstance(err, KeyError):
            return f"params has the keys 'kernel', 'recurrent_kernel' and 'bias'{extra}."
        if _is_matmul_error(err):
            return (
                f"Weights multiply from the right, x_t @ params['kernel'], and each of the "
                f"{gates} gate blocks is `units` columns wide."
            )
        return None

    return hint


def lstm_step(fn, *, seed=0, time_limit=5.0):
    """Check a learner's ``lstm_step(x_t, h_prev, c_prev, params) -> (h_t, c_t)``.

    The function should compute one LSTM step with Keras's layout: ``params``
    holds ``kernel`` `(features, 4*units)`, ``recurrent_kernel``
    `(units, 4*units)` and ``bias`` `(4*units,)`, with the gate blocks in the
    order i, f, c, o; ``i, f, o`` are sigmoids, ``g = tanh(a_c)``,
    ``c_t = f*c_prev + i*g`` and ``h_t = o*tanh(c_t)``. The sub-checks try the
    bias alone, no memory (``c_prev = 0``), a full step, a batch of 1, an
    input size different from the number of units and float32 inputs. A
    gate-order mistake is named, e.g. "the i and f gate blocks are swapped".

    Args:
        fn: the learner's function (None or an empty stub scores 0).
        seed: seed of the random cases.
        time_limit: seconds one call may take before it counts as an endless loop.

    Returns:
        A `CheckResult`; truthy if every sub-check passed.

    Example:

    >>> import rnnlib
    >>> lstm_step(rnnlib.lstm_step).passed
    True
    """
    return _run_check(
        "lstm_step(x_t, h_prev, c_prev, params)",
        fn,
        _lstm_cases(seed),
        _compare_lstm,
        returns="h_t, c_t",
        time_limit=time_limit,
        exception_hint=_params_hint("4"),
    )


# ==========================================================================
# gru_step
# ==========================================================================

_GRU_GATES = ("z", "r", "h")


def _gru_mutant(
    x,
    h,
    params,
    *,
    order=(0, 1, 2),
    keeps_old="z",
    reset=None,
    recurrent_bias="yes",
    gate=_sigmoid,
    candidate=np.tanh,
    mix=True,
    use_bias=True,
):
    """A GRU step with switches for known mistakes; the defaults are right.

    ``reset`` is where the reset gate acts: "after" the matrix product
    (reset_after=True), "before" it (reset_after=False), "none", or
    "after, bias outside" (r * (h @ U_h) + b_h). ``recurrent_bias`` is "yes",
    "ignored" or "candidate only".
    """
    reset_after = bool(params.get("reset_after", True))
    reset = reset or ("after" if reset_after else "before")
    kernel, recurrent_kernel, bias = params["kernel"], params["recurrent_kernel"], params["bias"]
    u = recurrent_kernel.shape[0]
    if reset_after:
        b_x, b_h = bias[0], bias[1]
    else:
        b_x, b_h = bias, np.zeros(3 * u)
    if not use_bias:
        b_x, b_h = np.zeros(3 * u), np.zeros(3 * u)
    if recurrent_bias == "ignored":
        b_h = np.zeros(3 * u)
    elif recurrent_bias == "candidate only":
        b_h = np.concatenate([np.zeros(2 * u), b_h[2 * u :]])

    x_z, x_r, x_h = _split(x @ kernel + b_x, 3, order)
    U_z, U_r, U_h = _split(recurrent_kernel, 3, order)
    bh_z, bh_r, bh_h = _split(b_h, 3, order)
    z = gate(x_z + h @ U_z + bh_z)
    r = gate(x_r + h @ U_r + bh_r)
    recurrent = {
        "after": lambda: r * (h @ U_h + bh_h),
        "after, bias outside": lambda: r * (h @ U_h) + bh_h,
        "before": lambda: (r * h) @ U_h + bh_h,
        "none": lambda: h @ U_h + bh_h,
    }[reset]()
    hh = candidate(x_h + recurrent)
    if not mix:
        return hh
    if keeps_old == "z":
        return z * h + (1.0 - z) * hh
    return (1.0 - z) * h + z * hh


def _gru(**mistake):
    return lambda x, h, params: _gru_mutant(x, h, params, **mistake)


def _gru_mutants(reset_after):
    common = [
        (
            "the update gate is used the other way round: Keras keeps h_{t-1} with z_t, "
            "h_t = z_t * h_prev + (1 - z_t) * hh_t",
            _gru(keeps_old="1 - z"),
        ),
        (
            "h_t mixes the old state and the candidate: h_t = z_t * h_prev + (1 - z_t) * hh_t",
            _gru(mix=False),
        ),
        ("the candidate ignores the reset gate r_t", _gru(reset="none")),
        ("the gates z and r use sigmoid, not tanh", _gru(gate=np.tanh)),
        ("the candidate hh_t uses tanh, not sigmoid", _gru(candidate=_sigmoid)),
        ("the bias is left out: every gate and the candidate add their bias", _gru(use_bias=False)),
    ]
    if reset_after:
        specific = [
            (
                "with reset_after=True (Keras's default) the reset gate multiplies after the "
                "matrix product: r_t * (h_prev @ U_h + b_h), not (r_t * h_prev) @ U_h",
                _gru(reset="before"),
            ),
            (
                "the recurrent bias bias[1] is ignored: with reset_after=True, z, r and the "
                "candidate each add both bias rows",
                _gru(recurrent_bias="ignored"),
            ),
            (
                "the recurrent bias bias[1] also goes into z and r, not only into the candidate",
                _gru(recurrent_bias="candidate only"),
            ),
            (
                "the candidate's recurrent bias goes inside the reset gate: "
                "r_t * (h_prev @ U_h + b_h), not r_t * (h_prev @ U_h) + b_h",
                _gru(reset="after, bias outside"),
            ),
        ]
    else:
        specific = [
            (
                "the reset gate is applied after the matrix product, r_t * (h_prev @ U_h), "
                "but with reset_after=False it acts before it: (r_t * h_prev) @ U_h",
                _gru(reset="after"),
            ),
        ]
    orders = [
        (
            _order_hint(
                order, _GRU_GATES, {("r", "z", "h"): "r, z, h is PyTorch's order, r, z, n"}
            ),
            _gru(order=order),
        )
        for order in itertools.permutations(range(3))
        if order != (0, 1, 2)
    ]
    return common + specific + orders


def _gru_cases(seed, reset_after):
    rng = _rng(seed, 5 if reset_after else 6)
    names = ("x_t", "h_prev", "params")
    mutants = _gru_mutants(reset_after)
    prefix = f"reset_after={reset_after}, "

    def case(label, batch, d, u, dtype=np.float64, x=True, h=True):
        params = _lstm_params(rng, d, u, dtype, k=3)
        if reset_after:
            params["bias"] = rng.normal(scale=0.5, size=(2, 3 * u)).astype(dtype)
        params["reset_after"] = reset_after
        x_t = _zero_unless(x, rng.normal(size=(batch, d)).astype(dtype))
        h_prev = _zero_unless(h, rng.uniform(-0.9, 0.9, size=(batch, u)).astype(dtype))
        return _Case(prefix + label, names, (x_t, h_prev, params), _cells.gru_step, mutants)

    return [
        case("bias only (x_t = 0, h_prev = 0)", 2, 3, 3, x=False, h=False),
        case("full step, float64", 2, 3, 3),
        case("batch of 1", 1, 2, 3),
        case("input size != units (5 features, 3 units)", 2, 5, 3),
        case("float32 input", 3, 2, 4, dtype=np.float32),
    ]


def _gru_exception_hint(err):
    if isinstance(err, ValueError) and "unpack" in str(err):
        return (
            "With reset_after=False the bias is one vector of shape (3*units,); only "
            "reset_after=True has two rows, bias[0] (input) and bias[1] (recurrent)."
        )
    return _params_hint("3", " (and 'reset_after')")(err)


def gru_step(fn, *, reset_after=None, seed=0, time_limit=5.0):
    """Check a learner's ``gru_step(x_t, h_prev, params) -> h_t``.

    The function should compute one GRU step with Keras's layout and update
    convention ``h_t = z_t*h_prev + (1 - z_t)*hh_t``, gate order z, r, h.
    ``params`` holds ``kernel`` `(features, 3*units)`, ``recurrent_kernel``
    `(units, 3*units)`, ``bias`` and ``reset_after``: with True (Keras's
    default) the bias is `(2, 3*units)` and
    ``hh_t = tanh(x_t @ W_h + b_x + r_t * (h_prev @ U_h + b_h))``; with False
    it is `(3*units,)` and ``hh_t = tanh(x_t @ W_h + (r_t * h_prev) @ U_h + b)``.
    For each variant the sub-checks try the bias alone, a full step, a batch
    of 1, an input size different from the number of units and float32 inputs.

    Args:
        fn: the learner's function (None or an empty stub scores 0).
        reset_after: check only this variant; None (the default) checks both.
        seed: seed of the random cases.
        time_limit: seconds one call may take before it counts as an endless loop.

    Returns:
        A `CheckResult`; truthy if every sub-check passed.

    Example:

    >>> import rnnlib
    >>> gru_step(rnnlib.gru_step).passed
    True
    >>> gru_step(rnnlib.gru_step, reset_after=False).max_score
    6
    """
    variants = (True, False) if reset_after is None else (bool(reset_after),)
    cases = [case for variant in variants for case in _gru_cases(seed, variant)]
    return _run_check(
        "gru_step(x_t, h_prev, params)",
        fn,
        cases,
        lambda got, case: _compare_array(
            got,
            case,
            name="h_t",
            heuristics=(_transposed_hint, _batch_axis_hint, _tanh_range_hint),
        ),
        returns="h_t",
        time_limit=time_limit,
        exception_hint=_gru_exception_hint,
    )


# ==========================================================================
# build_model (Keras)
# ==========================================================================

_RECURRENT = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}


def _layer_spec(spec):
    """Turn ``"GRU"``, ``keras.layers.GRU`` or ``("GRU", {"units": 64})`` into (name, config)."""
    config = {}
    if isinstance(spec, tuple | list):
        if len(spec) != 2 or not isinstance(spec[1], Mapping):
            raise ValueError(f"a layer spec is a name or a (name, config dict) pair, got {spec!r}")
        spec, config = spec
    name = spec if isinstance(spec, str) else getattr(spec, "__name__", None)
    if not name:
        raise ValueError(f"a layer spec starts with a layer class or its name, got {spec!r}")
    return name, dict(config)


def _full_shape(shape):
    """Add the batch axis (None) to a shape given without it."""
    shape = tuple(shape)
    return shape if shape and shape[0] is None else (None, *shape)


def _fmt_keras_shape(shape):
    return "(" + ", ".join("None" if s is None else str(s) for s in shape) + ")"


def _shapes_fit(got, want):
    """``got`` fits ``want`` if the ranks match and every known size of ``got`` agrees."""
    return len(got) == len(want) and all(
        g is None or g == w for g, w in zip(got, want, strict=True)
    )


def _get_model(keras, model_or_fn, time_limit):
    """Return (model, None) or (None, message)."""
    if isinstance(model_or_fn, keras.Model):
        return model_or_fn, None
    problem = _not_ready(model_or_fn, "build_model")
    if problem:
        return None, problem
    if isinstance(model_or_fn, keras.layers.Layer):
        return None, (
            f"got {_a_type(model_or_fn)} layer, not a model: put the layers in "
            "`keras.Sequential([keras.Input(shape=...), ...])`"
        )
    outcome = _call(model_or_fn, (), time_limit)
    if outcome.timed_out:
        return None, f"did not finish within {time_limit:g} s: an infinite loop?"
    if outcome.exception is not None:
        return None, _describe_exception(outcome.exception, _keras_exception_hint)
    model = outcome.value
    if model is None:
        return None, "returned None: did you forget `return model`?"
    if isinstance(model, keras.Model):
        return model, None
    if isinstance(model, list | tuple):
        return None, (
            f"returned {_a_type(model)} of layers: wrap them in a model, "
            "`keras.Sequential([keras.Input(shape=...), ...])`"
        )
    if isinstance(model, keras.layers.Layer):
        return None, (
            f"returned {_a_type(model)} layer, not a model: put the layers in "
            "`keras.Sequential([keras.Input(shape=...), ...])`"
        )
    return None, f"returned {_a_type(model)}, not a keras.Model"


def _keras_exception_hint(err):
    if re.search(r"expected ndim=3, found ndim=2", _error_text(err)):
        return (
            "A recurrent layer got one vector per sequence instead of a sequence: the "
            "recurrent layer before it needs return_sequences=True."
        )
    return None


def _model_layers(model):
    return [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]


def _layers_problem(got, want) -> str | None:
    got_names = [type(layer).__name__ for layer in got]
    want_names = [name for name, _ in want]
    if [n.lower() for n in got_names] == [n.lower() for n in want_names]:
        return None
    if len(got_names) == len(want_names):
        wrong = [
            f"layer {i} is {g}, expected {w}"
            for i, (g, w) in enumerate(zip(got_names, want_names, strict=True), start=1)
            if g.lower() != w.lower()
        ]
        return "; ".join(wrong)
    message = (
        f"expected {len(want_names)} layers ({', '.join(want_names)}), "
        f"got {len(got_names)} ({', '.join(got_names) or 'none'})"
    )
    lower_got, lower_want = [n.lower() for n in got_names], [n.lower() for n in want_names]
    for i in range(len(lower_got)):
        if lower_got[:i] + lower_got[i + 1 :] == lower_want:
            return f"{message}: layer {i + 1} ({got_names[i]}) is one too many"
    for i in range(len(lower_want)):
        if lower_want[:i] + lower_want[i + 1 :] == lower_got:
            return f"{message}: the {want_names[i]} layer (layer {i + 1}) is missing"
    return message


def _config_problems(got_layers, want):
    problems = []
    for index, (layer, (name, config)) in enumerate(zip(got_layers, want, strict=False), start=1):
        if type(layer).__name__.lower() != name.lower():
            continue
        try:
            layer_config = layer.get_config()
        except Exception:  # noqa: BLE001 - a custom layer without get_config
            layer_config = {}
        for key, value in config.items():
            found = layer_config.get(key, getattr(layer, key, "(not set)"))
            if found == value:
                continue
            where = f"layer {index} ({type(layer).__name__})"
            if key == "return_sequences" and value:
                problems.append(
                    f"{where} needs return_sequences=True, to pass every time step on to "
                    "the next layer"
                )
            elif key == "return_sequences":
                problems.append(
                    f"{where} has return_sequences=True: set it to False (the default) "
                    "to keep only the last time step"
                )
            elif key == "reset_after":
                problems.append(
                    f"{where} has reset_after={found}, expected {value}"
                    + (" (Keras's default)" if value else "")
                )
            else:
                problems.append(f"{where}: {key} is {found!r}, expected {value!r}")
    return problems


def _output_shape(model, input_shape):
    with contextlib.suppress(Exception):
        return tuple(model.output_shape)
    return tuple(model.compute_output_shape(input_shape))


def _output_hint(got, want, input_shape, layers):
    if len(got) == len(want) + 1 and len(input_shape) > 1 and got[1] == input_shape[1]:
        if any(type(layer).__name__ in _RECURRENT for layer in layers):
            return (
                "the output still has the time axis: the last recurrent layer needs "
                "return_sequences=False (the default)"
            )
        return "the output still has the time axis: a recurrent layer should remove it"
    if len(got) == len(want) and got[:-1] == want[:-1] and layers:
        return (
            f"the last layer ({type(layers[-1]).__name__}) has {got[-1]} units, expected {want[-1]}"
        )
    return None


def _param_count_hint(layers, got, want):
    """Guess which setting explains a parameter count that is off."""
    for index, layer in enumerate(layers, start=1):
        name = type(layer).__name__
        where = f"layer {index} ({name})"
        if name == "GRU":
            delta = 3 * layer.units
            if not layer.reset_after and got + delta == want:
                return (
                    f"{where} has reset_after=False: Keras's default, reset_after=True, "
                    f"adds a second bias vector ({delta:,} more parameters)"
                )
            if layer.reset_after and got - delta == want:
                return (
                    f"{where} has reset_after=True (the default), which adds a second bias "
                    f"vector: the exercise wants reset_after=False"
                )
        if name in _RECURRENT and getattr(layer, "built", False):
            own = layer.count_params()
            d = layer.cell.kernel.shape[0]
            for other, k in _RECURRENT.items():
                other_count = k * layer.units * (d + layer.units + (2 if other == "GRU" else 1))
                if other != name and got - own + other_count == want:
                    return f"{where} would give the expected count as a {other}"
        if getattr(layer, "use_bias", True) is False:
            return f"{where} has use_bias=False: the exercise counts its biases"
    return "check the units of each layer"


def build_model(
    model_or_fn, *, input_shape, layers, output_shape, params=None, seed=0, time_limit=5.0
):
    """Check a Keras model from a learner's exercise: its layers, shapes and parameter count.

    Accepts the model itself or a function of no arguments that builds and
    returns it. A model built without ``keras.Input`` is built for
    ``input_shape``. The sub-checks: the model takes inputs of
    ``input_shape``; its layers have the classes of ``layers``, in order
    (``InputLayer`` aside), and the settings given there; its output shape;
    and, if ``params`` is given, its ``count_params()``. A wrong count gets a
    guess at its cause, e.g. "a GRU with reset_after=False?".

    Args:
        model_or_fn: a `keras.Model`, or a zero-argument function returning one.
        input_shape: shape of one input example, without the batch axis,
            as for `keras.Input(shape=...)`, e.g. `(10, 1)`.
        layers: the expected layers, in order. Each is a class name
            (`"GRU"`), a layer class (`keras.layers.GRU`) or a pair of a name
            and a dict of settings to check in the layer's config, e.g.
            `("GRU", {"units": 64, "reset_after": False})`.
        output_shape: expected `model.output_shape`, with the batch axis
            `None`, e.g. `(None, 1)`; a shape without it is accepted too.
        params: expected `model.count_params()`, or None not to check it.
        seed: accepted for a signature like the other checks; unused.
        time_limit: seconds `model_or_fn()` may take.

    Returns:
        A `CheckResult`; truthy if every sub-check passed.

    Example:

    >>> import keras
    >>> def my_model():
    ...     return keras.Sequential(
    ...         [keras.Input(shape=(10, 1)), keras.layers.GRU(64), keras.layers.Dense(1)]
    ...     )
    >>> build_model(my_model, input_shape=(10, 1), layers=["GRU", "Dense"],
    ...             output_shape=(None, 1), params=12929).passed
    True
    """
    import keras  # lazy: only this check needs TensorFlow

    del seed  # the model is the learner's; nothing here is random
    want_layers = [_layer_spec(spec) for spec in layers]
    want_input = _full_shape(input_shape)
    want_output = _full_shape(output_shape)
    layer_names = ", ".join(name for name, _ in want_layers)
    labels = {
        "input": f"input shape {_fmt_keras_shape(want_input)}",
        "layers": f"layers {layer_names}",
        "config": "layer settings",
        "output": f"output shape {_fmt_keras_shape(want_output)}",
        "params": f"{params:,} parameters" if params is not None else None,
    }
    if not any(config for _, config in want_layers):
        del labels["config"]
    if params is None:
        del labels["params"]
    result = CheckResult("build_model", max_score=len(labels))

    model, problem = _get_model(keras, model_or_fn, time_limit)
    if problem:
        return result.add(problem, False)

    # The input: a model without keras.Input is built here, for input_shape.
    built = model.built
    input_problem = None
    if built:
        try:
            got_input = tuple(model.input_shape)
        except Exception:  # noqa: BLE001 - a subclassed model has no input_shape
            got_input = want_input
        if not _shapes_fit(got_input, want_input):
            input_problem = (
                f"the model takes inputs of shape {_fmt_keras_shape(got_input)}: "
                f"start it with `keras.Input(shape={tuple(input_shape)})`"
            )
    else:
        outcome = _call(lambda: model.build(want_input), (), time_limit)
        built = outcome.exception is None and not outcome.timed_out and model.built
        if not built:
            reason = (
                _describe_exception(outcome.exception)
                if outcome.exception is not None
                else "it could not be built"
            )
            input_problem = f"the model could not be built for these inputs: {reason}"
    result.add(labels["input"], input_problem is None, input_problem)

    got_layers = _model_layers(model)
    layers_problem = _layers_problem(got_layers, want_layers)
    result.add(labels["layers"], layers_problem is None, layers_problem)
    if "config" in labels:
        problems = _config_problems(got_layers, want_layers)
        result.add(labels["config"], not problems, "; ".join(problems))

    if not built:
        reason = "not checked, since the model could not be built"
        result.add(labels["output"], False, reason)
        if "params" in labels:
            result.add(labels["params"], False, reason)
        return result

    try:
        got_output = _output_shape(model, want_input)
        output_problem = None
        if not _shapes_fit(got_output, want_output) or len(got_output) != len(want_output):
            output_problem = f"got {_fmt_keras_shape(got_output)}"
            hint = _output_hint(got_output, want_output, want_input, got_layers)
            if hint:
                output_problem += f": {hint}"
    except Exception as err:  # noqa: BLE001
        output_problem = f"the output shape could not be computed: {_describe_exception(err)}"
    result.add(labels["output"], output_problem is None, output_problem)

    if "params" in labels:
        params_problem = None
        try:
            got_params = int(model.count_params())
        except Exception as err:  # noqa: BLE001
            params_problem = f"the parameters could not be counted: {_describe_exception(err)}"
        else:
            if got_params != params:
                hint = _param_count_hint(got_layers, got_params, params)
                params_problem = f"got {got_params:,} parameters: {hint}"
        result.add(labels["params"], params_problem is None, params_problem)
    return result
