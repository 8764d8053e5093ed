"""state_tangents (ex03_jacobians): tangents of a simple RNN, its mistakes and its oracles.

Every wrong answer below is written here the way a learner might write it,
independently of the hint mutants in rnnlib/checks/specs/jacobians.py; each
must be rejected on the public and on graded cases, most with their hint. The
reference is checked against central finite differences, against
``tf.autodiff.ForwardAccumulator`` on a float64 Keras ``SimpleRNN``, against
``rnnlib.backward`` (the pairing of a tangent with a gradient) and against the
Jacobian products that page 3 forms as matrices.
"""

import numpy as np
import pytest

import rnnlib
from rnnlib import checks
from rnnlib.checks.specs import jacobians

NAME = "state_tangents"


def learner(mistake=None):
    """A learner's state_tangents, right unless ``mistake`` names one slip."""

    def state_tangents(x, h0, W_x, W_h, b, x_dot, h0_dot):
        T = x.shape[1]
        h, h_dot = h0, h0_dot
        if mistake == "h0_dot ignored":
            h_dot = np.zeros_like(h0)
        tangents = []
        steps = reversed(range(T)) if mistake == "loop backwards" else range(T)
        for t in steps:
            h_prev = h
            h = np.tanh(x[:, t] @ W_x + h @ W_h + b)
            slope = {
                "no tanh derivative": 1.0,
                "slope at h_prev": 1 - h_prev**2,
                "slope of tanh(h)": 1 - np.tanh(h) ** 2,
            }.get(mistake, 1 - h**2)
            k = {"x_dot[t-1]": t - 1, "x_dot[0]": 0}.get(mistake, t)
            xd = x_dot[:, k] if k >= 0 else np.zeros_like(x_dot[:, 0])
            if mistake == "x_dot ignored":
                xd = 0 * xd
            V = W_x.T if mistake == "W_x transposed" else W_x
            W = W_h.T if mistake in ("W_h transposed", "vjp formula") else W_h
            prev = h0_dot if mistake == "restart from h0_dot" else h_dot
            if mistake == "vjp formula":  # the backward pass's (v * s) @ W_h.T
                h_dot = (xd @ V) * slope + (prev * slope) @ W
            elif mistake == "slope on recurrent term only":
                h_dot = xd @ V + (prev @ W) * slope
            elif mistake == "b in the tangent":
                h_dot = (xd @ V + prev @ W + b) * slope
            else:
                h_dot = (xd @ V + prev @ W) * slope
            tangents.append(h_dot)
        hs_dot = np.stack(tangents, axis=1)
        if mistake == "reversed output":
            return hs_dot[:, ::-1]
        if mistake == "last step only":
            return hs_dot[:, -1]
        if mistake == "starts with h0_dot":
            return np.concatenate([h0_dot[:, None], hs_dot[:, :-1]], axis=1)
        if mistake == "states instead":
            return rnnlib.forward(
                "simple_rnn",
                x,
                {"kernel": W_x, "recurrent_kernel": W_h, "bias": b},
                initial_state=h0,
            )
        return hs_dot

    return state_tangents


def denominator_layout(x, h0, W_x, W_h, b, x_dot, h0_dot):
    """Builds the Jacobians, in denominator layout (W_h diag(s)), and multiplies columns."""
    hs = rnnlib.forward(
        "simple_rnn", x, {"kernel": W_x, "recurrent_kernel": W_h, "bias": b}, initial_state=h0
    )
    out = np.empty_like(hs)
    for i in range(x.shape[0]):
        v = h0_dot[i]
        for t in range(x.shape[1]):
            s = 1 - hs[i, t] ** 2
            J_h = W_h @ np.diag(s)  # the transpose of diag(s) W_h^T
            J_x = np.diag(s) @ W_x.T
            v = J_h @ v + J_x @ x_dot[i, t]
            out[i, t] = v
    return out


def in_place(x, h0, W_x, W_h, b, x_dot, h0_dot):
    """Right values, but the running tangent is h0_dot itself, updated in place."""
    h, h_dot, tangents = h0, h0_dot, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_x + h @ W_h + b)
        h_dot[:] = (x_dot[:, t] @ W_x + h_dot @ W_h) * (1 - h**2)
        tangents.append(h_dot.copy())
    return np.stack(tangents, axis=1)


