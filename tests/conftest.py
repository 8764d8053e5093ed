"""Shared fixtures. The TensorFlow environment variables are set first, before
anything can import TensorFlow."""

import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"

import numpy as np  # noqa: E402
import pytest  # noqa: E402

KERAS_LAYERS = {"simple_rnn": "SimpleRNN", "gru": "GRU", "lstm": "LSTM"}


@pytest.fixture(scope="session")
def keras():
    """The keras module (skips the test if TensorFlow/Keras is not installed)."""
    return pytest.importorskip("keras")


@pytest.fixture
def float64(keras):
    """Keras computing in float64 for one test; the old settings come back after it.

    Both floatx and the global dtype policy are set: once any layer has been
    built without a dtype, Keras has fixed its policy, and floatx alone no longer
    changes new layers.
    """
    old_floatx, old_policy = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    yield keras
    keras.config.set_floatx(old_floatx)
    keras.config.set_dtype_policy(old_policy)


@pytest.fixture(scope="session")
def make_layer(keras):
    """Factory for a Keras recurrent layer with return_sequences (and return_state for lstm).

    The layer is built for ``input_dim`` features, and every weight (biases
    included, which Keras initialises to zero or one) is replaced by a seeded
    uniform draw so that the tests exercise all of them.
    """

    def make(kind, units, input_dim, *, reset_after=True, dtype="float64", seed=0, **kwargs):
        cls = getattr(keras.layers, KERAS_LAYERS[kind])
        if kind == "gru":
            kwargs["reset_after"] = reset_after
        if kind == "lstm":
            kwargs["return_state"] = True
        layer = cls(units, return_sequences=True, dtype=dtype, **kwargs)
        layer.build((None, None, input_dim))
        rng = np.random.default_rng(seed)
        layer.set_weights([rng.uniform(-0.6, 0.6, size=w.shape) for w in layer.get_weights()])
        return layer

    return make
