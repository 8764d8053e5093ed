"""Parameter counts and seeded random parameters, in Keras's layout."""

from __future__ import annotations

import math

import numpy as np

from rnnlib._validate import GATES, bias_shape, check_kind, check_size

__all__ = ["init_params", "param_count", "units_for_budget"]


def param_count(kind, units, input_dim, *, reset_after=True):
    """Number of trainable parameters of a recurrent layer, in closed form.

    With d inputs and u units: simple_rnn ``u(d+u+1)``, lstm ``4u(d+u+1)``,
    gru ``3u(d+u+2)`` with ``reset_after=True`` (Keras's default: two bias
    vectors) and ``3u(d+u+1)`` with ``reset_after=False``. Equals Keras's
    ``layer.count_params()``.

    Args:
        kind: one of `"simple_rnn"`, `"gru"`, `"lstm"`.
        units: number of hidden units u.
        input_dim: number of input features d.
        reset_after: GRU only; ignored for the other kinds.

    Returns:
        The number of parameters, an int.

    Example:

    >>> param_count("gru", units=64, input_dim=1)
    12864
    >>> param_count("lstm", units=64, input_dim=1)
    16896
    """
    kind = check_kind(kind)
    u, d = check_size("units", units), check_size("input_dim", input_dim)
    n_bias = 2 if kind == "gru" and reset_after else 1
    return GATES[kind] * u * (d + u + n_bias)


def units_for_budget(kind, budget, input_dim, *, reset_after=True, readout=0, closest=False):
    """The number of units that fits a parameter budget: the inverse of :func:`rnnlib.param_count`.

    The count of a layer with u units, plus an optional ``Dense(readout)`` on
    its output (``u * readout + readout`` more), is a quadratic in u,
    ``k u^2 + (k (d + n_bias) + readout) u + readout``, which grows with u.
    By default the result is the **largest** u whose count is at most the
    budget (0 if not even one unit fits). With ``closest=True`` it is the u
    (at least 1) whose count is nearest to the budget, the smaller on a tie:
    the rule of the course's fair comparisons, which may go a little over.

    Args:
        kind: one of `"simple_rnn"`, `"gru"`, `"lstm"`.
        budget: the number of parameters allowed, an int.
        input_dim: number of input features d.
        reset_after: GRU only, as in :func:`rnnlib.param_count`.
        readout: outputs of a `Dense` layer on the layer's output, counted
            in the budget too; 0 (the default) counts the recurrent layer alone.
        closest: return the u whose count is nearest to the budget instead
            of the largest one within it.

    Returns:
        The number of units, an int.

    Example:

    >>> units_for_budget("gru", 12864, input_dim=1)  # param_count("gru", 64, 1) == 12864
    64
    >>> units_for_budget("gru", 12863, input_dim=1)
    63
    >>> units_for_budget("lstm", 3000, input_dim=2, readout=1, closest=True)
    26
    """
    kind = check_kind(kind)
    d = check_size("input_dim", input_dim)
    if isinstance(budget, bool) or not isinstance(budget, int | np.integer):
        raise ValueError(f"budget must be an integer, got {budget!r}")
    if isinstance(readout, bool) or not isinstance(readout, int | np.integer) or readout < 0:
        raise ValueError(f"readout must be a non-negative integer, got {readout!r}")
    budget, readout = int(budget), int(readout)

    def total(u):
        return param_count(kind, u, d, reset_after=reset_after) + readout * (u + 1)

    # k u^2 + b u + readout <= budget, with b = k (d + n_bias) + readout: the
    # positive root of the quadratic, in integers (math.isqrt), then a check
    # against the closed form on each side so that no rounding can slip in.
    k, n_bias = GATES[kind], 2 if kind == "gru" and reset_after else 1
    b, c = k * (d + n_bias) + readout, budget - readout
    u = max((math.isqrt(b * b + 4 * k * c) - b) // (2 * k), 0) if c > 0 else 0
    while u > 0 and total(u) > budget:
        u -= 1
    while total(u + 1) <= budget:
        u += 1
    if closest and (u == 0 or total(u + 1) - budget < budget - total(u)):
        u += 1
    return u


def init_params(kind, units, input_dim, *, seed, reset_after=True, dtype=np.float64):
    """Seeded random parameters for a recurrent layer, in Keras's layout.

    Every entry, biases included, is drawn uniformly from
    ``[-1/sqrt(units), 1/sqrt(units)]`` (the classic LSTM/GRU initialisation),
    so the biases are non-zero and tests exercise them.

    Args:
        kind: one of `"simple_rnn"`, `"gru"`, `"lstm"`.
        units: number of hidden units u.
        input_dim: number of input features d.
        seed: seed for `numpy.random.default_rng` (required, for reproducibility).
        reset_after: GRU only: bias of shape `(2, 3u)` if True, `(3u,)` if False.
        dtype: float dtype of the arrays.

    Returns:
        Dict with `kernel` `(d, k*u)`, `recurrent_kernel` `(u, k*u)` and
        `bias` `(k*u,)` (k = 1, 3, 4 for simple_rnn, gru, lstm); a GRU dict
        also holds `reset_after`. It loads into Keras with
        `layer.set_weights([p["kernel"], p["recurrent_kernel"], p["bias"]])`.

    Example:

    >>> params = init_params("gru", units=8, input_dim=3, seed=0)
    >>> {key: getattr(value, "shape", value) for key, value in params.items()}
    {'kernel': (3, 24), 'recurrent_kernel': (8, 24), 'bias': (2, 24), 'reset_after': True}
    """
    kind = check_kind(kind)
    u, d = check_size("units", units), check_size("input_dim", input_dim)
    k = GATES[kind]
    reset_after = bool(reset_after)
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(u)
    params = {
        "kernel": rng.uniform(-scale, scale, size=(d, k * u)).astype(dtype),
        "recurrent_kernel": rng.uniform(-scale, scale, size=(u, k * u)).astype(dtype),
        "bias": rng.uniform(-scale, scale, size=bias_shape(kind, u, reset_after)).astype(dtype),
    }
    if kind == "gru":
        params["reset_after"] = reset_after
    return params
