"""The three recurrent cells in numpy: one step, a whole sequence, and BPTT.

Conventions (the same as Keras, so weights move freely between the two):

* arrays are batch-major: ``x`` is ``(batch, time, features)``;
* weights multiply from the right: ``x_t @ W_x``;
* a params dict holds ``kernel`` ``(d, k*u)``, ``recurrent_kernel`` ``(u, k*u)``
  and ``bias``, with the k gate blocks side by side: i, f, c, o for the LSTM and
  z, r, h for the GRU. In the maths below ``W_x`` is the kernel and ``W_h`` the
  recurrent kernel.

The cell maths lives in three small private ``_*_recurrence`` functions. They
take the input projection ``x_t @ W_x + b`` already computed, because
:func:`forward` computes it for all time steps in one matmul before the loop.
The public step functions (:func:`rnn_step`, :func:`lstm_step`,
:func:`gru_step`) and :func:`forward` both call them, and :func:`backward`
reuses the gate activations they return. Their activation functions are
keyword arguments, like Keras's ``activation`` and ``recurrent_activation``
(split by role), so that :mod:`rnnlib.checks` can build a learner's likely
mistake, "tanh where the gates need sigmoid", from this one copy of the maths.
"""

from __future__ import annotations

import numpy as np

from rnnlib._validate import (
    KINDS,
    as_array,
    check_initial_state,
    check_input,
    check_params,
    check_shape,
    check_state,
    result_dtype,
)

__all__ = ["KINDS", "backward", "forward", "gru_step", "lstm_step", "rnn_step"]


