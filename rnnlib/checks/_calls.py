"""Calling the learner's code safely: a time limit, caught exceptions told from the
learner's own frames, copies of the inputs, and traps for calls into rnnlib's reference."""

from __future__ import annotations

import contextlib
import dis
import functools
import os
import re
import signal
import sys
import sysconfig
import threading
import time
import traceback
import warnings
from dataclasses import dataclass

import numpy as np

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
    """A deep copy of arrays, dicts of arrays and tuples or lists of those."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return type(value)(_copy(item) for item in value)
    return value


def _as_float64(value):
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.float64)
    if isinstance(value, dict):
        return {key: _as_float64(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_float64(item) for item in value]
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
    if isinstance(old, list):
        if not isinstance(new, list) or len(new) != len(old):
            return " (its length)"
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            where = _first_change(a, b)
            if where is not None:
                return f"[{index}]{where}"
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
        if isinstance(old, dict | list):
            return (
                f"your function changed {name}{where} in place: read the arrays from "
                f"{name} without assigning to it, and compute new arrays instead"
            )
        return (
            f"your function changed {name} in place (with `+=`, `*=` or "
            f"`{name}[...] = ...`?): compute a new array instead"
        )
    return None


def _a_type(value) -> str:
    """``"a list"``, ``"an ndarray"``: the type of ``value`` with its article."""
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


# ==========================================================================
# Shortcuts: calls into rnnlib's own reference while the learner's code runs.
# ==========================================================================

_RNNLIB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# file (relative to rnnlib/) -> the functions in it that count as a reference; None: all of them
_REFERENCE_CODE = {
    "cells.py": None,
    "data.py": {"make_windows"},
    "params.py": {"units_for_budget"},
    "text.py": None,  # sampling and bits per character (chapter 12's exercise)
    "scan.py": None,  # linear recurrences in closed form and in log space (chapter 13's)
    "optim.py": None,  # clipping by global norm (chapter 3b's exercise)
    "gates.py": None,  # a GRU's gates over a sequence (chapter 6's exercise)
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
