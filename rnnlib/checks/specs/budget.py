"""Spec of the parameter-budget exercise: units_for_budget, the inverse of the parameter count.

The answer is an int: the largest number of units u whose Keras layer has at
most ``budget`` parameters (``count_params() <= budget``), 0 if not even one
unit fits. The reference is :func:`rnnlib.params.units_for_budget`, which
checks its closed form against :func:`rnnlib.param_count` (proven equal to
Keras's ``count_params()`` by tests/test_params.py).
"""

from __future__ import annotations

import math

from rnnlib import params
from rnnlib.checks._engine import Spec

GATES = {"simple_rnn": 1, "gru": 3, "lstm": 4}
KINDS = ("simple_rnn", "lstm", "gru")


def _ref(kind, budget, input_dim, reset_after=True):
    return params.units_for_budget(kind, budget, input_dim, reset_after=reset_after)


def _count(kind, u, d, reset_after, *, gates=None, biases=None, recurrent=True, square=False):
    """The layer's count with some term changed: gates k, bias rows, the recurrent kernel."""
    k = GATES[kind] if gates is None else gates
    rows = (2 if kind == "gru" and reset_after else 1) if biases is None else biases
    recurrent_part = (u * u if square else k * u * u) if recurrent else 0
    return k * u * d + recurrent_part + k * u * rows


def _largest(count, budget):
    """The largest u >= 0 with count(u) <= budget, for a count that grows with u."""
    if count(1) > budget:
        return 0
    high = 1
    while count(2 * high) <= budget:
        high *= 2
    low, high = high, 2 * high  # count(low) fits, count(high) does not
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if count(mid) <= budget else (low, mid)
    return low


def _with(**change):
    """A mutant: the largest u that fits, for a layer counted with ``change``."""

    def wrong(kind, budget, d, reset_after=True):
        return _largest(lambda u: _count(kind, u, d, reset_after, **change), budget)

    return wrong


def _for(kinds, **change):
    """A mutant that changes the count of some kinds only (``"gru"``, say)."""
    mutant = _with(**change)

    def wrong(kind, budget, d, reset_after=True):
        if kind in kinds:
            return mutant(kind, budget, d, reset_after)
        return _ref(kind, budget, d, reset_after)

    return wrong


def _root(kind, budget, d, reset_after=True):
    """The positive root of k u^2 + k (d + bias rows) u = budget, a float."""
    k, rows = GATES[kind], 2 if kind == "gru" and reset_after else 1
    a = d + rows
    return (-a + math.sqrt(a * a + 4 * budget / k)) / 2


def _strictly_below(kind, budget, d, reset_after=True):
    return _ref(kind, budget - 1, d, reset_after)


def _one_too_many(kind, budget, d, reset_after=True):
    return _ref(kind, budget, d, reset_after) + 1


def _at_least_one(kind, budget, d, reset_after=True):
    return max(_ref(kind, budget, d, reset_after), 1)


FIT = "the largest u with count_params() <= budget"
# On a tie (two mistakes give the same u on every failed case) the report names the first
# listed: the mistakes of one kind come before the off-by-ones that every kind can make.
MUTANTS = [
    ("when not even one unit fits the budget, return 0 (no layer fits), not 1",
     _at_least_one),
    ("the GRU is counted with one bias row: with reset_after=True (Keras's default) its bias "
     "has shape (2, 3u), so it has 3u(d + u + 2) parameters",
     _for({"gru"}, biases=1)),
    ("reset_after is ignored: with reset_after=False the GRU's bias has shape (3u,), one row, "
     "so it has 3u(d + u + 1) parameters", _for({"gru"}, biases=2)),
    ("the LSTM is counted with 3 blocks: it has 4 (gates i, f, o and the candidate), so "
     "4u(d + u + 1) parameters", _for({"lstm"}, gates=3)),
    ("the GRU is counted with 4 blocks: it has 3 (gates z, r and the candidate h), so "
     "3u(d + u + 2) parameters with reset_after=True", _for({"gru"}, gates=4)),
    ("the SimpleRNN's bias is left out: its bias adds u, so it has u(d + u + 1) parameters",
     _for({"simple_rnn"}, biases=0)),
    # round(root) is wrong only where math.ceil(root) is wrong too: one hint for both
    ("the root of the quadratic is rounded up (math.ceil, or round to the nearest integer): "
     "a layer with that many units is over the budget; round the root down (math.floor or "
     f"//), to {FIT}", lambda *a: math.ceil(_root(*a))),
    ("one unit too many: that is the smallest u whose layer is over the budget; return "
     f"{FIT} (one less)", _one_too_many),
    ("a layer whose count equals the budget fits: compare with <=, not <, to find "
     f"{FIT}", _strictly_below),
    ("the bias is left out: each of the k blocks has a bias of u entries (two rows for the "
     "GRU with reset_after=True), so the count is k u (d + u + 1)", _with(biases=0)),
    ("every kind is counted with one block: kernel (d, k u) and recurrent_kernel (u, k u) "
     "hold k = 1, 3, 4 blocks for the SimpleRNN, GRU and LSTM",
     _with(gates=1)),
    ("the recurrent_kernel is counted as (u, u): it is (u, k u), k blocks side by side like "
     "the kernel's", _with(square=True)),
    ("only the kernel is counted: the recurrent_kernel (u, k u) and the bias count too, "
     "so the count grows with u squared", _with(recurrent=False, biases=0)),
    ("the recurrent_kernel is left out: it is (u, k u), so the count grows with u squared",
     _with(recurrent=False)),
]  # fmt: skip