MUTANTS = [
    ("no tanh derivative", learner("no tanh derivative"), "the tanh derivative is missing"),
    ("slope at h_prev", learner("slope at h_prev"), "the tanh derivative is taken at h_prev"),
    ("slope of tanh(h)", learner("slope of tanh(h)"), "not 1 - np.tanh(h_t)**2"),
    ("W_h transposed", learner("W_h transposed"), "the tangent goes through W_h.T"),
    ("vjp formula", learner("vjp formula"), "this is the backward pass's formula"),
    ("W_x transposed", learner("W_x transposed"), None),  # a shape error where d != u
    ("slope on recurrent term only", learner("slope on recurrent term only"),
     "multiplies only the recurrent term"),
    ("b in the tangent", learner("b in the tangent"), "b has no tangent"),
    ("restart from h0_dot", learner("restart from h0_dot"),
     "the tangent is not carried from step to step"),
    ("x_dot ignored", learner("x_dot ignored"), "x_dot is ignored"),
    ("h0_dot ignored", learner("h0_dot ignored"), "h0_dot is ignored"),
    ("x_dot[t-1]: off by one in time", learner("x_dot[t-1]"), "not x_dot[:, t - 1]"),
    ("x_dot[0] at every step", learner("x_dot[0]"), "every step reads x_dot[:, 0]"),
    ("reversed output", learner("reversed output"), "hs_dot is in reverse time order"),
    ("loop backwards", learner("loop backwards"), "the sequence is read backwards"),
    ("last step only", learner("last step only"), "returned only the tangent of the last state"),
    ("starts with h0_dot", learner("starts with h0_dot"), "hs_dot starts with h0_dot"),
    ("states instead of tangents", learner("states instead"),
     "returned the hidden states hs themselves"),
    ("Jacobians in denominator layout", denominator_layout, "the Jacobian in denominator layout"),
    ("inputs changed in place", in_place, "changed h0_dot in place"),
]  # fmt: skip


