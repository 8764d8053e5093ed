"""Read a Keras recurrent layer's weights into an rnnlib params dict.

Keras is imported inside :func:`keras_params`, so ``import rnnlib`` never
imports TensorFlow.
"""

from __future__ import annotations

import numpy as np

from rnnlib._validate import bias_shape

__all__ = ["keras_params"]


def keras_params(layer):
    """Read a built Keras ``SimpleRNN``, ``GRU`` or ``LSTM`` layer into a params dict.

    The bare cells (``SimpleRNNCell``, ``GRUCell``, ``LSTMCell``) work too, as
    does ``keras.layers.RNN`` wrapping one of them. A layer built with
    ``use_bias=False`` gives zero biases of the right shape, so
    :func:`rnnlib.forward` still matches it.

    Args:
        layer: a built Keras recurrent layer or cell with the default
            activations (tanh and sigmoid) and `go_backwards=False`.

    Returns:
        Dict of numpy arrays `kernel` `(features, k*units)`,
        `recurrent_kernel` `(units, k*units)` and `bias`, in the layout of
        `layer.get_weights()`; a GRU dict also holds `reset_after` (bool).

    Raises:
        TypeError: if `layer` is not one of the layers or cells above.
        ValueError: if it is not built yet, is `Bidirectional`, runs
            backwards or uses an activation other than the defaults.

    Example:

    >>> import keras, numpy as np
    >>> layer = keras.layers.GRU(8, return_sequences=True)
    >>> _ = layer(np.zeros((1, 5, 3), dtype="float32"))  # builds the weights
    >>> params = keras_params(layer)
    >>> params["kernel"].shape, params["bias"].shape, params["reset_after"]
    ((3, 24), (2, 24), True)
    """
    import keras  # lazy: TensorFlow is only needed here

    layers = keras.layers
    name = type(layer).__name__
    if isinstance(layer, layers.Bidirectional):
        raise ValueError(
            "keras_params got a Bidirectional layer, which holds two RNNs: call "
            "keras_params(layer.forward_layer) and keras_params(layer.backward_layer) "
            "and run the backward one on the time-reversed input"
        )
    if isinstance(layer, layers.RNN):
        if getattr(layer, "go_backwards", False):
            raise ValueError(
                f"keras_params got a {name} with go_backwards=True; rnnlib.forward runs "
                "forwards in time: build the layer with go_backwards=False, or reverse "
                "the time axis of x yourself (x[:, ::-1])"
            )
        cell = layer.cell
    else:
        cell = layer

    kinds = {layers.SimpleRNNCell: "simple_rnn", layers.GRUCell: "gru", layers.LSTMCell: "lstm"}
    kind = next((k for cls, k in kinds.items() if isinstance(cell, cls)), None)
    if kind is None:
        raise TypeError(
            "keras_params expects a SimpleRNN, GRU or LSTM layer (or SimpleRNNCell, "
            f"GRUCell, LSTMCell), got {name}"
        )
    if not (layer.built and cell.built):
        raise ValueError(
            f"the {name} is not built yet, so it has no weights: call it on data first, "
            f"e.g. layer(x) with x of shape (batch, time, features), or call "
            f"layer.build((None, None, features))"
        )

    expected = {"activation": "tanh", "recurrent_activation": "sigmoid"}
    for attr, want in expected.items():
        fn = getattr(cell, attr, None)
        if fn is None:  # SimpleRNN has no recurrent_activation
            continue
        found = getattr(fn, "__name__", repr(fn))
        if found != want:
            raise ValueError(
                f"rnnlib.forward assumes {attr}={want!r}, but this {name} uses {attr}={found!r}"
            )

    def to_numpy(variable):
        return np.array(keras.ops.convert_to_numpy(variable))

    kernel = to_numpy(cell.kernel)
    recurrent_kernel = to_numpy(cell.recurrent_kernel)
    reset_after = bool(getattr(cell, "reset_after", True))
    if cell.use_bias:
        bias = to_numpy(cell.bias)
    else:  # no bias in the layer is the same as a zero bias
        units = recurrent_kernel.shape[0]
        bias = np.zeros(bias_shape(kind, units, reset_after), dtype=kernel.dtype)
    params = {"kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias": bias}
    if kind == "gru":
        params["reset_after"] = reset_after
    return params
