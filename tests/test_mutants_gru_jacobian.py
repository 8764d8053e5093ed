"""gru_state_jacobian (ex05a): the reference against Keras's tape and finite differences,
a learner's right answer, wrong answers written as a learner would, and bad code.

Every wrong answer here is written independently of the spec's mutants, one
example at a time with ``np.diag`` as a learner following the statement might;
each must be rejected on the public cases and on graded cases (``key=97``),
most with the precise hint.
"""

import numpy as np
import pytest

from rnnlib import cells, checks
from rnnlib.checks.specs import gru_jacobian

NAME = "gru_state_jacobian"


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def learner(
    x_t,
    h_prev,
    params,
    *,
    copy="z",
    through_z=True,
    through_r=True,
    tanh_slope=True,
    transpose=True,
    b_rec_in_r=True,
    swap_variant=False,
    z_slope=True,
    layout="numerator",
    posts=False,
):
    """A learner's Jacobian, example by example; the keyword switches are their mistakes."""
    u = h_prev.shape[1]
    W_x, W_h, bias = params["kernel"], params["recurrent_kernel"], params["bias"]
    after = bool(params["reset_after"])
    b_in, b_rec = (bias[0], bias[1]) if after else (bias, np.zeros(3 * u))
    W_h_z, W_h_r, W_h_h = W_h[:, :u], W_h[:, u : 2 * u], W_h[:, 2 * u :]
    T = (lambda M: M.T) if transpose else (lambda M: M)
    out = []
    for b in range(x_t.shape[0]):
        x, h = x_t[b], h_prev[b]
        a = x @ W_x + b_in
        z = sigmoid(a[:u] + h @ W_h_z + b_rec[:u])
        r = sigmoid(a[u : 2 * u] + h @ W_h_r + b_rec[u : 2 * u])
        inner = h @ W_h_h + (b_rec[2 * u :] if b_rec_in_r else 0)
        hh = np.tanh(a[2 * u :] + (r * (h @ W_h_h + b_rec[2 * u :]) if after else (r * h) @ W_h_h))
        dz = np.diag(z * (1 - z) if z_slope else z) @ T(W_h_z)
        dr = np.diag(r * (1 - r)) @ T(W_h_r) if through_r else np.zeros((u, u))
        if after != swap_variant:
            ds = np.diag(r) @ T(W_h_h) + np.diag(inner) @ dr
        else:
            ds = T(W_h_h) @ np.diag(r) + T(W_h_h) @ np.diag(h) @ dr
        dhh = np.diag(1 - hh**2 if tanh_slope else np.ones(u)) @ ds
        J = np.diag(z if posts else 1 - z) @ dhh
        if through_z:
            J = J + np.diag(hh - h if posts else h - hh) @ dz
        if posts:
            J = J + np.diag(1 - z)
        elif copy == "z":
            J = J + np.diag(z)
        elif copy == "1 - z":
            J = J + np.diag(1 - z)
        elif copy == "1":
            J = J + np.eye(u)
        out.append(J.T if layout == "denominator" else J)
    return np.array(out)


def right(x_t, h_prev, params):
    return learner(x_t, h_prev, params)


# ==========================================================================
# The reference against independent oracles.
# ==========================================================================


def _params(rng, d, u, reset_after):
    return {
        "kernel": rng.normal(scale=0.5, size=(d, 3 * u)),
        "recurrent_kernel": rng.normal(scale=0.5, size=(u, 3 * u)),
        "bias": rng.normal(scale=0.5, size=(2, 3 * u) if reset_after else (3 * u,)),
        "reset_after": reset_after,
    }


@pytest.mark.parametrize("reset_after", [True, False])
def test_reference_matches_finite_differences(reset_after):
    rng = np.random.default_rng(5)
    p = _params(rng, 3, 4, reset_after)
    x, h = rng.normal(size=(3, 3)), rng.uniform(-0.9, 0.9, size=(3, 4))
    eps = 1e-6
    numeric = np.stack(
        [
            (cells.gru_step(x, h + eps * e, p) - cells.gru_step(x, h - eps * e, p)) / (2 * eps)
            for e in np.eye(4)
        ],
        axis=-1,
    )  # column j: the change of h_t for a change of h_prev[:, j]
    assert np.abs(gru_jacobian._ref(x, h, p) - numeric).max() < 1e-8