def _sigmoid(a):
    """The logistic function 1 / (1 + exp(-a)), written with tanh so it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


# --------------------------------------------------------------------------
# The cell maths, once. xw_t is the input projection x_t @ W_x + b (batch, k*u).
# --------------------------------------------------------------------------


def _rnn_recurrence(xw_t, h_prev, W_h, activation=np.tanh):
    """Simple RNN: h_t = tanh(x_t @ W_x + b + h_prev @ W_h)."""
    return activation(xw_t + h_prev @ W_h)


def _lstm_recurrence(xw_t, h_prev, c_prev, W_h, gate=_sigmoid, candidate=np.tanh, output=np.tanh):
    """LSTM step; returns h_t, c_t and the gates (i_t, f_t, g_t, o_t) for backward."""
    u = h_prev.shape[-1]
    a_t = xw_t + h_prev @ W_h  # (batch, 4u) pre-activations, blocks i, f, c, o
    i_t = gate(a_t[:, :u])  # input gate
    f_t = gate(a_t[:, u : 2 * u])  # forget gate
    g_t = candidate(a_t[:, 2 * u : 3 * u])  # candidate cell values (Keras's "c" block)
    o_t = gate(a_t[:, 3 * u :])  # output gate
    c_t = f_t * c_prev + i_t * g_t
    h_t = o_t * output(c_t)
    return h_t, c_t, (i_t, f_t, g_t, o_t)


def _gru_recurrence(xw_t, h_prev, W_h, b_rec, reset_after, gate=_sigmoid, candidate=np.tanh):
    """GRU step; returns h_t and (z_t, r_t, hh_t, hh) for backward.

    ``b_rec`` is the recurrent bias row (reset_after=True only, else None); ``hh`` is
    the recurrent part of the candidate before it meets the reset gate.
    """
    u = h_prev.shape[-1]
    xz, xr, xh = xw_t[:, :u], xw_t[:, u : 2 * u], xw_t[:, 2 * u :]
    if reset_after:
        # Keras's default (and cuDNN's): the reset gate acts after the matmul.
        hw_t = h_prev @ W_h + b_rec
        hz, hr, hh = hw_t[:, :u], hw_t[:, u : 2 * u], hw_t[:, 2 * u :]
        z_t = gate(xz + hz)  # update gate
        r_t = gate(xr + hr)  # reset gate
        hh_t = candidate(xh + r_t * hh)  # candidate h~_t
    else:
        # Cho et al. (2014): the reset gate acts on h_prev before the matmul.
        hw_t = h_prev @ W_h[:, : 2 * u]
        hz, hr = hw_t[:, :u], hw_t[:, u:]
        z_t = gate(xz + hz)
        r_t = gate(xr + hr)
        hh = (r_t * h_prev) @ W_h[:, 2 * u :]
        hh_t = candidate(xh + hh)
    # Keras and Cho et al.: z_t keeps the old state (some blog posts swap z and 1-z).
    h_t = z_t * h_prev + (1.0 - z_t) * hh_t
    return h_t, (z_t, r_t, hh_t, hh)


# --------------------------------------------------------------------------
# Public step functions: the reference for the graded exercises.
# --------------------------------------------------------------------------


def rnn_step(x_t, h_prev, W_x, W_h, b):
    """One step of a simple (Elman) RNN: ``h_t = tanh(x_t @ W_x + h_prev @ W_h + b)``.

    Args:
        x_t: input at time t, shape `(batch, features)`.
        h_prev: previous hidden state h_{t-1}, shape `(batch, units)`.
        W_x: input weights (Keras's `kernel`), shape `(features, units)`.
        W_h: recurrent weights (`recurrent_kernel`), shape `(units, units)`.
        b: bias, shape `(units,)`.

    Returns:
        h_t, shape `(batch, units)`, in the result dtype of the inputs.

    Example:

    >>> import numpy as np
    >>> x_t, h_prev = np.ones((2, 3)), np.zeros((2, 4))
    >>> W_x, W_h, b = np.zeros((3, 4)), np.zeros((4, 4)), np.full(4, 0.5)
    >>> rnn_step(x_t, h_prev, W_x, W_h, b).round(4)  # tanh(0.5) everywhere
    array([[0.4621, 0.4621, 0.4621, 0.4621],
           [0.4621, 0.4621, 0.4621, 0.4621]])
    """
    names = {"kernel": "W_x", "recurrent_kernel": "W_h", "bias": "b"}
    p = check_params("simple_rnn", {"kernel": W_x, "recurrent_kernel": W_h, "bias": b}, names)
    x_t = check_input("x_t", x_t, p.input_dim, axes=("batch",))
    h_prev = check_state("h_prev", h_prev, x_t.shape[0], p.units)
    dtype = result_dtype(x_t, h_prev, p.kernel, p.recurrent_kernel, p.bias)
    x_t, h_prev, W_x, W_h, b = (
        a.astype(dtype, copy=False) for a in (x_t, h_prev, p.kernel, p.recurrent_kernel, p.bias)
    )
    return _rnn_recurrence(x_t @ W_x + b, h_prev, W_h)


def lstm_step(x_t, h_prev, c_prev, params):
    """One LSTM step (Keras 3 defaults: sigmoid gates, tanh candidate and output).

    With ``a = x_t @ kernel + h_prev @ recurrent_kernel + bias`` split into the
    blocks i, f, c, o: ``i_t, f_t, o_t = sigmoid(...)``, ``g_t = tanh(a_c)``,
    ``c_t = f_t*c_{t-1} + i_t*g_t`` and ``h_t = o_t*tanh(c_t)``.

    Args:
        x_t: input at time t, shape `(batch, features)`.
        h_prev: previous hidden state h_{t-1}, shape `(batch, units)`.
        c_prev: previous cell state c_{t-1}, shape `(batch, units)`.
        params: dict with `kernel` `(features, 4*units)`,
            `recurrent_kernel` `(units, 4*units)` and `bias` `(4*units,)`.

    Returns:
        Tuple `(h_t, c_t)`, each of shape `(batch, units)`.

    Example:

    >>> import numpy as np
    >>> import rnnlib
    >>> params = rnnlib.init_params("lstm", units=4, input_dim=3, seed=0)
    >>> h_t, c_t = lstm_step(np.ones((2, 3)), np.zeros((2, 4)), np.zeros((2, 4)), params)
    >>> h_t.shape, c_t.shape
    ((2, 4), (2, 4))
    """
    p = check_params("lstm", params)
    x_t = check_input("x_t", x_t, p.input_dim, axes=("batch",))
    h_prev = check_state("h_prev", h_prev, x_t.shape[0], p.units)
    c_prev = check_state("c_prev", c_prev, x_t.shape[0], p.units)
    dtype = result_dtype(x_t, h_prev, c_prev, p.kernel, p.recurrent_kernel, p.bias)
    x_t, h_prev, c_prev, W_x, W_h, b = (
        a.astype(dtype, copy=False)
        for a in (x_t, h_prev, c_prev, p.kernel, p.recurrent_kernel, p.bias)
    )
    h_t, c_t, _ = _lstm_recurrence(x_t @ W_x + b, h_prev, c_prev, W_h)
    return h_t, c_t


def gru_step(x_t, h_prev, params):
    """One GRU step with the update ``h_t = z_t*h_{t-1} + (1-z_t)*h~_t``.

    That update convention is Keras's and Cho et al. (2014)'s; some blog posts
    swap z_t and 1-z_t. With ``W_x``, ``W_h`` the kernel and recurrent kernel,
    split into their z, r, h blocks, and ``params["reset_after"]`` (default
    True, as in Keras) choosing where the reset gate acts:

    * True, bias `(2, 3*units)` = rows ``b_in`` (input) and ``b_rec`` (recurrent):
      ``xz, xr, xh = x_t @ W_x + b_in`` and ``hz, hr, hh = h_prev @ W_h + b_rec``;
      ``z_t = sigmoid(xz + hz)``, ``r_t = sigmoid(xr + hr)``,
      ``h~_t = tanh(xh + r_t * hh)``.
    * False, bias ``b`` `(3*units,)`: ``xz, xr, xh = x_t @ W_x + b``;
      ``z_t = sigmoid(xz + h_prev @ W_h_z)``, ``r_t = sigmoid(xr + h_prev @ W_h_r)``,
      ``h~_t = tanh(xh + (r_t * h_prev) @ W_h_h)``.

    Args:
        x_t: input at time t, shape `(batch, features)`.
        h_prev: previous hidden state h_{t-1}, shape `(batch, units)`.
        params: dict with `kernel` `(features, 3*units)`,
            `recurrent_kernel` `(units, 3*units)`, `bias` and optionally
            `reset_after` (bool). Gate order z, r, h.

    Returns:
        h_t, shape `(batch, units)`.

    Example:

    >>> import numpy as np
    >>> import rnnlib
    >>> params = rnnlib.init_params("gru", units=4, input_dim=3, seed=0)
    >>> gru_step(np.ones((2, 3)), np.zeros((2, 4)), params).shape
    (2, 4)
    """
    p = check_params("gru", params)
    x_t = check_input("x_t", x_t, p.input_dim, axes=("batch",))
    h_prev = check_state("h_prev", h_prev, x_t.shape[0], p.units)
    dtype = result_dtype(x_t, h_prev, p.kernel, p.recurrent_kernel, p.bias)
    x_t, h_prev, W_x, W_h, bias = (
        a.astype(dtype, copy=False) for a in (x_t, h_prev, p.kernel, p.recurrent_kernel, p.bias)
    )
    b_in, b_rec = _split_bias("gru", bias, p.reset_after)
    h_t, _ = _gru_recurrence(x_t @ W_x + b_in, h_prev, W_h, b_rec, p.reset_after)
    return h_t


# --------------------------------------------------------------------------
# Whole sequences.
# --------------------------------------------------------------------------


def _split_bias(kind, bias, reset_after):
    """Return (b_in, b_rec): the input bias and the recurrent bias row, which only a
    reset_after GRU has (else None)."""
    if kind == "gru" and reset_after:
        return bias[0], bias[1]
    return bias, None


def _prepare(kind, x, params, initial_state):
    """Check the arguments of forward/backward and cast them to one float dtype."""
    p = check_params(kind, params)
    x = check_input("x", x, p.input_dim)
    h0, c0 = check_initial_state(kind, initial_state, x.shape[0], p.units)
    dtype = result_dtype(x, p.kernel, p.recurrent_kernel, p.bias)
    x, W_x, W_h, bias, h0 = (
        a.astype(dtype, copy=False) for a in (x, p.kernel, p.recurrent_kernel, p.bias, h0)
    )
    c0 = None if c0 is None else c0.astype(dtype, copy=False)
    return x, W_x, W_h, bias, h0, c0, p.reset_after


def _run(kind, x, W_x, W_h, bias, h0, c0, reset_after, keep_cache=False):
    """Loop over time; returns hs, cs (lstm, else None) and the per-step gate cache."""
    batch, time, _ = x.shape
    b_in, b_rec = _split_bias(kind, bias, reset_after)
    # The input projection for every time step at once: one matmul, (batch, time, k*u).
    xw = x @ W_x + b_in
    hs = np.empty((batch, time, h0.shape[-1]), dtype=x.dtype)
    cs = np.empty_like(hs) if kind == "lstm" else None
    cache = []
    h_t, c_t, gates = h0, c0, None
    for t in range(time):
        if kind == "simple_rnn":
            h_t = _rnn_recurrence(xw[:, t], h_t, W_h)
        elif kind == "lstm":
            h_t, c_t, gates = _lstm_recurrence(xw[:, t], h_t, c_t, W_h)
            cs[:, t] = c_t
        else:
            h_t, gates = _gru_recurrence(xw[:, t], h_t, W_h, b_rec, reset_after)
        hs[:, t] = h_t
        if keep_cache:
            cache.append(gates)
    return hs, cs, cache


def forward(kind, x, params, *, initial_state=None):
    """Run a recurrent layer over a whole sequence, like Keras with ``return_sequences=True``.

    Computes the input projection ``x @ kernel + bias`` for all time steps in
    one matmul, then loops over time with the same cell maths as
    :func:`rnn_step`, :func:`lstm_step` and :func:`gru_step`. Works in the
    result dtype of ``x`` and ``params`` (float32 stays float32).

    Args:
        kind: one of `"simple_rnn"`, `"gru"`, `"lstm"`.
        x: inputs, shape `(batch, time, features)`.
        params: dict with `kernel` `(features, k*units)`,
            `recurrent_kernel` `(units, k*units)` and `bias` in Keras's layout
            (k = 1, 3, 4 for simple_rnn, gru, lstm; see :func:`gru_step` for
            the GRU bias and `reset_after`).
        initial_state: h_0 of shape `(batch, units)`, or for "lstm" a pair
            `(h_0, c_0)`. Defaults to zeros.

    Returns:
        hs, every hidden state, shape `(batch, time, units)`; for "lstm" the
        pair `(hs, cs)` with the cell states `cs` of the same shape.

    Example:

    >>> import numpy as np
    >>> import rnnlib
    >>> params = rnnlib.init_params("lstm", units=8, input_dim=3, seed=0, dtype=np.float32)
    >>> x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype(np.float32)
    >>> hs, cs = forward("lstm", x, params)
    >>> hs.shape, cs.shape, hs.dtype
    ((2, 5, 8), (2, 5, 8), dtype('float32'))
    """
    hs, cs, _ = _run(kind, *_prepare(kind, x, params, initial_state))
    return (hs, cs) if kind == "lstm" else hs


# --------------------------------------------------------------------------
# Backpropagation through time, one block per kind.
#
# Each block walks backwards in time. dh_next is the gradient reaching h_t
# from step t+1 (and dc_next for c_t in the LSTM). Each block fills
# dxw[:, t], the gradient of the loss w.r.t. the input projection
# x_t @ W_x + b_x, and accumulates the recurrent kernel gradient dW_h.
# The kernel and input-bias gradients then come out of dxw in one matmul.
# --------------------------------------------------------------------------


def _rnn_backward(W_h, hs, h_prevs, d_hs):
    """BPTT for the simple RNN; only the hidden states are needed."""
    dxw = np.empty(hs.shape, dtype=hs.dtype)
    dW_h = np.zeros_like(W_h)
    dh_next = np.zeros_like(h_prevs[:, 0])
    for t in reversed(range(hs.shape[1])):
        h_t, h_prev = hs[:, t], h_prevs[:, t]
        dh_t = d_hs[:, t] + dh_next
        # h_t = tanh(a_t), a_t = xw_t + h_prev @ W_h
        da_t = dh_t * (1.0 - h_t**2)
        dxw[:, t] = da_t
        dW_h += h_prev.T @ da_t
        dh_next = da_t @ W_h.T
    return dxw, dW_h, None, dh_next


def _lstm_backward(W_h, hs, h_prevs, d_hs, cache, cs, c_prevs, d_cs):
    """BPTT for the LSTM; cache[t] holds the gates (i_t, f_t, g_t, o_t)."""
    batch, time, u = hs.shape
    dxw = np.empty((batch, time, 4 * u), dtype=hs.dtype)
    dW_h = np.zeros_like(W_h)
    dh_next = np.zeros_like(h_prevs[:, 0])
    dc_next = np.zeros_like(h_prevs[:, 0])
    for t in reversed(range(time)):
        i_t, f_t, g_t, o_t = cache[t]
        tanh_c = np.tanh(cs[:, t])
        dh_t = d_hs[:, t] + dh_next
        # h_t = o_t * tanh(c_t): c_t gets gradient from h_t as well as from d_cs and step t+1
        do_t = dh_t * tanh_c
        dc_t = d_cs[:, t] + dc_next + dh_t * o_t * (1.0 - tanh_c**2)
        # c_t = f_t * c_prev + i_t * g_t
        di_t = dc_t * g_t
        df_t = dc_t * c_prevs[:, t]
        dg_t = dc_t * i_t
        dc_next = dc_t * f_t
        # back through sigmoid (s' = s(1-s)) and tanh (1 - g^2) to a_t = xw_t + h_prev @ W_h
        da_t = np.concatenate(
            [
                di_t * i_t * (1.0 - i_t),
                df_t * f_t * (1.0 - f_t),
                dg_t * (1.0 - g_t**2),
                do_t * o_t * (1.0 - o_t),
            ],
            axis=1,
        )
        dxw[:, t] = da_t
        dW_h += h_prevs[:, t].T @ da_t
        dh_next = da_t @ W_h.T
    return dxw, dW_h, None, (dh_next, dc_next)


def _gru_backward(W_h, hs, h_prevs, d_hs, cache, reset_after):
    """BPTT for the GRU; cache[t] holds (z_t, r_t, hh_t, hh)."""
    batch, time, u = hs.shape
    dxw = np.empty((batch, time, 3 * u), dtype=hs.dtype)
    dW_h = np.zeros_like(W_h)
    db_rec = np.zeros(3 * u, dtype=hs.dtype) if reset_after else None
    dh_next = np.zeros_like(h_prevs[:, 0])
    for t in reversed(range(time)):
        z_t, r_t, hh_t, hh = cache[t]
        h_prev = h_prevs[:, t]
        dh_t = d_hs[:, t] + dh_next
        # h_t = z_t * h_prev + (1 - z_t) * hh_t
        dz_t = dh_t * (h_prev - hh_t)
        dh_prev = dh_t * z_t
        # hh_t = tanh(xh + recurrent part): da_h is the gradient of the tanh argument
        da_h = dh_t * (1.0 - z_t) * (1.0 - hh_t**2)
        if reset_after:
            # recurrent part = r_t * hh, with [hz, hr, hh] = h_prev @ W_h + b_rec
            dr_t = da_h * hh
            da_z = dz_t * z_t * (1.0 - z_t)
            da_r = dr_t * r_t * (1.0 - r_t)
            dhw = np.concatenate([da_z, da_r, da_h * r_t], axis=1)
            dW_h += h_prev.T @ dhw
            db_rec += dhw.sum(axis=0)
            dh_prev += dhw @ W_h.T
        else:
            # recurrent part = (r_t * h_prev) @ W_h_h, with [hz, hr] = h_prev @ W_h[:, :2u]
            d_rh = da_h @ W_h[:, 2 * u :].T
            dr_t = d_rh * h_prev
            da_z = dz_t * z_t * (1.0 - z_t)
            da_r = dr_t * r_t * (1.0 - r_t)
            da_zr = np.concatenate([da_z, da_r], axis=1)
            dW_h[:, : 2 * u] += h_prev.T @ da_zr
            dW_h[:, 2 * u :] += (r_t * h_prev).T @ da_h
            dh_prev += da_zr @ W_h[:, : 2 * u].T + d_rh * r_t
        dxw[:, t] = np.concatenate([da_z, da_r, da_h], axis=1)
        dh_next = dh_prev
    return dxw, dW_h, db_rec, dh_next


def backward(kind, x, params, d_hs, *, initial_state=None, d_cs=None, input_grads=False):
    """Backpropagation through time: gradients of a loss given ``d_hs = dL/dhs``.

    Re-runs :func:`forward` keeping the gate activations, then walks back in
    time. For a loss ``L`` with ``dL/dhs = d_hs`` (and ``dL/dcs = d_cs`` for
    the LSTM) it returns ``dL/dparams`` and ``dL/dinitial_state``.

    Args:
        kind: one of `"simple_rnn"`, `"gru"`, `"lstm"`.
        x: inputs, shape `(batch, time, features)`.
        params: params dict as for :func:`forward`.
        d_hs: upstream gradient on every hidden state, shape `(batch, time, units)`.
        initial_state: as for :func:`forward`; defaults to zeros.
        d_cs: "lstm" only: upstream gradient on every cell state, shape
            `(batch, time, units)`. Defaults to zeros.
        input_grads: if True, the dict also holds `inputs`: dL/dx, of the
            shape of `x` (what `tape.gradient(loss, x)` gives in TensorFlow).

    Returns:
        Dict with `kernel`, `recurrent_kernel` and `bias` (the shapes of
        params) and `initial_state`: dL/dh_0 of shape `(batch, units)`, for
        "lstm" the pair `(dL/dh_0, dL/dc_0)`; with `input_grads`, also
        `inputs`.

    Example:

    >>> import numpy as np
    >>> import rnnlib
    >>> params = rnnlib.init_params("gru", units=4, input_dim=3, seed=0)
    >>> x = np.random.default_rng(0).normal(size=(2, 5, 3))
    >>> grads = backward("gru", x, params, d_hs=np.ones((2, 5, 4)))  # L = sum(hs)
    >>> grads["kernel"].shape, grads["bias"].shape, grads["initial_state"].shape
    ((3, 12), (2, 12), (2, 4))
    >>> backward("gru", x, params, np.ones((2, 5, 4)), input_grads=True)["inputs"].shape
    (2, 5, 3)
    """
    x, W_x, W_h, bias, h0, c0, reset_after = _prepare(kind, x, params, initial_state)
    batch, time, _ = x.shape
    units = W_h.shape[0]
    d_hs = as_array("d_hs", d_hs)
    check_shape("d_hs", d_hs, (batch, time, units), "like the hidden states (batch, time, units)")
    d_hs = d_hs.astype(x.dtype, copy=False)
    if d_cs is not None and kind != "lstm":
        raise ValueError(f"d_cs is only for kind='lstm' (cell states), got kind={kind!r}")

    hs, cs, cache = _run(kind, x, W_x, W_h, bias, h0, c0, reset_after, keep_cache=True)
    # h_{t-1} for every t: the initial state, then all hidden states but the last.
    h_prevs = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)

    if kind == "simple_rnn":
        dxw, dW_h, db_rec, d_state = _rnn_backward(W_h, hs, h_prevs, d_hs)
    elif kind == "lstm":
        if d_cs is None:
            d_cs = np.zeros_like(d_hs)
        d_cs = as_array("d_cs", d_cs)
        check_shape("d_cs", d_cs, (batch, time, units), "like the cell states (batch, time, units)")
        d_cs = d_cs.astype(x.dtype, copy=False)
        c_prevs = np.concatenate([c0[:, None], cs[:, :-1]], axis=1)
        dxw, dW_h, db_rec, d_state = _lstm_backward(
            W_h, hs, h_prevs, d_hs, cache, cs, c_prevs, d_cs
        )
    else:
        dxw, dW_h, db_rec, d_state = _gru_backward(W_h, hs, h_prevs, d_hs, cache, reset_after)

    # xw = x @ W_x + b_in was one matmul, so its gradients are one matmul and one sum.
    features, ku = W_x.shape
    dW_x = x.reshape(-1, features).T @ dxw.reshape(-1, ku)
    db_in = dxw.sum(axis=(0, 1))
    d_bias = db_in if db_rec is None else np.stack([db_in, db_rec])
    grads = {"kernel": dW_x, "recurrent_kernel": dW_h, "bias": d_bias, "initial_state": d_state}
    if input_grads:  # x_t enters only through x_t @ W_x
        grads["inputs"] = dxw @ W_x.T
    return grads