@pytest.mark.parametrize("mutant_id, fn, hint", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_mutant_is_rejected_with_its_hint(mutant_id, fn, hint):
    public = checks.state_tangents(fn)
    assert not public.passed, f"{mutant_id} passed the public cases:\n{public}"
    if hint is not None:
        assert hint in str(public), f"expected {hint!r} in:\n{public}"
    graded = checks.run(NAME, fn, key=97)
    assert not graded.passed, f"{mutant_id} passed the graded cases:\n{graded}"


def test_most_mutants_have_a_precise_hint():
    assert sum(hint is not None for *_, hint in MUTANTS) >= 0.8 * len(MUTANTS)


def test_w_x_transposed_is_named_where_the_shapes_allow_it():
    text = str(checks.state_tangents(learner("W_x transposed")))
    assert "W_x looks transposed" in text  # features == units in the first cases
    assert "The shapes that fit" in text  # 5 features, 3 units: a matmul error, explained


def test_a_right_answer_passes_public_and_graded_cases():
    fn = learner()
    assert checks.state_tangents(fn).passed
    assert checks.run(NAME, fn, key=97).passed
    assert checks.run(NAME, fn, key=2026).passed


def test_the_specs_mistake_free_loop_is_the_reference():
    args = _problem(seed=7)
    assert np.allclose(jacobians._loop()(*args), jacobians._reference(*args), rtol=1e-13)


def test_float32_arithmetic_on_float64_cases_is_named():
    def in_float32(x, h0, W_x, W_h, b, x_dot, h0_dot):
        args = [np.asarray(a, np.float32) for a in (x, h0, W_x, W_h, b, x_dot, h0_dot)]
        return learner()(*args)

    assert checks.state_tangents(in_float32).passed is False  # float64 cases need float64
    assert "float32" in str(checks.state_tangents(in_float32))


def test_using_rnnlib_forward_for_the_states_is_allowed():
    def with_forward(x, h0, W_x, W_h, b, x_dot, h0_dot):
        params = {"kernel": W_x, "recurrent_kernel": W_h, "bias": b}
        hs = rnnlib.forward("simple_rnn", x, params, initial_state=h0)
        h_dot, out = h0_dot, []
        for t in range(x.shape[1]):
            h_dot = (x_dot[:, t] @ W_x + h_dot @ W_h) * (1 - hs[:, t] ** 2)
            out.append(h_dot)
        return np.stack(out, axis=1)

    assert checks.state_tangents(with_forward).passed


def test_calling_the_checks_reference_scores_zero():
    def shortcut(*args):
        return jacobians._reference(*args)

    result = checks.state_tangents(shortcut)
    assert result.score == 0 and "earns no marks" in str(result)


def returns_none(x, h0, W_x, W_h, b, x_dot, h0_dot):
    hs_dot = None
    return hs_dot


@pytest.mark.parametrize(
    "fn, words",
    [
        (None, "not defined yet"),
        (returns_none, "returned None"),
        (lambda *a: 1 / 0, "ZeroDivisionError"),
        (lambda *a: [[0.0]], "not a numpy array"),
        (lambda x, *a: np.full(x.shape[:2] + (a[2].shape[0],), np.nan), "contains NaN"),
    ],
)
def test_bad_code_gets_a_kind_message(fn, words):
    result = checks.state_tangents(fn)
    assert not result.passed and words in str(result), str(result)


def test_a_stub_scores_zero():
    def state_tangents(x, h0, W_x, W_h, b, x_dot, h0_dot): ...

    result = checks.state_tangents(state_tangents)
    assert result.score == 0 and "not written yet" in str(result)


def test_one_check_is_fast():
    import time

    start = time.perf_counter()
    checks.state_tangents(learner())
    assert time.perf_counter() - start < 1.0


# ==========================================================================
# The reference against independent oracles.
# ==========================================================================


def _problem(seed=0, batch=3, time=6, d=4, u=5):
    rng = np.random.default_rng(seed)
    W_x = rng.normal(scale=0.6, size=(d, u))
    W_h = rng.normal(scale=0.6, size=(u, u))
    b = rng.normal(scale=0.6, size=u)
    x = rng.normal(size=(batch, time, d))
    h0 = rng.uniform(-0.9, 0.9, size=(batch, u))
    return x, h0, W_x, W_h, b, rng.normal(size=x.shape), rng.normal(size=h0.shape)


def _forward(x, h0, W_x, W_h, b):
    params = {"kernel": W_x, "recurrent_kernel": W_h, "bias": b}
    return rnnlib.forward("simple_rnn", x, params, initial_state=h0)


def test_reference_matches_central_finite_differences():
    x, h0, W_x, W_h, b, x_dot, h0_dot = _problem()
    eps = 1e-6
    plus = _forward(x + eps * x_dot, h0 + eps * h0_dot, W_x, W_h, b)
    minus = _forward(x - eps * x_dot, h0 - eps * h0_dot, W_x, W_h, b)
    numeric = (plus - minus) / (2 * eps)
    analytic = jacobians._reference(x, h0, W_x, W_h, b, x_dot, h0_dot)
    assert np.abs(numeric - analytic).max() < 1e-8 * max(1.0, np.abs(analytic).max())


def test_reference_pairs_with_rnnlib_backward():
    # <d_hs, J v> = <J^T d_hs, v>: with x_dot = 0 the tangent pairs with dL/dh0.
    x, h0, W_x, W_h, b, _, h0_dot = _problem(seed=1)
    d_hs = np.random.default_rng(2).normal(size=(x.shape[0], x.shape[1], h0.shape[1]))
    hs_dot = jacobians._reference(x, h0, W_x, W_h, b, 0 * x, h0_dot)
    params = {"kernel": W_x, "recurrent_kernel": W_h, "bias": b}
    dh0 = rnnlib.backward("simple_rnn", x, params, d_hs, initial_state=h0)["initial_state"]
    assert np.isclose(np.sum(d_hs * hs_dot), np.sum(dh0 * h0_dot), rtol=1e-12, atol=1e-12)


def test_reference_equals_the_pages_jacobian_product():
    # Page 3: dh_T/dh_0 = prod over k of diag(1 - h_k^2) W_h^T, the newest on the left.
    x, h0, W_x, W_h, b, _, h0_dot = _problem(seed=3, time=8)
    hs = _forward(x, h0, W_x, W_h, b)
    hs_dot = jacobians._reference(x, h0, W_x, W_h, b, 0 * x, h0_dot)
    for i in range(x.shape[0]):
        J = np.eye(W_h.shape[0])
        for k in range(x.shape[1]):
            J = ((1 - hs[i, k] ** 2)[:, None] * W_h.T) @ J
            assert np.allclose(J @ h0_dot[i], hs_dot[i, k], rtol=1e-12, atol=1e-13)


@pytest.mark.keras
def test_reference_matches_forward_mode_autodiff_in_keras(keras):
    import tensorflow as tf

    x, h0, W_x, W_h, b, x_dot, h0_dot = _problem(seed=4)
    layer = keras.layers.SimpleRNN(h0.shape[1], return_sequences=True, dtype="float64")
    layer.build((None, x.shape[1], x.shape[2]))
    layer.set_weights([W_x, W_h, b])
    x_tf, h0_tf = tf.constant(x), tf.constant(h0)
    with tf.autodiff.ForwardAccumulator(
        primals=[x_tf, h0_tf], tangents=[tf.constant(x_dot), tf.constant(h0_dot)]
    ) as acc:
        hs = layer(x_tf, initial_state=[h0_tf])
    keras_dot = acc.jvp(hs).numpy()
    ours = jacobians._reference(x, h0, W_x, W_h, b, x_dot, h0_dot)
    assert np.allclose(hs.numpy(), _forward(x, h0, W_x, W_h, b), rtol=1e-12, atol=1e-12)
    assert np.abs(keras_dot - ours).max() < 1e-12


@pytest.mark.keras
def test_reference_matches_gradient_tape_jacobian(keras):
    import tensorflow as tf

    x, h0, W_x, W_h, b, x_dot, h0_dot = _problem(seed=5, batch=2, time=4, d=3, u=3)
    layer = keras.layers.SimpleRNN(3, return_sequences=True, dtype="float64")
    layer.build((None, 4, 3))
    layer.set_weights([W_x, W_h, b])
    x_tf, h0_tf = tf.constant(x), tf.constant(h0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x_tf, h0_tf])
        hs = layer(x_tf, initial_state=[h0_tf])
    J_x = tape.jacobian(hs, x_tf).numpy()  # (B, T, u, B, T, d)
    J_h = tape.jacobian(hs, h0_tf).numpy()  # (B, T, u, B, u)
    want = np.einsum("abcdef,def->abc", J_x, x_dot) + np.einsum("abcde,de->abc", J_h, h0_dot)
    ours = jacobians._reference(x, h0, W_x, W_h, b, x_dot, h0_dot)
    assert np.abs(want - ours).max() < 1e-12
