"""The engine of the graded checks: specs, cases, and running a check.

The engine is four small modules: ``_report.py`` (:class:`CheckResult`),
``_calls.py`` (calling the learner's code safely, and the shortcut traps),
``_compare.py`` (an answer against the reference, mutants and heuristics) and
this one. An exercise is described by a :class:`Spec` (its signature, the reference, the
cases and the known mistakes, see ``rnnlib/checks/specs/``); :func:`make_check`
turns a spec into the public check function and :func:`run_spec` runs it:

1. the learner's function is called on copies of each case's inputs, under a
   time limit, with every exception caught and described from the learner's
   own frames (``_calls._call``);
2. meanwhile a profiler watches for calls into rnnlib's own reference code: a
   function that hands the work to it scores 0 with a kind message;
3. the answer is compared with the reference, leaf by leaf for a tuple or a
   dict (``_compare._compare``); a wrong answer is explained by the first known
   mistake (a *mutant*: the reference run on changed inputs) that gives the
   same numbers, else by shape and value heuristics.
"""

from __future__ import annotations

import inspect
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from rnnlib.checks._calls import (
    _as_float64,
    _call,
    _changed_input,
    _copy,
    _describe_exception,
    _error_text,
    _learner_frame,
    _not_ready,
    _Traps,
)
from rnnlib.checks._compare import (
    _run_mutant,
    _safe_compare,
    _tolerance,
)
from rnnlib.checks._report import (
    _INPUTS_LABEL,
    CheckResult,
)

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
        strict_keys: a dict answer with a key the reference lacks fails, with
            a message naming the key (by default extra keys are ignored).
        doc: the check's docstring (what the function should do), without
            the Args and Returns sections, which are added.
        options: extra keyword arguments of the check and their defaults.
        option_docs: `{option: description}` of those, for the check's docstring.
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
    strict_keys: bool = False
    doc: str = ""
    options: dict = field(default_factory=dict)
    option_docs: dict = field(default_factory=dict)

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


def make_check(spec):
    """The public check function of ``spec``: ``check(fn, *, seed=0, time_limit=5.0, ...)``.

    Args:
        spec: the exercise's :class:`Spec`; its `doc` opens the docstring, an
            `Example:` section in it stays last, and its `option_docs` go into
            the Args section.

    Returns:
        A function of the learner's function that returns a `CheckResult`.
    """

    def check(fn, *, seed=0, time_limit=5.0, **options):
        unknown = set(options) - set(spec.options)
        if unknown:
            raise TypeError(f"{spec.name}() got an unexpected keyword argument {unknown.pop()!r}")
        return run_spec(spec, fn, seed=seed, time_limit=time_limit, **options)

    lines = "".join(f"\n        {k}: {v}" for k, v in spec.option_docs.items())
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