def _root_hint(got, want, case, name=None):
    """A float that is not a whole number: the root itself, not rounded."""
    if isinstance(got, float) and not float(got).is_integer():
        return (
            "the answer is not a whole number: round the root of the quadratic down, "
            f"then return {FIT} as an int"
        )
    return None


def _exception_hint(err):
    if isinstance(err, KeyError):
        return 'kind is one of "simple_rnn", "lstm" and "gru": does your code handle each?'
    return None


def _label(kind, d, budget, reset_after, what=""):
    gru = f" (reset_after={reset_after})" if kind == "gru" else ""
    feats = f"{d} feature" + ("" if d == 1 else "s")
    return f"{kind}{gru}, {feats}, budget {budget:,}{what}"


def _count_of(kind, u, d, reset_after=True):
    return params.param_count(kind, u, d, reset_after=reset_after)


def _cases(rng, hidden):
    if hidden:
        out = []
        kinds = [("simple_rnn", True), ("lstm", True), ("gru", True), ("gru", False)]
        for index, (kind, reset_after) in enumerate(kinds):
            d = int(rng.integers(1, 300))
            u = int(rng.integers(2, 3000))
            exact = _count_of(kind, u, d, reset_after)
            step = _count_of(kind, u + 1, d, reset_after) - exact
            budgets = [exact, exact - 1, exact + int(rng.integers(1, step))]
            for budget in budgets if index % 2 == 0 else budgets[1:]:
                out.append((_label(kind, d, budget, reset_after), (kind, budget, d, reset_after)))
        kind = ("simple_rnn", "lstm", "gru")[int(rng.integers(0, 3))]
        d = int(rng.integers(1, 50))
        budget = int(rng.integers(0, _count_of(kind, 1, d)))
        out.append((_label(kind, d, budget, True, ": too small"), (kind, budget, d, True)))
        return out

    def case(kind, d, budget, reset_after=True, what=""):
        return (_label(kind, d, budget, reset_after, what), (kind, budget, d, reset_after))

    rnn10, lstm16 = _count_of("simple_rnn", 10, 3), _count_of("lstm", 16, 5)
    gru12, gru12_false = _count_of("gru", 12, 4), _count_of("gru", 12, 4, reset_after=False)
    gru5000 = _count_of("gru", 5000, 2)
    return [
        case("simple_rnn", 3, rnn10, what=": exactly the count of 10 units"),
        case("simple_rnn", 3, rnn10 - 1, what=": one below it"),
        case("lstm", 5, lstm16, what=": exactly the count of 16 units"),
        case("lstm", 5, lstm16 - 1, what=": one below it"),
        case("gru", 4, gru12, what=": exactly the count of 12 units"),
        case("gru", 4, gru12 - 1, what=": one below it"),
        case("gru", 4, gru12_false, reset_after=False, what=": exactly the count of 12 units"),
        case("lstm", 2, 3000, what=": between two counts"),
        case("lstm", 3, 19, what=": too small for one unit"),
        case("simple_rnn", 1, 1000, what=": one input feature"),
        case("gru", 784, 1_000_000, what=": many input features"),
        case("lstm", 1, 100_000_000, what=": thousands of units"),
        case("gru", 2, gru5000, what=": exactly the count of 5,000 units"),
    ]


UNITS_FOR_BUDGET = Spec(
    signature="units_for_budget(kind, budget, input_dim, reset_after=True)",
    returns="u",
    reference=_ref,
    cases=_cases,
    mutants=MUTANTS,
    heuristics=(_root_hint,),
    exception_hint=_exception_hint,
    tip="count the parameters yourself (rnnlib.param_count may help) and solve for u",
    doc="""Check a learner's ``units_for_budget(kind, budget, input_dim, reset_after=True) -> u``.

    The function should return the largest number of units ``u`` (an int)
    whose Keras layer ``kind`` (``"simple_rnn"``, ``"lstm"`` or ``"gru"``)
    with ``input_dim`` input features has at most ``budget`` parameters,
    ``count_params() <= budget``; 0 if not even one unit fits. With d inputs
    and k blocks (1, 4, 3) the layer has ``k u (d + u + 1)`` parameters, and the
    GRU with ``reset_after=True`` (Keras's default) ``3u(d + u + 2)``;
    ``reset_after`` changes nothing for the other kinds. The sub-checks try each
    kind with a budget exactly equal to a layer's count and one below it, a
    budget between two counts, one too small for a single unit, one input
    feature and many, and budgets of thousands of units. Every answer must be
    exactly right, and an int.

    Example:

    >>> def my_units_for_budget(kind, budget, input_dim, reset_after=True):
    ...     u = 0
    ...     while rnnlib.param_count(kind, u + 1, input_dim, reset_after=reset_after) <= budget:
    ...         u += 1
    ...     return u
    >>> import rnnlib
    >>> units_for_budget(my_units_for_budget).passed
    True
    """,
)

SPECS = {"units_for_budget": UNITS_FOR_BUDGET}
