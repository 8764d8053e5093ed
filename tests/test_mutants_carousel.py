"""cell_state_jacobian (ex04b): the reference against Keras's tape and finite differences,
a learner's right answer, wrong answers written as a learner would, and bad code.

The learner here propagates the two Jacobians dh_t/dc0 and dc_t/dc0 forward in
time, example by example with ``np.diag`` (the spec's reference multiplies
block matrices of the state pair instead); its keyword switches are the
mistakes. Each wrong answer must be rejected on the public cases and on graded
cases (``key=97``), most with the precise hint.
"""

import numpy as np
import pytest

from rnnlib import cells, checks
from rnnlib.checks.specs import carousel

NAME = "cell_state_jacobian"


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def learner(
    x,
    h0,
    c0,
    params,
    *,
    through_h=True,
    transpose=True,
    tanh_slope=True,
    slope_at_c_prev=False,
    f_in_dh_dc=True,
    forget_term=True,
    forget_with_c_t=False,
    input_term=True,
    candidate_term=True,
    output_term=True,
    layout="numerator",
    reverse=False,
):
    """A learner's dc_T/dc0; the keyword switches are their mistakes."""
    u = c0.shape[1]
    W_x, W_h, b = params["kernel"], params["recurrent_kernel"], params["bias"]
    T = (lambda M: M.T) if transpose else (lambda M: M)
    W_h_i, W_h_f, W_h_c, W_h_o = (T(W_h[:, k * u : (k + 1) * u]) for k in range(4))
    out = []
    for n in range(x.shape[0]):
        h, c = h0[n], c0[n]
        dh, dc = np.zeros((u, u)), np.eye(u)  # dh_t/dc0 and dc_t/dc0
        steps = []
        for t in range(x.shape[1]):
            a = x[n, t] @ W_x + h @ W_h + b
            i, f = sigmoid(a[:u]), sigmoid(a[u : 2 * u])
            g, o = np.tanh(a[2 * u : 3 * u]), sigmoid(a[3 * u :])
            c_t = f * c + i * g
            slope = 1 - np.tanh(c if slope_at_c_prev else c_t) ** 2 if tanh_slope else np.ones(u)
            dc_dh = np.zeros((u, u))
            if forget_term:
                dc_dh += np.diag((c_t if forget_with_c_t else c) * f * (1 - f)) @ W_h_f
            if input_term:
                dc_dh += np.diag(g * i * (1 - i)) @ W_h_i
            if candidate_term:
                dc_dh += np.diag(i * (1 - g**2)) @ W_h_c
            if not through_h:
                dc_dh = np.zeros((u, u))
            dh_dc = np.diag(o * slope) @ (np.diag(f) if f_in_dh_dc else np.eye(u))
            dh_dh = np.diag(o * slope) @ dc_dh
            if output_term:
                dh_dh = dh_dh + np.diag(np.tanh(c_t) * o * (1 - o)) @ W_h_o
            if not through_h:
                dh_dh, dh_dc = np.zeros((u, u)), np.zeros((u, u))
            steps.append(np.block([[dh_dh, dh_dc], [dc_dh, np.diag(f)]]))
            dh, dc = dh_dh @ dh + dh_dc @ dc, dc_dh @ dh + np.diag(f) @ dc
            h, c = o * np.tanh(c_t), c_t
        if reverse:  # the steps' Jacobians chained first to last
            total = np.eye(2 * u)
            for M in steps:
                total = total @ M
            dc = total[u:, u:]
        out.append(dc.T if layout == "denominator" else dc)
    return np.array(out)


def right(x, h0, c0, params):
    return learner(x, h0, c0, params)


# ==========================================================================
# The reference against independent oracles.
# ==========================================================================


def _params(rng, d, u):
    return {
        "kernel": rng.normal(scale=0.5, size=(d, 4 * u)),
        "recurrent_kernel": rng.normal(scale=0.5, size=(u, 4 * u)),
        "bias": rng.normal(scale=0.5, size=4 * u),
    }


def test_reference_matches_finite_differences():
    rng = np.random.default_rng(7)
    p = _params(rng, 3, 4)
    x, h0 = rng.normal(size=(3, 6, 3)), rng.uniform(-0.9, 0.9, size=(3, 4))
    c0, eps = rng.normal(size=(3, 4)), 1e-6

    def c_T(c):
        return cells.forward("lstm", x, p, initial_state=(h0, c))[1][:, -1]

    numeric = np.stack([(c_T(c0 + eps * e) - c_T(c0 - eps * e)) / (2 * eps) for e in np.eye(4)], -1)
    assert np.abs(carousel._ref(x, h0, c0, p) - numeric).max() < 1e-8


@pytest.mark.keras
def test_reference_matches_keras_batch_jacobian(keras):
    import tensorflow as tf

    rng = np.random.default_rng(8)
    d, u = 2, 5
    p = _params(rng, d, u)
    cell = keras.layers.LSTMCell(u, dtype="float64")
    cell.build((None, d))
    cell.set_weights([p["kernel"], p["recurrent_kernel"], p["bias"]])
    x, h0 = rng.normal(size=(4, 5, d)), rng.uniform(-0.9, 0.9, size=(4, u))
    c0 = tf.Variable(rng.normal(size=(4, u)))
    with tf.GradientTape() as tape:
        state = [tf.constant(h0), c0]
        for t in range(x.shape[1]):
            _, state = cell(tf.constant(x[:, t]), state)
    keras_J = tape.batch_jacobian(state[1], c0).numpy()  # [b, i, j] = dc_T[b, i] / dc0[b, j]
    assert np.abs(carousel._ref(x, h0, c0.numpy(), p) - keras_J).max() < 1e-12
    assert np.abs(right(x, h0, c0.numpy(), p) - keras_J).max() < 1e-12


