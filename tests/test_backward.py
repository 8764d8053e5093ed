"""rnnlib.backward against tf.GradientTape, finite differences, and gradcheck itself."""

import numpy as np
import pytest

import rnnlib

# (kind, reset_after): the three cells and both GRU variants.
VARIANTS = [("simple_rnn", True), ("gru", True), ("gru", False), ("lstm", True)]
IDS = ["simple_rnn", "gru", "gru_reset_before", "lstm"]


# --------------------------------------------------------------------------
# Against TensorFlow's autodiff (float64).
# --------------------------------------------------------------------------


@pytest.mark.keras
@pytest.mark.parametrize(("kind", "reset_after"), VARIANTS, ids=IDS)
@pytest.mark.parametrize("shape", [(1, 1, 2, 3), (3, 5, 2, 4)], ids=["b1t1", "b3t5"])
def test_backward_matches_gradient_tape(float64, make_layer, kind, reset_after, shape):
    import tensorflow as tf

    batch, time, input_dim, units = shape
    layer = make_layer(kind, units, input_dim, reset_after=reset_after, seed=7)
    rng = np.random.default_rng(7)
    x = rng.normal(size=(batch, time, input_dim))
    d_hs = rng.normal(size=(batch, time, units))
    d_c_last = rng.normal(size=(batch, units))
    h0 = tf.constant(rng.uniform(-1, 1, size=(batch, units)))
    c0 = tf.constant(rng.normal(size=(batch, units)))
    initial_state = [h0, c0] if kind == "lstm" else [h0]
    cell = layer.cell
    weights = [cell.kernel, cell.recurrent_kernel, cell.bias]

    with tf.GradientTape() as tape:
        tape.watch(initial_state)
        out = layer(x, initial_state=initial_state)
        if kind == "lstm":
            hs, _, c_last = out
            loss = tf.reduce_sum(d_hs * hs) + tf.reduce_sum(d_c_last * c_last)
        else:
            loss = tf.reduce_sum(d_hs * out)
    want = [np.asarray(g) for g in tape.gradient(loss, weights + initial_state)]

    params = rnnlib.keras_params(layer)
    if kind == "lstm":
        d_cs = np.zeros_like(d_hs)
        d_cs[:, -1] = d_c_last  # the loss only sees the final cell state
        got = rnnlib.backward(
            kind, x, params, d_hs, initial_state=(np.asarray(h0), np.asarray(c0)), d_cs=d_cs
        )
        got_state = list(got["initial_state"])
    else:
        got = rnnlib.backward(kind, x, params, d_hs, initial_state=np.asarray(h0))
        got_state = [got["initial_state"]]

    names = ["kernel", "recurrent_kernel", "bias"] + [
        f"initial_state[{i}]" for i in range(len(got_state))
    ]
    for name, g, w in zip(
        names, [got["kernel"], got["recurrent_kernel"], got["bias"], *got_state], want, strict=True
    ):
        assert g.shape == w.shape, name
        np.testing.assert_allclose(g, w, rtol=1e-8, atol=1e-8, err_msg=name)


# --------------------------------------------------------------------------
# Against finite differences, with rnnlib.gradcheck (numpy only).
# --------------------------------------------------------------------------


def loss_and_grads(kind, reset_after, batch=2, time=4, input_dim=3, units=3, seed=0):
    """A loss L = sum(d_hs*hs) (+ sum(d_cs*cs)) of params and initial state, and its gradient."""
    rng = np.random.default_rng(seed)
    params = rnnlib.init_params(kind, units, input_dim, seed=seed, reset_after=reset_after)
    x = rng.normal(size=(batch, time, input_dim))
    d_hs = rng.normal(size=(batch, time, units))
    d_cs = rng.normal(size=(batch, time, units)) if kind == "lstm" else None
    point = dict(params, h0=rng.uniform(-1, 1, size=(batch, units)))
    if kind == "lstm":
        point["c0"] = rng.normal(size=(batch, units))

    def state(p):
        return (p["h0"], p["c0"]) if kind == "lstm" else p["h0"]

    def loss(p):
        if kind == "lstm":
            hs, cs = rnnlib.forward(kind, x, p, initial_state=state(p))
            return np.sum(d_hs * hs) + np.sum(d_cs * cs)
        return np.sum(d_hs * rnnlib.forward(kind, x, p, initial_state=state(p)))

    grads = rnnlib.backward(kind, x, params, d_hs, initial_state=state(point), d_cs=d_cs)
    if kind == "lstm":
        grads["h0"], grads["c0"] = grads.pop("initial_state")
    else:
        grads["h0"] = grads.pop("initial_state")
    return loss, point, grads


