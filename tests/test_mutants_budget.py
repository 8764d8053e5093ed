"""units_for_budget (chapter 8's fair fight): the check, its reference and plausible wrong answers.

The reference (rnnlib.params.units_for_budget) is held against Keras itself:
over a grid of kinds, input sizes and budgets, its answer u is the largest
width whose real Keras layer has ``count_params() <= budget``. Each mutant is
written here the way a learner might get the exercise wrong, never taken from
the check's own hint mutants; each must be rejected on the public cases and on
the graded ones (key=97), most with their precise hint.
"""

from __future__ import annotations

import math
import time

import pytest

import rnnlib
from rnnlib import checks
from rnnlib.params import units_for_budget as reference

BLOCKS = {"simple_rnn": 1, "gru": 3, "lstm": 4}
KERAS_LAYERS = {"simple_rnn": "SimpleRNN", "gru": "GRU", "lstm": "LSTM"}


# ==========================================================================
# The reference against Keras, and against a plain search over u.
# ==========================================================================


def keras_count(keras, kind, units, input_dim, reset_after=True):
    kwargs = {"reset_after": reset_after} if kind == "gru" else {}
    layer = getattr(keras.layers, KERAS_LAYERS[kind])(units, **kwargs)
    layer.build((None, None, input_dim))
    return layer.count_params()


VARIANTS = [("simple_rnn", True), ("lstm", True), ("gru", True), ("gru", False)]


@pytest.mark.keras
@pytest.mark.parametrize(("kind", "reset_after"), VARIANTS)
def test_reference_is_the_largest_keras_layer_within_the_budget(keras, kind, reset_after):
    for input_dim in (1, 3, 40):
        counts = {u: keras_count(keras, kind, u, input_dim, reset_after) for u in range(1, 42)}
        budgets = {0, 1, counts[1] - 1, counts[1], counts[1] + 1}
        budgets |= {counts[u] + delta for u in (7, 20, 40) for delta in (-1, 0, 1)}
        for budget in sorted(budgets):
            want = max([0] + [u for u, count in counts.items() if count <= budget])
            got = reference(kind, budget, input_dim, reset_after=reset_after)
            assert type(got) is int
            assert got == want, (kind, reset_after, input_dim, budget)


@pytest.mark.keras
def test_reference_at_thousands_of_units_matches_keras(keras):
    for kind, reset_after in VARIANTS:
        for units, input_dim in ((3000, 1), (1234, 784)):
            count = keras_count(keras, kind, units, input_dim, reset_after)
            assert reference(kind, count, input_dim, reset_after=reset_after) == units
            assert reference(kind, count - 1, input_dim, reset_after=reset_after) == units - 1


def test_reference_against_a_search_over_u():
    for kind, reset_after in VARIANTS:
        for input_dim in (1, 2, 7):
            for budget in range(0, 4000, 13):
                u = 0
                while rnnlib.param_count(kind, u + 1, input_dim, reset_after=reset_after) <= budget:
                    u += 1
                assert reference(kind, budget, input_dim, reset_after=reset_after) == u


def test_hand_derived_values():
    # simple_rnn, d = 3: u(u + 4) <= 140 gives u = 10 (140) and 139 gives 9 (117)
    assert reference("simple_rnn", 140, 3) == 10
    assert reference("simple_rnn", 139, 3) == 9
    # lstm, d = 2: 4u(u + 3) <= 3000; u = 25 gives 2800, u = 26 gives 3016
    assert reference("lstm", 3000, 2) == 25
    # gru, d = 4: 3u(u + 6) = 648 at u = 12; with reset_after=False 3u(u + 5) = 612
    assert reference("gru", 648, 4) == 12
    assert reference("gru", 648, 4, reset_after=False) == 12
    assert reference("gru", 611, 4, reset_after=False) == 11
    assert reference("lstm", 19, 3) == 0  # one unit needs 4 * (3 + 1 + 1) = 20


def test_model_level_counts_keep_the_pages_numbers():
    # chapters 8, 9b and 10: the width closest to 3,000 with a Dense readout
    pages = {("simple_rnn", 2, 1): 53, ("gru", 2, 1): 30, ("lstm", 2, 1): 26}
    pages |= {("simple_rnn", 5, 4): 50, ("gru", 5, 4): 28, ("lstm", 5, 4): 24}
    for (kind, d, n_out), units in pages.items():
        assert reference(kind, 3000, d, readout=n_out, closest=True) == units
        total = lambda u: rnnlib.param_count(kind, u, d) + u * n_out + n_out  # noqa: B023, E731
        assert units == min(range(1, 500), key=lambda u: abs(total(u) - 3000))


