"""Log-space minGRU (chapter 13's exercise): the reference against the loop, wrong answers rejected.

The oracle is the sequential loop ``h_t = (1 - z_t) * h_{t-1} + z_t * hh_t``
written here in float64, and a one-step value worked by hand. Each mutant is
written the way a learner might get the closed form in log space wrong; none is
built from the check's own mutants.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from rnnlib import checks, scan
from rnnlib.checks.specs import mingru

NAME = "mingru_log_space"


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def phi(v):
    return np.where(v >= 0, v + 0.5, sigmoid(v))


def log_phi(v):
    return np.where(v >= 0, np.log(np.maximum(v, 0) + 0.5), -np.logaddexp(0, -v))


def loop(x, h0, W_x, b):
    """The oracle: minGRU one step after another, no logarithms."""
    u = h0.shape[1]
    pre = x @ W_x + b
    z, hh = sigmoid(pre[..., :u]), phi(pre[..., u:])
    h, hs = h0.astype(np.float64), np.empty(z.shape)
    for t in range(x.shape[1]):
        h = (1 - z[:, t]) * h + z[:, t] * hh[:, t]
        hs[:, t] = h
    return hs


def solve(log_alpha, log_beta, h0, *, lse_axis=1, A_axis=1):
    log_A = np.cumsum(log_alpha, axis=A_axis)
    with np.errstate(divide="ignore"):
        log_h0 = np.log(h0)
    terms = np.concatenate([log_h0[:, None, :], log_beta - log_A], axis=1)
    return np.exp(log_A + np.logaddexp.accumulate(terms, axis=lse_axis)[:, 1:])


def pieces(x, h0, W_x, b):
    u = h0.shape[1]
    pre = x @ W_x + b
    return pre[..., :u], pre[..., u:]


def good(x, h0, W_x, b):
    v_z, v_h = pieces(x, h0, W_x, b)
    log_alpha = -np.logaddexp(0, v_z)
    log_beta = -np.logaddexp(0, -v_z) + log_phi(v_h)
    return solve(log_alpha, log_beta, h0)


def good_split(x, h0, W_x, b):
    """Another right answer: np.split, h0 handled by adding its decayed term in logs."""
    W_z, W_h = np.split(W_x, 2, axis=1)
    b_z, b_h = np.split(b, 2)
    v_z, v_h = x @ W_z + b_z, x @ W_h + b_h
    log_A = np.cumsum(-np.logaddexp(0, v_z), axis=1)
    log_sum = np.logaddexp.accumulate(-np.logaddexp(0, -v_z) + log_phi(v_h) - log_A, axis=1)
    with np.errstate(divide="ignore"):
        log_h = np.logaddexp(log_A + log_sum, log_A + np.log(h0)[:, None])
    return np.exp(log_h)


def calls_rnnlib(x, h0, W_x, b):
    log_a, log_b = scan.mingru_log_coefficients(x, W_x, b)
    return scan.scan_log_space(log_a, log_b, np.log(h0))


# --------------------------------------------------------------------------
# Wrong answers, each as a learner might write it.
# --------------------------------------------------------------------------


def plain_closed_form(x, h0, W_x, b):
    v_z, v_h = pieces(x, h0, W_x, b)
    z, hh = sigmoid(v_z), phi(v_h)
    A = np.cumprod(1 - z, axis=1)
    return A * (h0[:, None] + np.cumsum(z * hh / A, axis=1))


def log_of_z(x, h0, W_x, b):
    v_z, v_h = pieces(x, h0, W_x, b)
    log_z = -np.logaddexp(0, -v_z)
    return solve(log_z, log_z + log_phi(v_h), h0)


def keras_convention(x, h0, W_x, b):
    v_z, v_h = pieces(x, h0, W_x, b)
    return solve(-np.logaddexp(0, -v_z), -np.logaddexp(0, v_z) + log_phi(v_h), h0)


def default_axis(x, h0, W_x, b):
    v_z, v_h = pieces(x, h0, W_x, b)
    log_alpha = -np.logaddexp(0, v_z)
    log_beta = -np.logaddexp(0, -v_z) + log_phi(v_h)
    log_A = np.cumsum(log_alpha, axis=1)
    with np.errstate(divide="ignore"):
        terms = np.concatenate([np.log(h0)[:, None], log_beta - log_A], axis=1)
    return np.exp(log_A + np.logaddexp.accumulate(terms)[:, 1:])  # axis=0, the batch


def units_axis(x, h0, W_x, b):
    v_z, v_h = pieces(x, h0, W_x, b)
    return solve(-np.logaddexp(0, v_z), -np.logaddexp(0, -v_z) + log_phi(v_h), h0, lse_axis=-1)


def cumsum_off_by_one(x, h0, W_x, b):
    v_z, v_h = pieces(x, h0, W_x, b)
    log_alpha = -np.logaddexp(0, v_z)
    log_A = np.cumsum(log_alpha, axis=1) - log_alpha  # stops at t - 1
    with np.errstate(divide="ignore"):
        terms = np.concatenate(
            [np.log(h0)[:, None], -np.logaddexp(0, -v_z) + log_phi(v_h) - log_A], 1
        )
    return np.exp(log_A + np.logaddexp.accumulate(terms, axis=1)[:, 1:])


def h0_dropped(x, h0, W_x, b):
    v_z, v_h = pieces(x, h0, W_x, b)
    return solve(-np.logaddexp(0, v_z), -np.logaddexp(0, -v_z) + log_phi(v_h), np.zeros_like(h0))


def h0_not_decayed(x, h0, W_x, b):
    return h0_dropped(x, h0, W_x, b) + h0[:, None]


def sigmoid_candidate(x, h0, W_x, b):
    v_z, v_h = pieces(x, h0, W_x, b)
    return solve(-np.logaddexp(0, v_z), -np.logaddexp(0, -v_z) - np.logaddexp(0, -v_h), h0)


def linear_candidate(x, h0, W_x, b):
    v_z, v_h = pieces(x, h0, W_x, b)
    return solve(-np.logaddexp(0, v_z), -np.logaddexp(0, -v_z) + np.log(v_h), h0)


def time_reversed(x, h0, W_x, b):
    return good(x[:, ::-1], h0, W_x, b)[:, ::-1]


def one_step_late(x, h0, W_x, b):
    hs = good(x, h0, W_x, b)
    return np.concatenate([h0[:, None], hs[:, :-1]], axis=1)


def naive_log_gate(x, h0, W_x, b):
    v_z, v_h = pieces(x, h0, W_x, b)
    z = sigmoid(v_z)
    return solve(np.log(1 - z), np.log(z) + np.log(phi(v_h)), h0)


def no_log_beta_gate(x, h0, W_x, b):
    v_z, v_h = pieces(x, h0, W_x, b)
    return solve(-np.logaddexp(0, v_z), log_phi(v_h), h0)


MUTANTS = [
    # (id, function, precise hint or None)
    ("plain closed form (cumprod and division)", plain_closed_form,
     "the closed form without logs overflows"),
    ("log z_t for log alpha_t", log_of_z, "log alpha_t is log z_t"),
    ("Keras's convention for z_t", keras_convention, "use Keras's convention"),
    ("logaddexp.accumulate over the default axis 0", default_axis,
     "runs over the batch axis"),
    ("logaddexp.accumulate over the units axis", units_axis, "runs over the units axis"),
    ("cumsum off by one", cumsum_off_by_one, "log A is one step short"),
    ("h0 dropped", h0_dropped, "h0 is ignored"),
    ("h0 added without decay", h0_not_decayed, "h0 is added without decaying"),
    ("sigmoid candidate", sigmoid_candidate, "the candidate is sigmoid for every v"),
    ("linear candidate, log of a negative", linear_candidate, "a log of a negative number"),
    ("time reversed", time_reversed, "the recurrence runs from the last step to the first"),
    ("states one step late", one_step_late, "the states are one step late"),
    ("np.log(1 - sigmoid(v))", naive_log_gate, "1 - z_t rounds to 0"),
    ("beta_t without the gate", no_log_beta_gate, "beta_t has no gate"),
]  # fmt: skip


def run_quietly(fn, **kwargs):
    with np.errstate(all="ignore"):
        return checks.run(NAME, fn, **kwargs)


# --------------------------------------------------------------------------
# The reference against the oracle.
# --------------------------------------------------------------------------


@pytest.mark.parametrize("hidden", [False, True])
def test_reference_agrees_with_the_loop_on_every_case(hidden):
    rng = np.random.default_rng(5)
    for label, args in mingru.MINGRU_LOG_SPACE.cases(rng, hidden):
        args64 = [np.asarray(a, dtype=np.float64) for a in args]
        want = loop(*args64)
        got = mingru._ref(*args64)
        assert np.abs(got - want).max() < 1e-10 * max(1.0, np.abs(want).max()), label


def test_one_step_by_hand():
    # x = 0, so the pre-activations are the bias: z = sigmoid(0) = 1/2, hh = phi(1) = 1.5
    x, h0 = np.zeros((1, 1, 2)), np.array([[2.0]])
    W_x, b = np.ones((2, 2)), np.array([0.0, 1.0])
    assert mingru._ref(x, h0, W_x, b)[0, 0, 0] == pytest.approx(0.5 * 2.0 + 0.5 * 1.5, abs=1e-15)


def test_t1000_case_breaks_the_plain_closed_form_and_not_the_log_space_one():
    cases = dict(mingru.MINGRU_LOG_SPACE.cases(np.random.default_rng(0), False))
    args = cases["T = 1,000, where the closed form without logs overflows"]
    assert args[0].shape[1] == 1000
    with np.errstate(all="ignore"):
        assert not np.isfinite(plain_closed_form(*args)).all()
    assert np.abs(good(*args) - loop(*args)).max() < 1e-10


# --------------------------------------------------------------------------
# Right answers, shortcuts and bad code.
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [good, good_split, loop], ids=["log space", "split", "loop"])
def test_right_answers_pass_public_and_graded_cases(fn):
    assert run_quietly(fn).passed
    assert run_quietly(fn, key=97).passed


def test_check_is_fast_on_a_right_answer():
    start = time.perf_counter()
    result = checks.mingru_log_space(good)
    assert result.passed and time.perf_counter() - start < 1.0


def test_calling_rnnlib_scores_zero():
    result = run_quietly(calls_rnnlib)
    assert result.score == 0 and "rnnlib's own reference" in str(result)


def test_bad_code_gets_a_kind_message():
    def stub(x, h0, W_x, b): ...

    def returns_none(x, h0, W_x, b):
        hs = None  # unfinished
        return hs

    def raises(x, h0, W_x, b):
        return x @ W_x.T

    def in_place(x, h0, W_x, b):
        hs = good(x, h0, W_x, b)
        h0 *= 2
        return hs

    assert "not written yet" in str(checks.mingru_log_space(stub))
    assert "returned None" in str(checks.mingru_log_space(returns_none))
    assert "raised ValueError" in str(checks.mingru_log_space(raises))
    result = checks.mingru_log_space(in_place)
    assert not result.passed and "changed h0 in place" in str(result)
    assert checks.mingru_log_space(None).score == 0


# --------------------------------------------------------------------------
# Wrong answers.
# --------------------------------------------------------------------------


@pytest.mark.parametrize("mutant_id, fn, hint", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_mutant_is_rejected_with_its_hint(mutant_id, fn, hint):
    result = run_quietly(fn)
    assert not result.passed, f"{mutant_id} was accepted:\n{result}"
    if hint is not None:
        assert hint in str(result), f"expected {hint!r} in:\n{result}"
    graded = run_quietly(fn, key=97)
    assert not graded.passed, f"{mutant_id} was accepted on the graded cases:\n{graded}"


def test_enough_mutants_with_hints():
    assert len(MUTANTS) >= 8
    assert sum(hint is not None for _, _, hint in MUTANTS) >= 0.75 * len(MUTANTS)


@pytest.mark.keras
def test_reference_agrees_with_a_keras_rnn_of_mingru_cells(float64):
    """A second oracle: Keras's own RNN loop over a minGRU cell, in float64, T = 1,000."""
    keras = float64
    ops = keras.ops

    class MinGRUCell(keras.layers.Layer):
        def __init__(self, W_x, b, **kwargs):
            super().__init__(**kwargs)
            self.W_x, self.b, self.units = W_x, b, W_x.shape[1] // 2
            self.state_size = self.units

        def call(self, x_t, states):
            pre = ops.matmul(x_t, self.W_x) + self.b
            z_t, v = ops.sigmoid(pre[:, : self.units]), pre[:, self.units :]
            hh_t = ops.where(v >= 0, v + 0.5, ops.sigmoid(v))
            h_t = (1 - z_t) * states[0] + z_t * hh_t
            return h_t, [h_t]

    cases = dict(mingru.MINGRU_LOG_SPACE.cases(np.random.default_rng(1), False))
    x, h0, W_x, b = cases["T = 1,000, where the closed form without logs overflows"]
    layer = keras.layers.RNN(MinGRUCell(W_x, b), return_sequences=True)
    want = ops.convert_to_numpy(layer(x, initial_state=[h0]))
    assert want.shape == x.shape[:2] + (h0.shape[1],)
    assert np.abs(mingru._ref(x, h0, W_x, b) - want).max() < 1e-10
