"""Linear recurrences in log space: minGRU's coefficients and the closed form of chapter 13.

A linear recurrence ``h_t = alpha_t * h_{t-1} + beta_t`` (elementwise) unrolls
into a closed form, ``h_t = A_t * (h_0 + sum_{k <= t} beta_k / A_k)`` with
``A_t = alpha_1 * ... * alpha_t``. Computed as it stands, ``A_t`` underflows
and ``1 / A_k`` overflows after a few hundred steps; computed in logarithms
(Heinsen, 2023; Feng et al., 2024), it needs only a cumulative sum and a
running log-sum-exp, and stays exact over any length. The price: every
``beta_t`` and ``h_0`` must be positive (or zero), which is why log-space
minGRU passes its candidate through the positive function ``phi``.

Arrays are batch-major, ``(batch, time, units)``; minGRU's kernel ``W_x``
``(d, 2u)`` holds the blocks z and h side by side, as on the page.
"""

from __future__ import annotations

import numpy as np

__all__ = ["log_phi", "mingru_log_coefficients", "scan_log_space"]


def log_phi(v):
    """The logarithm of minGRU's positive candidate function ``phi`` (the paper's ``g``).

    ``phi(v) = v + 1/2`` for ``v >= 0`` and ``sigmoid(v)`` for ``v < 0``: a
    continuous, increasing, always positive function, so that ``log phi(v)``
    exists. For ``v < 0`` the logarithm is computed as ``-log(1 + e^{-v})``,
    which never rounds ``sigmoid(v)`` to 0.

    Args:
        v: an array of pre-activations, any shape.

    Returns:
        ``log phi(v)``, an array of the same shape.

    Example:

    >>> import numpy as np
    >>> np.exp(log_phi(np.array([-1000.0, 0.0, 1.5]))).round(3)
    array([0. , 0.5, 2. ])
    >>> float(log_phi(np.array(-1000.0)))
    -1000.0
    """
    v = np.asarray(v)
    return np.where(v >= 0, np.log(np.maximum(v, 0) + 0.5), -np.logaddexp(0, -v))


def mingru_log_coefficients(x, W_x, b):
    """``log alpha_t`` and ``log beta_t`` of log-space minGRU for every step at once.

    With ``z_t = sigmoid(x_t W_x^(z) + b^(z))`` (the share of the candidate,
    the paper's convention) and the candidate ``hh_t = phi(x_t W_x^(h) + b^(h))``,
    minGRU is ``h_t = (1 - z_t) * h_{t-1} + z_t * hh_t``: ``alpha_t = 1 - z_t``
    and ``beta_t = z_t * hh_t``. Both logarithms come from the pre-activation
    ``v`` of the gate, ``log(1 - z_t) = -log(1 + e^v)`` and
    ``log z_t = -log(1 + e^{-v})``, so that ``z_t`` itself is never formed.

    Args:
        x: inputs, shape `(batch, time, d)`.
        W_x: the kernel, shape `(d, 2 * units)`, blocks z then h.
        b: the bias, shape `(2 * units,)`.

    Returns:
        The pair ``(log_a, log_b)``, each of shape `(batch, time, units)`.

    Example:

    >>> import numpy as np
    >>> log_a, log_b = mingru_log_coefficients(np.zeros((1, 3, 2)), np.ones((2, 4)), np.zeros(4))
    >>> log_a.shape, np.exp(log_a[0, 0]).tolist(), np.exp(log_b[0, 0]).tolist()
    ((1, 3, 2), [0.5, 0.5], [0.25, 0.25])
    """
    u = W_x.shape[1] // 2
    pre = x @ W_x + b  # (batch, time, 2u): every step in one product
    log_a = -np.logaddexp(0, pre[..., :u])  # log(1 - z_t) = -softplus(pre_z)
    log_z = -np.logaddexp(0, -pre[..., :u])  # log z_t = -softplus(-pre_z)
    return log_a, log_z + log_phi(pre[..., u:])


def scan_log_space(log_a, log_b, log_h0=None):
    """Every state of ``h_t = alpha_t * h_{t-1} + beta_t``, from the logarithms of the coefficients.

    ``log h_t = log A_t + logcumsumexp_k(log beta_k - log A_k)`` with
    ``log A_t = cumsum(log alpha_t)`` over time: two prefix sums, no loop over
    time, and no number as large as ``1 / A_t`` is ever formed. With
    ``log_h0``, the initial state enters the running log-sum-exp as the term
    before step 1 (``log h_0``, which ``A_0 = 1`` leaves as it is); without it
    the recurrence starts from ``h_0 = 0``.

    Args:
        log_a: ``log alpha_t``, shape `(batch, time, units)`.
        log_b: ``log beta_t``, same shape (``-inf`` for a zero ``beta_t``).
        log_h0: ``log h_0``, shape `(batch, units)` (``-inf`` for a zero
            entry), or None for ``h_0 = 0``.

    Returns:
        ``hs``, shape `(batch, time, units)`: ``hs[:, t - 1]`` is ``h_t``.

    Example:

    >>> import numpy as np
    >>> a, b = np.full((1, 3, 1), 0.5), np.ones((1, 3, 1))  # h_t = h_{t-1} / 2 + 1
    >>> scan_log_space(np.log(a), np.log(b))[0, :, 0].round(6).tolist()
    [1.0, 1.5, 1.75]
    >>> log_h0 = np.log(np.full((1, 1), 4.0))  # h_0 = 4
    >>> scan_log_space(np.log(a), np.log(b), log_h0)[0, :, 0].round(6).tolist()
    [3.0, 2.5, 2.25]
    """
    log_A = np.cumsum(log_a, axis=1)  # log A_t, t = 1..T
    terms = log_b - log_A  # log(beta_k / A_k)
    if log_h0 is not None:
        terms = np.concatenate([np.asarray(log_h0)[:, None, :], terms], axis=1)  # k = 0: h_0
        return np.exp(log_A + np.logaddexp.accumulate(terms, axis=1)[:, 1:])
    return np.exp(log_A + np.logaddexp.accumulate(terms, axis=1))
