"""Comparing an answer with the reference: one array, or a tuple or dict of them, with
the likely mistake named by a known mutant or by shape and value heuristics."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rnnlib.checks._calls import (
    _a_type,
    _copy,
)

# ==========================================================================
# Comparing an answer with the reference.
# ==========================================================================


_TOLERANCES = {"float64": (1e-9, 1e-11), "float32": (1e-4, 1e-5)}


def _tolerance(args) -> tuple[float, float]:
    """(rtol, atol) for the lowest float precision among the inputs."""
    dtypes = []

    def collect(value):
        if isinstance(value, dict | list | tuple):
            for item in value.values() if isinstance(value, dict) else value:
                collect(item)
        elif isinstance(value, np.ndarray) and value.dtype.kind == "f":
            dtypes.append(value.dtype)

    collect(args)
    low = any(d.itemsize < 8 for d in dtypes)
    return _TOLERANCES["float32" if low else "float64"]


def _close(got, want, tol) -> bool:
    """Same shape and equal up to ``tol``; never raises."""
    try:
        got = np.asarray(got, dtype=np.float64)
        return got.shape == want.shape and bool(np.allclose(got, want, rtol=tol[0], atol=tol[1]))
    except (TypeError, ValueError):
        return False


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


def _is_number(value) -> bool:
    """A single int or float (a reference answer such as a count of units), not a bool."""
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _same_number(got, want, tol) -> bool:
    """``got`` equals the number ``want``: exactly for an int, up to ``tol`` for a float."""
    if not _is_number(got) or not _is_number(want):
        return False
    if isinstance(want, int | np.integer):
        return got == want
    return bool(np.isclose(float(got), float(want), rtol=tol[0], atol=tol[1]))


def _number_problem(got, want, tol, name: str) -> _Problem | None:
    """Compare a single number with the reference's; None if it is right.

    An int answer (a count) must be an int and exactly right; a float answer
    may be a float, a numpy float or a 0-d array, right up to ``tol``.
    """
    exact = isinstance(want, int | np.integer)
    kind = "an int" if exact else "a number"
    if got is None:
        return _Problem(f"returned None: did you forget `return {name}`?", False)
    if got is Ellipsis:
        return _Problem("returned `...`: replace the `...` placeholder with your code", False)
    if not exact and isinstance(got, np.ndarray) and got.shape == () and got.dtype.kind in "iuf":
        got = got.item()
    if isinstance(got, bool | np.bool_):
        return _Problem(f"returned a bool ({got}): return {kind}", False)
    if not _is_number(got):
        shape = f" of shape {_fmt_shape(got.shape)}" if isinstance(got, np.ndarray) else ""
        return _Problem(f"returned {_a_type(got)}{shape}, not {kind}: return {kind}", False)
    if isinstance(got, float | np.floating) and not np.isfinite(got):
        return _Problem(f"returned {got}: an overflow or a division by zero?", False)
    if exact and not isinstance(got, int | np.integer):
        if got == want:
            return _Problem(
                f"returned the right value as a float ({got!r}): return an int, e.g. `int(...)`",
                False,
            )
        return _Problem(f"returned the float {got!r}, expected the int {want}", True, True)
    if _same_number(got, want, tol):
        return None
    expected, found = (str(want), str(got)) if exact else _fmt_pair(want, got)
    return _Problem(f"{name} is wrong: expected {expected}, got {found}", True, True)


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
    if got.dtype.kind in "iu" and want.dtype.kind == "f":  # ids, counts: integers are right
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
    extra = [k for k in got if k not in want] if spec.strict_keys else []
    if extra:
        return (
            f"the dict has a key {extra[0]!r} that is not asked for: "
            f"return only the keys {quoted}"
        )
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
    if _is_number(want):  # a single number: a count, a loss
        problem = _number_problem(got, want, case.tol, spec.returns)
        if problem is None:
            return None
        if not problem.comparable:  # NaN, an array...: a spec's `explain` may still say why
            return _with_hint(_first(spec.explain, got, case), problem)
        hint = _mutant_hint(got, case, _same_number) or _first(
            spec.heuristics, got, want, case, spec.returns
        )
        return _with_hint(hint, problem)
    if not isinstance(want, tuple | Mapping):
        problem = _array_problem(got, want, case.tol, spec.returns)
        if problem is None:
            return None
        if not problem.comparable:  # None, a list, NaN...: a spec's `explain` may still say why
            return _with_hint(_first(spec.explain, got, case), problem)
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
