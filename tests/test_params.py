"""param_count against Keras's count_params, and init_params's layout."""

import itertools

import numpy as np
import pytest

import rnnlib

VARIANTS = [("simple_rnn", True), ("gru", True), ("gru", False), ("lstm", True)]
IDS = ["simple_rnn", "gru", "gru_reset_before", "lstm"]
KERAS_LAYERS = {"simple_rnn": "SimpleRNN", "gru": "GRU", "lstm": "LSTM"}


def test_param_count_literal_numbers():
    # The numbers quoted in the course text.
    assert rnnlib.param_count("gru", 64, 1) == 12_864
    assert rnnlib.param_count("gru", 64, 1, reset_after=False) == 12_672
    assert rnnlib.param_count("lstm", 64, 1) == 16_896
    assert rnnlib.param_count("simple_rnn", 64, 1) == 64 * (1 + 64 + 1)


@pytest.mark.keras
@pytest.mark.parametrize(("kind", "reset_after"), VARIANTS, ids=IDS)
def test_param_count_matches_keras(keras, kind, reset_after):
    cls = getattr(keras.layers, KERAS_LAYERS[kind])
    kwargs = {"reset_after": reset_after} if kind == "gru" else {}
    for units, input_dim in itertools.product([1, 3, 16, 64], [1, 5, 32]):
        layer = cls(units, **kwargs)
        layer.build((None, None, input_dim))
        got = rnnlib.param_count(kind, units, input_dim, reset_after=reset_after)
        assert got == layer.count_params(), (units, input_dim)


@pytest.mark.parametrize(("kind", "reset_after"), VARIANTS, ids=IDS)
def test_param_count_equals_init_params_size(kind, reset_after):
    params = rnnlib.init_params(kind, 5, 2, seed=0, reset_after=reset_after)
    size = sum(v.size for v in params.values() if isinstance(v, np.ndarray))
    assert rnnlib.param_count(kind, 5, 2, reset_after=reset_after) == size


@pytest.mark.keras
@pytest.mark.parametrize(("kind", "reset_after"), VARIANTS, ids=IDS)
def test_init_params_shapes_match_keras_get_weights(keras, kind, reset_after):
    cls = getattr(keras.layers, KERAS_LAYERS[kind])
    kwargs = {"reset_after": reset_after} if kind == "gru" else {}
    layer = cls(4, **kwargs)
    layer.build((None, None, 3))
    params = rnnlib.init_params(kind, 4, 3, seed=0, reset_after=reset_after)
    got = [params["kernel"].shape, params["recurrent_kernel"].shape, params["bias"].shape]
    assert got == [w.shape for w in layer.get_weights()]


def test_init_params_literal_shapes():
    gru = rnnlib.init_params("gru", 8, 3, seed=0)
    assert gru["kernel"].shape == (3, 24)
    assert gru["recurrent_kernel"].shape == (8, 24)
    assert gru["bias"].shape == (2, 24)
    assert gru["reset_after"] is True
    assert rnnlib.init_params("gru", 8, 3, seed=0, reset_after=False)["bias"].shape == (24,)
    lstm = rnnlib.init_params("lstm", 8, 3, seed=0)
    assert (lstm["kernel"].shape, lstm["bias"].shape) == ((3, 32), (32,))
    assert "reset_after" not in lstm
    assert rnnlib.init_params("simple_rnn", 8, 3, seed=0)["recurrent_kernel"].shape == (8, 8)


def test_init_params_is_seeded_nonzero_and_typed():
    a = rnnlib.init_params("lstm", 4, 2, seed=3)
    b = rnnlib.init_params("lstm", 4, 2, seed=3)
    c = rnnlib.init_params("lstm", 4, 2, seed=4)
    for key in ("kernel", "recurrent_kernel", "bias"):
        np.testing.assert_array_equal(a[key], b[key])
        assert not np.array_equal(a[key], c[key])
        assert np.all(a[key] != 0)
        assert np.all(np.abs(a[key]) <= 0.5)  # 1/sqrt(4)
        assert a[key].dtype == np.float64
    f32 = rnnlib.init_params("gru", 4, 2, seed=3, dtype=np.float32)
    assert f32["kernel"].dtype == f32["bias"].dtype == np.float32


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("rnn", 4, 2), "kind must be one of 'simple_rnn', 'gru', 'lstm', got 'rnn'"),
        (("gru", 0, 2), "units must be a positive integer, got 0"),
        (("gru", 4, 2.5), "input_dim must be a positive integer, got 2.5"),
    ],
)
def test_param_functions_reject_bad_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        rnnlib.param_count(*args)
    with pytest.raises(ValueError, match=match):
        rnnlib.init_params(*args, seed=0)
