"""Property tests: shapes, closed forms for zero weights, dtypes, steps, no mutation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnlib

# Few examples and no deadline: the suite runs on small shared machines.
few = settings(max_examples=25, deadline=None)

GATES = {"simple_rnn": 1, "gru": 3, "lstm": 4}

kinds = st.sampled_from(["simple_rnn", "gru", "lstm"])
sizes = st.integers(1, 5)


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def zero_weights(kind, units, input_dim, bias):
    """Params with zero kernel and recurrent kernel and the given bias."""
    k = GATES[kind]
    params = {
        "kernel": np.zeros((input_dim, k * units)),
        "recurrent_kernel": np.zeros((units, k * units)),
        "bias": bias,
    }
    if kind == "gru":
        params["reset_after"] = bias.ndim == 2
    return params


@st.composite
def problems(draw, kind=kinds):
    """A kind, seeded params, an input x and an initial state of matching sizes."""
    kind = draw(kind)
    batch, time, input_dim, units = (draw(sizes) for _ in range(4))
    reset_after = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    params = rnnlib.init_params(kind, units, input_dim, seed=seed, reset_after=reset_after)
    rng = np.random.default_rng(seed + 1)
    x = rng.normal(size=(batch, time, input_dim))
    h0 = rng.uniform(-1, 1, size=(batch, units))
    initial_state = (h0, rng.normal(size=(batch, units))) if kind == "lstm" else h0
    return kind, params, x, initial_state


@few
@given(problems())
def test_output_shapes(problem):
    kind, params, x, initial_state = problem
    batch, time, _ = x.shape
    units = params["recurrent_kernel"].shape[0]
    out = rnnlib.forward(kind, x, params, initial_state=initial_state)
    outs = out if kind == "lstm" else (out,)
    for arr in outs:
        assert arr.shape == (batch, time, units)
        assert np.all(np.isfinite(arr))
    # Every hidden state is a tanh (times a gate, or a convex mix of tanh's and h0 in (-1, 1)).
    assert np.all(np.abs(outs[0]) < 1)


@few
@given(st.integers(1, 4), st.integers(1, 6), sizes, sizes, st.integers(0, 1000))
def test_simple_rnn_zero_weights_gives_tanh_bias(batch, time, input_dim, units, seed):
    rng = np.random.default_rng(seed)
    b = rng.normal(size=units)
    params = zero_weights("simple_rnn", units, input_dim, b)
    hs = rnnlib.forward("simple_rnn", rng.normal(size=(batch, time, input_dim)), params)
    np.testing.assert_allclose(hs, np.broadcast_to(np.tanh(b), hs.shape), rtol=0, atol=1e-12)


@few
@given(st.integers(1, 6), sizes, st.booleans(), st.integers(0, 1000))
def test_gru_zero_weights_closed_form(time, units, reset_after, seed):
    """From h_0 = 0 with constant gates: h_t = (1 - z^t) * h~ for t = 1..T."""
    rng = np.random.default_rng(seed)
    if reset_after:
        bias = rng.normal(size=(2, 3 * units))
        b_z, b_r, b_h = np.split(bias[0], 3)
        c_z, c_r, c_h = np.split(bias[1], 3)
        z = sigmoid(b_z + c_z)
        hh = np.tanh(b_h + sigmoid(b_r + c_r) * c_h)
    else:
        bias = rng.normal(size=3 * units)
        b_z, _, b_h = np.split(bias, 3)
        z = sigmoid(b_z)
        hh = np.tanh(b_h)
    params = zero_weights("gru", units, 2, bias)
    hs = rnnlib.forward("gru", rng.normal(size=(1, time, 2)), params)
    t = np.arange(1, time + 1)[:, None]
    np.testing.assert_allclose(hs[0], (1 - z**t) * hh, rtol=0, atol=1e-12)


@few
@given(st.integers(1, 6), sizes, st.integers(0, 1000))
def test_lstm_zero_weights_closed_form(time, units, seed):
    """From zero state with constant gates: c_t = i*g*(1 + f + ... + f^(t-1)), h_t = o*tanh(c_t)."""
    rng = np.random.default_rng(seed)
    bias = rng.normal(size=4 * units)
    b_i, b_f, b_c, b_o = np.split(bias, 4)
    i, f, g, o = sigmoid(b_i), sigmoid(b_f), np.tanh(b_c), sigmoid(b_o)
    params = zero_weights("lstm", units, 3, bias)
    hs, cs = rnnlib.forward("lstm", rng.normal(size=(1, time, 3)), params)
    c_want = np.cumsum([i * g * f**k for k in range(time)], axis=0)
    np.testing.assert_allclose(cs[0], c_want, rtol=0, atol=1e-12)
    np.testing.assert_allclose(hs[0], o * np.tanh(c_want), rtol=0, atol=1e-12)


@few
@given(problems())
def test_float32_in_float32_out(problem):
    kind, params, x, initial_state = problem
    params32 = {
        k: v.astype(np.float32) if isinstance(v, np.ndarray) else v for k, v in params.items()
    }
    out = rnnlib.forward(kind, x.astype(np.float32), params32)
    for arr in out if kind == "lstm" else (out,):
        assert arr.dtype == np.float32
    grads = rnnlib.backward(
        kind, x.astype(np.float32), params32, np.ones_like(out[0] if kind == "lstm" else out)
    )
    assert grads["kernel"].dtype == np.float32


def step(kind, x_t, state, params):
    """One step with the public step function; state is h, or (h, c) for lstm."""
    if kind == "simple_rnn":
        return rnnlib.rnn_step(
            x_t, state, params["kernel"], params["recurrent_kernel"], params["bias"]
        )
    if kind == "gru":
        return rnnlib.gru_step(x_t, state, params)
    return rnnlib.lstm_step(x_t, *state, params)


@few
@given(problems())
def test_time_one_forward_equals_one_step(problem):
    kind, params, x, initial_state = problem
    x1 = x[:, :1]
    out = rnnlib.forward(kind, x1, params, initial_state=initial_state)
    want = step(kind, x1[:, 0], initial_state, params)
    # Not bit-equal: BLAS may round a 3-D matmul differently from a 2-D one.
    if kind == "lstm":
        np.testing.assert_allclose(out[0][:, 0], want[0], rtol=0, atol=1e-13)
        np.testing.assert_allclose(out[1][:, 0], want[1], rtol=0, atol=1e-13)
    else:
        np.testing.assert_allclose(out[:, 0], want, rtol=0, atol=1e-13)


@few
@given(problems())
def test_forward_equals_a_loop_of_steps(problem):
    kind, params, x, initial_state = problem
    out = rnnlib.forward(kind, x, params, initial_state=initial_state)
    hs = out[0] if kind == "lstm" else out
    state = initial_state
    for t in range(x.shape[1]):
        state = step(kind, x[:, t], state, params)
        h_t = state[0] if kind == "lstm" else state
        np.testing.assert_allclose(hs[:, t], h_t, rtol=0, atol=1e-12)


@few
@given(problems())
def test_forward_and_backward_do_not_mutate_inputs(problem):
    kind, params, x, initial_state = problem
    copies = {k: np.copy(v) for k, v in params.items()}
    x_copy = np.copy(x)
    state_copy = (
        tuple(np.copy(s) for s in initial_state) if kind == "lstm" else np.copy(initial_state)
    )
    out = rnnlib.forward(kind, x, params, initial_state=initial_state)
    d_hs = np.ones_like(out[0] if kind == "lstm" else out)
    d_hs_copy = np.copy(d_hs)
    rnnlib.backward(kind, x, params, d_hs, initial_state=initial_state)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(d_hs, d_hs_copy)
    assert params.keys() == copies.keys()
    for k, v in copies.items():
        np.testing.assert_array_equal(params[k], v)
    if kind == "lstm":
        for s, c in zip(initial_state, state_copy, strict=True):
            np.testing.assert_array_equal(s, c)
    else:
        np.testing.assert_array_equal(initial_state, state_copy)


@pytest.mark.parametrize("kind", ["simple_rnn", "gru", "lstm"])
def test_zero_initial_state_is_the_default(kind):
    params = rnnlib.init_params(kind, 3, 2, seed=1)
    x = np.random.default_rng(1).normal(size=(2, 3, 2))
    zeros = np.zeros((2, 3))
    state = (zeros, zeros) if kind == "lstm" else zeros
    a = rnnlib.forward(kind, x, params)
    b = rnnlib.forward(kind, x, params, initial_state=state)
    np.testing.assert_array_equal(a[0] if kind == "lstm" else a, b[0] if kind == "lstm" else b)