@pytest.mark.parametrize(("kind", "reset_after"), VARIANTS, ids=IDS)
def test_backward_passes_gradcheck(kind, reset_after):
    loss, point, grads = loss_and_grads(kind, reset_after)
    result = rnnlib.gradcheck(loss, point, grads)
    assert result, str(result)
    n_entries = sum(v.size for v in point.values() if isinstance(v, np.ndarray))
    assert result.n_checked == n_entries


def test_backward_returns_no_gradient_for_reset_after():
    _, _, grads = loss_and_grads("gru", True)
    assert set(grads) == {"kernel", "recurrent_kernel", "bias", "h0"}


@pytest.mark.parametrize("kind", ["simple_rnn", "gru", "lstm"])
def test_backward_float32_stays_float32(kind):
    params = rnnlib.init_params(kind, 3, 2, seed=0, dtype=np.float32)
    x = np.ones((2, 3, 2), dtype=np.float32)
    grads = rnnlib.backward(kind, x, params, np.ones((2, 3, 3), dtype=np.float32))
    for key in ("kernel", "recurrent_kernel", "bias"):
        assert grads[key].dtype == np.float32
        assert grads[key].shape == params[key].shape


# --------------------------------------------------------------------------
# gradcheck itself must catch wrong gradients.
# --------------------------------------------------------------------------


def quadratic():
    """f(p) = sum(A * w**2) + sum(v**3): gradients 2*A*w and 3*v**2, by hand."""
    rng = np.random.default_rng(0)
    A = rng.uniform(0.5, 2.0, size=(3, 4))
    params = {"w": rng.normal(size=(3, 4)), "v": rng.normal(size=5), "flag": True}

    def f(p):
        return np.sum(A * p["w"] ** 2) + np.sum(p["v"] ** 3)

    grads = {"w": 2 * A * params["w"], "v": 3 * params["v"] ** 2}
    return f, params, grads


def test_gradcheck_passes_correct_gradient_and_skips_non_arrays():
    f, params, grads = quadratic()
    result = rnnlib.gradcheck(f, params, grads)
    assert result and result.passed
    assert result.n_checked == 12 + 5
    assert result.max_rel_error < 1e-8
    assert str(result).startswith("gradcheck passed: max relative error ")
    assert "(17 entries checked)" in repr(result)


def test_gradcheck_catches_scaled_gradient():
    f, params, grads = quadratic()
    result = rnnlib.gradcheck(f, params, {k: 1.01 * g for k, g in grads.items()})
    assert not result
    assert result.max_rel_error == pytest.approx(0.01 / 2.01, rel=1e-4)
    assert str(result).startswith("gradcheck FAILED")


@pytest.mark.parametrize(("key", "index"), [("w", (2, 1)), ("v", (3,))])
def test_gradcheck_reports_the_wrong_entry(key, index):
    f, params, grads = quadratic()
    grads[key] = grads[key].copy()
    grads[key][index] += 0.5
    result = rnnlib.gradcheck(f, params, grads)
    assert not result.passed
    assert result.worst == (key, index)
    assert f"at {key}[{', '.join(map(str, index))}]" in str(result)


def test_gradcheck_catches_a_wrong_rnn_gradient():
    loss, point, grads = loss_and_grads("gru", True)
    grads["recurrent_kernel"] = grads["recurrent_kernel"].copy()
    grads["recurrent_kernel"][1, 4] *= 1.01
    result = rnnlib.gradcheck(loss, point, grads)
    assert not result
    assert result.worst == ("recurrent_kernel", (1, 4))


def test_gradcheck_does_not_mutate_params():
    f, params, grads = quadratic()
    before = {k: np.copy(v) for k, v in params.items()}
    rnnlib.gradcheck(f, params, grads)
    for k, v in before.items():
        np.testing.assert_array_equal(params[k], v)


def test_gradcheck_max_checks_samples_each_array():
    f, params, grads = quadratic()
    result = rnnlib.gradcheck(f, params, grads, max_checks=3, seed=1)
    assert result.n_checked == 3 + 3
    again = rnnlib.gradcheck(f, params, grads, max_checks=3, seed=1)
    assert again.max_rel_error == result.max_rel_error


def test_gradcheck_checks_grads_shapes():
    f, params, grads = quadratic()
    grads["w"] = grads["w"].T
    with pytest.raises(ValueError, match=r"grads\['w'\] must have shape \(3, 4\).*\(4, 3\)"):
        rnnlib.gradcheck(f, params, grads)
    with pytest.raises(ValueError, match="grads is missing key 'v'"):
        rnnlib.gradcheck(f, params, {"w": grads["w"].T})


def test_gradcheck_skips_integer_arrays_and_leaves_them_alone():
    counts = np.array([3, 4])
    params = {"w": np.array([1.0, -2.0]), "counts": counts}
    result = rnnlib.gradcheck(
        lambda p: np.sum(p["w"] ** 2) * p["counts"].sum(), params, {"w": 14 * params["w"]}
    )
    assert result.passed and result.n_checked == 2
    assert counts.tolist() == [3, 4]