@pytest.mark.keras
@pytest.mark.parametrize("reset_after", [True, False])
def test_reference_matches_keras_batch_jacobian(keras, reset_after):
    import tensorflow as tf

    rng = np.random.default_rng(6)
    d, u = 2, 5
    p = _params(rng, d, u, reset_after)
    cell = keras.layers.GRUCell(u, reset_after=reset_after, dtype="float64")
    cell.build((None, d))
    cell.set_weights([p["kernel"], p["recurrent_kernel"], p["bias"]])
    x, h = rng.normal(size=(4, d)), rng.uniform(-0.9, 0.9, size=(4, u))
    h_var = tf.Variable(h)
    with tf.GradientTape() as tape:
        h_t, _ = cell(tf.constant(x), [h_var])
    keras_J = tape.batch_jacobian(h_t, h_var).numpy()  # [b, i, j] = dh_t[b, i] / dh_prev[b, j]
    assert np.abs(gru_jacobian._ref(x, h, p) - keras_J).max() < 1e-12
    assert np.abs(right(x, h, p) - keras_J).max() < 1e-12


def test_direct_path_case_is_diag_z():
    """With recurrent_kernel = 0 the Jacobian is diag(z_t): the page's copy path alone."""
    result = checks.run(NAME, right)
    for case in gru_jacobian._cases(np.random.default_rng(0), False):
        label, (x, h, p) = case
        if "recurrent_kernel = 0" in label:
            u = h.shape[1]
            b_z = p["bias"][0][:u] + p["bias"][1][:u] if p["reset_after"] else p["bias"][:u]
            z = sigmoid(x @ p["kernel"][:, :u] + b_z)
            want = np.stack([np.diag(v) for v in z])
            assert np.abs(gru_jacobian._ref(x, h, p) - want).max() < 1e-14
    assert result.passed


# ==========================================================================
# The right answer, the shortcut and bad code.
# ==========================================================================


def test_right_answer_passes_public_and_graded_cases():
    assert checks.gru_state_jacobian(right).passed
    for key in (97, 2026):
        result = checks.run(NAME, right, key=key)
        assert result.passed, str(result)
        assert result.max_score == 11


def test_one_check_is_fast():
    import time

    checks.gru_state_jacobian(right)
    start = time.perf_counter()
    checks.gru_state_jacobian(right)
    assert time.perf_counter() - start < 1.0


def test_float64_inside_a_float32_case_passes():
    def in_float64(x_t, h_prev, params):
        p = {k: np.asarray(v, dtype=np.float64) if k != "reset_after" else v
             for k, v in params.items()}  # fmt: skip
        return right(x_t.astype(np.float64), h_prev.astype(np.float64), p)

    assert checks.gru_state_jacobian(in_float64).passed


def test_calling_the_reference_scores_zero():
    def shortcut(x_t, h_prev, params):
        return gru_jacobian._ref(x_t, h_prev, params)

    result = checks.gru_state_jacobian(shortcut)
    assert result.score == 0
    assert "earns no marks" in str(result)


def test_calling_rnnlib_gru_step_for_finite_differences_scores_zero():
    def numeric(x_t, h_prev, params):
        u, eps = h_prev.shape[1], 1e-6
        cols = [
            (cells.gru_step(x_t, h_prev + eps * e, params)
             - cells.gru_step(x_t, h_prev - eps * e, params)) / (2 * eps)
            for e in np.eye(u)
        ]  # fmt: skip
        return np.stack(cols, axis=-1)

    result = checks.gru_state_jacobian(numeric)
    assert result.score == 0
    assert "rnnlib.gru_step" in str(result)


@pytest.mark.parametrize(
    ("fn", "says"),
    [
        (None, "gru_state_jacobian"),
        (lambda x_t, h_prev, params: None, "not written yet"),
        (lambda x_t, h_prev, params: ..., "placeholder"),
        (lambda x_t, h_prev, params: 1 / 0, "ZeroDivisionError"),
        (lambda x_t, h_prev, params: params["weights"], "'kernel', 'recurrent_kernel'"),
        (lambda x_t, h_prev, params: [[0.0]], "not a numpy array"),
    ],
)
def test_bad_code_gets_a_kind_message(fn, says):
    result = checks.gru_state_jacobian(fn)
    assert not result.passed
    assert says in str(result), str(result)