def test_reference_refuses_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        reference("rnn", 100, 2)
    with pytest.raises(ValueError, match="budget"):
        reference("lstm", 100.0, 2)


# ==========================================================================
# Right learner solutions.
# ==========================================================================


def closed_form(kind, budget, input_dim, reset_after=True):
    k = BLOCKS[kind]
    rows = 2 if kind == "gru" and reset_after else 1
    a = input_dim + rows
    # k u (u + a) <= budget  <=>  u^2 + a u <= budget // k  <=>  (2u + a)^2 <= a^2 + 4 (budget // k)
    return (math.isqrt(a * a + 4 * (budget // k)) - a) // 2


def float_root_checked(kind, budget, input_dim, reset_after=True):
    k = BLOCKS[kind]
    rows = 2 if kind == "gru" and reset_after else 1

    def count(u):
        return k * u * (input_dim + u + rows)

    a = input_dim + rows
    u = max(int((-a + math.sqrt(a * a + 4 * budget / k)) / 2), 0)
    while u > 0 and count(u) > budget:
        u -= 1
    while count(u + 1) <= budget:
        u += 1
    return u


def loop_up(kind, budget, input_dim, reset_after=True):
    u = 0
    while rnnlib.param_count(kind, u + 1, input_dim, reset_after=reset_after) <= budget:
        u += 1
    return u


@pytest.mark.parametrize("solution", [closed_form, float_root_checked, loop_up])
def test_right_solutions_pass(solution):
    assert checks.units_for_budget(solution).passed
    assert checks.run("units_for_budget", solution, key=97).passed
    assert checks.run("units_for_budget", solution, key=2026).passed


def test_the_check_is_fast():
    start = time.perf_counter()
    checks.units_for_budget(closed_form)
    checks.run("units_for_budget", closed_form, key=97)
    assert time.perf_counter() - start < 1.0


# ==========================================================================
# Mutants, written as a learner would.
# ==========================================================================


def _root(kind, budget, input_dim, rows=None, k=None):
    k = BLOCKS[kind] if k is None else k
    rows = (2 if kind == "gru" else 1) if rows is None else rows
    a = input_dim + rows
    return (-a + math.sqrt(a * a + 4 * budget / k)) / 2


def smallest_over(kind, budget, input_dim, reset_after=True):
    u = 1
    while rnnlib.param_count(kind, u, input_dim, reset_after=reset_after) <= budget:
        u += 1
    return u  # the first u over the budget


def strictly_less(kind, budget, input_dim, reset_after=True):
    u = 0
    while rnnlib.param_count(kind, u + 1, input_dim, reset_after=reset_after) < budget:
        u += 1
    return u


def root_ceil(kind, budget, input_dim, reset_after=True):
    rows = 2 if kind == "gru" and reset_after else 1
    return math.ceil(_root(kind, budget, input_dim, rows))


def root_round(kind, budget, input_dim, reset_after=True):
    rows = 2 if kind == "gru" and reset_after else 1
    return round(_root(kind, budget, input_dim, rows))


def root_float(kind, budget, input_dim, reset_after=True):
    rows = 2 if kind == "gru" and reset_after else 1
    return math.floor(_root(kind, budget, input_dim, rows)) * 1.0


def numpy_floor(kind, budget, input_dim, reset_after=True):
    import numpy as np

    rows = 2 if kind == "gru" and reset_after else 1
    return np.floor(_root(kind, budget, input_dim, rows))  # a numpy float, not an int


def gru_one_bias_row(kind, budget, input_dim, reset_after=True):
    return math.floor(_root(kind, budget, input_dim, rows=1))


def ignores_reset_after(kind, budget, input_dim, reset_after=True):
    return math.floor(_root(kind, budget, input_dim))


def lstm_three_blocks(kind, budget, input_dim, reset_after=True):
    k = {"simple_rnn": 1, "gru": 3, "lstm": 3}[kind]
    rows = 2 if kind == "gru" and reset_after else 1
    return math.floor(_root(kind, budget, input_dim, rows, k=k))


def simple_rnn_no_bias(kind, budget, input_dim, reset_after=True):
    rows = {"simple_rnn": 0, "lstm": 1, "gru": 2 if reset_after else 1}[kind]
    return math.floor(_root(kind, budget, input_dim, rows))


def kernel_only(kind, budget, input_dim, reset_after=True):
    return budget // (BLOCKS[kind] * input_dim)


def one_if_nothing_fits(kind, budget, input_dim, reset_after=True):
    return max(1, closed_form(kind, budget, input_dim, reset_after))


def square_recurrent_kernel(kind, budget, input_dim, reset_after=True):
    k = BLOCKS[kind]
    rows = 2 if kind == "gru" and reset_after else 1
    u = 0
    while k * (u + 1) * (input_dim + rows) + (u + 1) ** 2 <= budget:
        u += 1
    return u


def no_gate_factor(kind, budget, input_dim, reset_after=True):
    rows = 2 if kind == "gru" and reset_after else 1
    return math.floor(_root(kind, budget, input_dim, rows, k=1))


MUTANTS = [
    ("smallest u over the budget", smallest_over, "one unit too many"),
    ("< instead of <=", strictly_less, "compare with <=, not <"),
    ("root rounded up", root_ceil, "rounded up (math.ceil, or round"),
    ("root rounded to nearest", root_round, "or round to the nearest integer"),
    ("returns a float", root_float, "return an int"),
    ("returns a numpy float", numpy_floor, "return an int"),
    ("GRU with one bias row", gru_one_bias_row, "the GRU is counted with one bias row"),
    ("ignores reset_after", ignores_reset_after, "reset_after is ignored"),
    ("LSTM with 3 blocks", lstm_three_blocks, "the LSTM is counted with 3 blocks"),
    ("SimpleRNN without bias", simple_rnn_no_bias, "the SimpleRNN's bias is left out"),
    ("only the kernel", kernel_only, "only the kernel is counted"),
    ("1 when nothing fits", one_if_nothing_fits, "return 0 (no layer fits)"),
    ("recurrent kernel (u, u)", square_recurrent_kernel, "counted as (u, u)"),
    ("no factor k", no_gate_factor, "every kind is counted with one block"),
]


@pytest.mark.parametrize(("name", "mutant", "hint"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_mutant_is_rejected_with_its_hint(name, mutant, hint):
    public = checks.units_for_budget(mutant)
    assert not public.passed, f"{name} passed:\n{public}"
    assert hint in str(public), f"expected {hint!r} in:\n{public}"
    graded = checks.run("units_for_budget", mutant, key=97)
    assert not graded.passed, f"{name} passed the graded cases:\n{graded}"


# ==========================================================================
# Shortcuts and bad learner code.
# ==========================================================================


def test_calling_the_reference_scores_zero():
    def shortcut(kind, budget, input_dim, reset_after=True):
        return rnnlib.params.units_for_budget(kind, budget, input_dim, reset_after=reset_after)

    result = checks.units_for_budget(shortcut)
    assert result.score == 0 and "rnnlib's own reference" in str(result)


def test_bad_code_gets_a_kind_message():
    def stub(kind, budget, input_dim, reset_after=True):
        raise NotImplementedError

    def returns_none(kind, budget, input_dim, reset_after=True):
        u = 0  # noqa: F841 - the return is forgotten

    def raises(kind, budget, input_dim, reset_after=True):
        return {"simple_rnn": 1, "lstm": 4}[kind] * budget // input_dim

    def three_args(kind, budget, input_dim):
        return closed_form(kind, budget, input_dim)

    def as_list(kind, budget, input_dim, reset_after=True):
        return [closed_form(kind, budget, input_dim, reset_after)]

    assert "not written yet" in str(checks.units_for_budget(stub))
    assert "returned None" in str(checks.units_for_budget(returns_none))
    text = str(checks.units_for_budget(raises))
    assert "raised KeyError" in text and '"simple_rnn", "lstm" and "gru"' in text
    assert "must take the arguments" in str(checks.units_for_budget(three_args))
    assert "returned a list, not an int" in str(checks.units_for_budget(as_list))
    for fn in (stub, returns_none, raises, three_args, as_list, None):
        assert checks.units_for_budget(fn).score == 0
