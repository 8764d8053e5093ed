"""rnnlib.forward against Keras's SimpleRNN, GRU and LSTM layers, and keras_params."""

import numpy as np
import pytest

import rnnlib

pytestmark = pytest.mark.keras

# (kind, reset_after): the three cells and both GRU variants.
VARIANTS = [("simple_rnn", True), ("gru", True), ("gru", False), ("lstm", True)]
IDS = ["simple_rnn", "gru", "gru_reset_before", "lstm"]

# (batch, time, input_dim, units): batch 1, time 1, input size != units.
SHAPES = [(1, 1, 3, 2), (1, 6, 1, 4), (3, 5, 4, 4), (2, 4, 6, 3)]


def keras_run(layer, kind, x, initial_state=None):
    """Keras's hidden states (and final cell state for lstm) as numpy arrays."""
    kwargs = {} if initial_state is None else {"initial_state": initial_state}
    out = layer(x, **kwargs)
    if kind == "lstm":
        hs, _, c_last = out
        return np.asarray(hs), np.asarray(c_last)
    return np.asarray(out), None


def check_forward(layer, kind, x, params, initial_state=None, atol=1e-10):
    keras_state = initial_state
    if initial_state is not None and kind != "lstm":
        keras_state = [initial_state]
    want_hs, want_c_last = keras_run(layer, kind, x, keras_state)
    if kind == "lstm":
        hs, cs = rnnlib.forward(kind, x, params, initial_state=initial_state)
        np.testing.assert_allclose(cs[:, -1], want_c_last, rtol=0, atol=atol)
    else:
        hs = rnnlib.forward(kind, x, params, initial_state=initial_state)
    assert hs.dtype == want_hs.dtype
    np.testing.assert_allclose(hs, want_hs, rtol=0, atol=atol)


@pytest.mark.parametrize(("kind", "reset_after"), VARIANTS, ids=IDS)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "b{}t{}d{}u{}".format(*s))
def test_forward_matches_keras_float64(float64, make_layer, kind, reset_after, shape):
    batch, time, input_dim, units = shape
    layer = make_layer(kind, units, input_dim, reset_after=reset_after)
    x = np.random.default_rng(1).normal(size=(batch, time, input_dim))
    params = rnnlib.keras_params(layer)
    check_forward(layer, kind, x, params)


@pytest.mark.parametrize(("kind", "reset_after"), VARIANTS, ids=IDS)
def test_forward_matches_keras_float32(make_layer, kind, reset_after):
    layer = make_layer(kind, 5, 3, reset_after=reset_after, dtype="float32")
    x = np.random.default_rng(2).normal(size=(2, 6, 3)).astype(np.float32)
    params = rnnlib.keras_params(layer)
    assert params["kernel"].dtype == np.float32
    check_forward(layer, kind, x, params, atol=1e-5)


@pytest.mark.parametrize(("kind", "reset_after"), VARIANTS, ids=IDS)
def test_forward_matches_keras_with_initial_state(float64, make_layer, kind, reset_after):
    layer = make_layer(kind, 4, 3, reset_after=reset_after, seed=3)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 5, 3))
    h0 = rng.uniform(-1, 1, size=(2, 4))
    initial_state = [h0, rng.normal(size=(2, 4))] if kind == "lstm" else h0
    check_forward(layer, kind, x, rnnlib.keras_params(layer), initial_state)


@pytest.mark.parametrize(("kind", "reset_after"), VARIANTS, ids=IDS)
def test_init_params_load_into_keras(float64, make_layer, kind, reset_after):
    """The other direction: rnnlib's params go into Keras with set_weights."""
    params = rnnlib.init_params(kind, 4, 3, seed=4, reset_after=reset_after)
    layer = make_layer(kind, 4, 3, reset_after=reset_after)
    layer.set_weights([params["kernel"], params["recurrent_kernel"], params["bias"]])
    x = np.random.default_rng(4).normal(size=(2, 5, 3))
    check_forward(layer, kind, x, params)


@pytest.mark.parametrize(("kind", "reset_after"), VARIANTS, ids=IDS)
def test_keras_params_use_bias_false(float64, make_layer, kind, reset_after):
    layer = make_layer(kind, 3, 2, reset_after=reset_after, use_bias=False)
    params = rnnlib.keras_params(layer)
    assert not np.any(params["bias"])
    # The zero bias has the shape of the bias the same layer would have with use_bias=True.
    with_bias = make_layer(kind, 3, 2, reset_after=reset_after)
    assert params["bias"].shape == tuple(with_bias.cell.bias.shape)
    x = np.random.default_rng(5).normal(size=(2, 4, 2))
    check_forward(layer, kind, x, params)


def test_keras_params_layout(float64, make_layer):
    layer = make_layer("gru", 3, 2, reset_after=False)
    params = rnnlib.keras_params(layer)
    assert params["reset_after"] is False
    for got, want in zip(
        [params["kernel"], params["recurrent_kernel"], params["bias"]],
        layer.get_weights(),
        strict=True,
    ):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("cell_name", ["SimpleRNNCell", "GRUCell", "LSTMCell"])
def test_keras_params_accepts_bare_cells(float64, keras, cell_name):
    cell = getattr(keras.layers, cell_name)(3)
    cell.build((None, 2))
    params = rnnlib.keras_params(cell)
    for got, want in zip(params.values(), cell.get_weights(), strict=False):
        np.testing.assert_array_equal(got, want)


def test_keras_params_accepts_rnn_wrapping_a_cell(float64, keras):
    layer = keras.layers.RNN(keras.layers.LSTMCell(3), return_sequences=True)
    x = np.random.default_rng(6).normal(size=(2, 4, 2))
    want = np.asarray(layer(x))
    hs, _ = rnnlib.forward("lstm", x, rnnlib.keras_params(layer))
    np.testing.assert_allclose(hs, want, rtol=0, atol=1e-10)


def test_keras_params_unbuilt_layer(keras):
    with pytest.raises(ValueError, match=r"not built yet.*call it on data.*build"):
        rnnlib.keras_params(keras.layers.LSTM(3))


def test_keras_params_bidirectional(keras):
    layer = keras.layers.Bidirectional(keras.layers.GRU(3))
    with pytest.raises(ValueError, match=r"layer\.forward_layer.*layer\.backward_layer"):
        rnnlib.keras_params(layer)


@pytest.mark.parametrize(
    ("kwargs", "found"),
    [
        ({"activation": "relu"}, "activation='relu'"),
        ({"recurrent_activation": "hard_sigmoid"}, "recurrent_activation='hard_sigmoid'"),
    ],
)
def test_keras_params_non_default_activation(keras, kwargs, found):
    layer = keras.layers.GRU(3, **kwargs)
    layer.build((None, None, 2))
    with pytest.raises(ValueError, match=found):
        rnnlib.keras_params(layer)


def test_keras_params_relu_simple_rnn(keras):
    layer = keras.layers.SimpleRNN(3, activation="relu")
    layer.build((None, None, 2))
    with pytest.raises(ValueError, match=r"assumes activation='tanh'.*activation='relu'"):
        rnnlib.keras_params(layer)


def test_keras_params_go_backwards(keras):
    layer = keras.layers.SimpleRNN(3, go_backwards=True)
    layer.build((None, None, 2))
    with pytest.raises(ValueError, match="go_backwards=True"):
        rnnlib.keras_params(layer)


def test_keras_params_not_an_rnn(keras):
    layer = keras.layers.Dense(3)
    layer.build((None, 2))
    with pytest.raises(TypeError, match=r"SimpleRNN, GRU or LSTM.*got Dense"):
        rnnlib.keras_params(layer)