def test_unpacking_two_bias_rows_in_the_other_variant_is_explained():
    def unpacks(x_t, h_prev, params):
        b_in, b_rec = params["bias"]
        return right(x_t, h_prev, params)

    result = checks.gru_state_jacobian(unpacks, reset_after=False)
    assert "only reset_after=True has two rows" in str(result), str(result)


def test_only_the_diagonal_gets_the_shape_hint():
    def diagonal(x_t, h_prev, params):
        return np.diagonal(right(x_t, h_prev, params), axis1=1, axis2=2).copy()

    result = checks.gru_state_jacobian(diagonal)
    assert "not only its diagonal" in str(result), str(result)


# ==========================================================================
# Wrong answers, each rejected, most with the precise hint.
# ==========================================================================


def swapped_zr(x_t, h_prev, params):
    u = h_prev.shape[1]
    p = dict(params)
    for key in ("kernel", "recurrent_kernel", "bias"):
        w = np.asarray(params[key])
        p[key] = np.concatenate([w[..., u : 2 * u], w[..., :u], w[..., 2 * u :]], axis=-1)
    return learner(x_t, h_prev, p)


MUTANTS = [
    ("denominator layout", dict(layout="denominator"), "denominator layout"),
    ("no copy path", dict(copy="none"), "the direct (copy) path is missing"),
    ("1 - z on the copy path", dict(copy="1 - z"), "the direct path uses 1 - z_t"),
    ("identity copy path", dict(copy="1"), "the direct path is the identity"),
    ("no path through z", dict(through_z=False), "the path through z_t is missing"),
    ("no path through r", dict(through_r=False), "the path through the reset gate r_t"),
    ("no tanh derivative", dict(tanh_slope=False), "the tanh derivative of the candidate"),
    ("W_h blocks untransposed", dict(transpose=False), "the W_h blocks are not transposed"),
    ("no sigmoid slope on z", dict(z_slope=False), None),
    ("variants confused", dict(swap_variant=True), "the reset gate"),
]


@pytest.mark.parametrize(("mutant_id", "switches", "hint"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_mutant_is_rejected_with_its_hint(mutant_id, switches, hint):
    def wrong(x_t, h_prev, params):
        return learner(x_t, h_prev, params, **switches)

    for result in (checks.gru_state_jacobian(wrong), checks.run(NAME, wrong, key=97)):
        text = str(result)
        assert not result.passed and result.score < result.max_score, text
        if hint is not None:
            assert hint in text, text


@pytest.mark.parametrize("reset_after", [True, False])
def test_variants_confused_names_the_variant(reset_after):
    def wrong(x_t, h_prev, params):
        return learner(x_t, h_prev, params, swap_variant=True)

    text = str(checks.gru_state_jacobian(wrong, reset_after=reset_after))
    expected = "multiplies after the product" if reset_after else "acts before the product"
    assert expected in text, text


def test_recurrent_bias_left_out_of_the_reset_path():
    def wrong(x_t, h_prev, params):
        return learner(x_t, h_prev, params, b_rec_in_r=False)

    for result in (checks.gru_state_jacobian(wrong), checks.run(NAME, wrong, key=97)):
        assert not result.passed
        assert "b_rec[2*units:] is missing" in str(result), str(result)


def test_gate_order_mistake_is_named():
    for result in (checks.gru_state_jacobian(swapped_zr), checks.run(NAME, swapped_zr, key=97)):
        assert not result.passed
        assert "PyTorch's order" in str(result), str(result)


def test_update_convention_swapped_is_named():
    def other_convention(x_t, h_prev, params):  # h_t = (1 - z_t) h_prev + z_t hh_t
        return learner(x_t, h_prev, params, posts=True)

    for result in (checks.gru_state_jacobian(other_convention),
                   checks.run(NAME, other_convention, key=97)):  # fmt: skip
        assert not result.passed
        assert "the other way round" in str(result), str(result)