def test_without_recurrent_weights_it_is_the_carousel():
    """W_h = 0: the product of the forget gates, the direct path of page 04b."""
    rng = np.random.default_rng(9)
    p = _params(rng, 2, 3)
    p["recurrent_kernel"][:] = 0
    x = rng.normal(size=(2, 4, 2))
    h0, c0 = rng.uniform(-0.9, 0.9, size=(2, 3)), rng.normal(size=(2, 3))
    f = sigmoid(x @ p["kernel"][:, 3:6] + p["bias"][3:6])  # (batch, time, units)
    want = np.stack([np.diag(v) for v in f.prod(axis=1)])
    assert np.abs(carousel._ref(x, h0, c0, p) - want).max() < 1e-14


# ==========================================================================
# The right answer, the shortcut and bad code.
# ==========================================================================


def test_right_answer_passes_public_and_graded_cases():
    assert checks.cell_state_jacobian(right).passed
    for key in (97, 2026):
        result = checks.run(NAME, right, key=key)
        assert result.passed, str(result)
        assert result.max_score == 7


def test_one_check_is_fast():
    import time

    checks.cell_state_jacobian(right)
    start = time.perf_counter()
    checks.cell_state_jacobian(right)
    assert time.perf_counter() - start < 1.0


def test_calling_the_reference_scores_zero():
    def shortcut(x, h0, c0, params):
        return carousel._ref(x, h0, c0, params)

    result = checks.cell_state_jacobian(shortcut)
    assert result.score == 0
    assert "earns no marks" in str(result)


def test_finite_differences_through_rnnlib_score_zero():
    def numeric(x, h0, c0, params):
        u, eps = c0.shape[1], 1e-6

        def c_T(c):
            return cells.forward("lstm", x, params, initial_state=(h0, c))[1][:, -1]

        return np.stack(
            [(c_T(c0 + eps * e) - c_T(c0 - eps * e)) / (2 * eps) for e in np.eye(u)], -1
        )

    result = checks.cell_state_jacobian(numeric)
    assert result.score == 0
    assert "rnnlib.forward" in str(result)


@pytest.mark.parametrize(
    ("fn", "says"),
    [
        (None, "cell_state_jacobian"),
        (lambda x, h0, c0, params: None, "not written yet"),
        (lambda x, h0, c0, params: ..., "placeholder"),
        (lambda x, h0, c0, params: 1 / 0, "ZeroDivisionError"),
        (lambda x, h0, c0, params: params["W_h"], "'kernel', 'recurrent_kernel'"),
        (lambda x, h0, c0, params: [[0.0]], "not a numpy array"),
    ],
)
def test_bad_code_gets_a_kind_message(fn, says):
    result = checks.cell_state_jacobian(fn)
    assert not result.passed
    assert says in str(result), str(result)


def test_diagonal_only_gets_the_shape_hint():
    def diagonal(x, h0, c0, params):
        return np.diagonal(right(x, h0, c0, params), axis1=1, axis2=2).copy()

    assert "per example, (batch, units, units)" in str(checks.cell_state_jacobian(diagonal))


def test_in_place_change_of_c0_is_reported():
    def changes_c0(x, h0, c0, params):
        J = right(x, h0, c0, params)
        c0[:] = 0
        return J

    result = checks.cell_state_jacobian(changes_c0)
    assert not result.passed
    assert "c0" in str(result), str(result)


# ==========================================================================
# Wrong answers, each rejected, most with the precise hint.
# ==========================================================================


def if_swapped(x, h0, c0, params):
    u = c0.shape[1]
    p = {}
    for key in ("kernel", "recurrent_kernel", "bias"):
        w = np.asarray(params[key])
        p[key] = np.concatenate([w[..., u : 2 * u], w[..., :u], w[..., 2 * u :]], axis=-1)
    return learner(x, h0, c0, p)


MUTANTS = [
    ("carousel only", dict(through_h=False), "only the direct path"),
    ("denominator layout", dict(layout="denominator"), "denominator layout"),
    ("steps chained first to last", dict(reverse=True), "multiplied in the wrong order"),
    ("no tanh derivative", dict(tanh_slope=False), "the tanh derivative of h_t"),
    ("tanh derivative at c_prev", dict(slope_at_c_prev=True), "the tanh derivative uses c_prev"),
    ("dh/dc without f", dict(f_in_dh_dc=False), "dh_t/dc_prev misses the forget gate"),
    ("no forget-gate path", dict(forget_term=False), "the path through the forget gate"),
    ("forget path with c_t", dict(forget_with_c_t=True), "the forget gate's path uses c_t"),
    ("no input-gate path", dict(input_term=False), "the path through the input gate"),
    ("no candidate path", dict(candidate_term=False), "the path through the candidate g_t"),
    ("no output-gate path", dict(output_term=False), "the path through the output gate"),
    ("W_h untransposed", dict(transpose=False), "the W_h blocks are not transposed"),
]


@pytest.mark.parametrize(("mutant_id", "switches", "hint"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_mutant_is_rejected_with_its_hint(mutant_id, switches, hint):
    def wrong(x, h0, c0, params):
        return learner(x, h0, c0, params, **switches)

    for result in (checks.cell_state_jacobian(wrong), checks.run(NAME, wrong, key=97)):
        text = str(result)
        assert not result.passed and result.score < result.max_score, text
        if hint is not None:
            assert hint in text, text


def test_gate_order_mistake_is_named():
    for result in (checks.cell_state_jacobian(if_swapped), checks.run(NAME, if_swapped, key=97)):
        assert not result.passed
        assert "the i and f gate blocks are swapped" in str(result), str(result)
