"""Recording a gated cell's gates over a whole sequence, for looking at them.

:func:`rnnlib.forward` returns the hidden states only; :func:`gru_gates`
returns, for a GRU, every gate and candidate as well, step by step, from the
same cell maths (``rnnlib.cells``). Chapter 6 draws them as heatmaps.
"""

from __future__ import annotations

import numpy as np

from rnnlib import cells

__all__ = ["gru_gates"]


def gru_gates(x, params, *, initial_state=None):
    """Run a GRU over ``x`` and record every gate and state, like Keras with reset_after=True.

    With the blocks z, r, h of Keras's weights (see :func:`rnnlib.gru_step`),
    each step computes ``z_t = sigmoid(...)``, ``r_t = sigmoid(...)``, the
    candidate ``hh_t = tanh(...)`` and ``h_t = z_t*h_{t-1} + (1 - z_t)*hh_t``;
    this function keeps all four, for every step.

    Args:
        x: inputs, shape `(batch, time, features)`.
        params: dict with `kernel` `(features, 3*units)`, `recurrent_kernel`
            `(units, 3*units)`, `bias` and optionally `reset_after` (default
            True), as :func:`rnnlib.keras_params` reads them from a Keras `GRU`.
        initial_state: h_0 of shape `(batch, units)`. Defaults to zeros.

    Returns:
        Dict with `z` (update gate), `r` (reset gate), `hh` (candidate) and
        `h` (hidden state), each of shape `(batch, time, units)`; `h` is what
        :func:`rnnlib.forward` returns.

    Example:

    >>> import numpy as np
    >>> import rnnlib
    >>> params = rnnlib.init_params("gru", units=4, input_dim=3, seed=0)
    >>> x = np.random.default_rng(0).normal(size=(2, 5, 3))
    >>> record = gru_gates(x, params)
    >>> sorted(record), record["z"].shape
    (['h', 'hh', 'r', 'z'], (2, 5, 4))
    >>> bool(np.allclose(record["h"], rnnlib.forward("gru", x, params)))
    True
    """
    x, W_x, W_h, bias, h0, _, reset_after = cells._prepare("gru", x, params, initial_state)
    hs, _, cache = cells._run("gru", x, W_x, W_h, bias, h0, None, reset_after, keep_cache=True)
    record = {"z": np.empty_like(hs), "r": np.empty_like(hs), "hh": np.empty_like(hs), "h": hs}
    for t, (z_t, r_t, hh_t, _) in enumerate(cache):
        record["z"][:, t], record["r"][:, t], record["hh"][:, t] = z_t, r_t, hh_t
    return record
