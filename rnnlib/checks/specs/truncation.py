"""Spec of the truncated-BPTT exercise: rnn_backward_chunked, chunk by chunk as Keras does it."""

from __future__ import annotations

import numpy as np

from rnnlib import cells
from rnnlib.checks._engine import Spec, hidden_label, hidden_sizes
from rnnlib.checks.specs.rnn import (
    BACKWARD_MUTANTS,
    GRAD_NAMES,
    _backward,
    _backward_hint,
    _grad_shape_hint,
    _params,
    _weights,
)

F64, F32 = np.float64, np.float32


def _state_after(x, h, W_x, W_h, b):
    """The state the forward pass reaches at the end of ``x``."""
    return cells.forward("simple_rnn", x, _params(W_x, W_h, b), initial_state=h)[:, -1]


def _chunked(
    *,
    step=None,
    backward=_backward,
    reset=False,
    carry=False,
    drop_short=False,
    dh0="first",
    combine="sum",
    last_only=False,
):
    """Truncated BPTT over chunks with one known mistake switched on; the defaults are right.

    ``step(K)`` is the chunk length used (K + 1 for an off-by-one), ``backward``
    the BPTT of one chunk (a mistake of ex02 inside a right chunk loop).
    """

    def chunked(x, h0, W_x, W_h, b, d_hs, K):
        T = x.shape[1]
        size = int(K) if step is None else step(int(K))
        if carry:  # no truncation at all: full BPTT
            return backward(x, h0, W_x, W_h, b, d_hs)
        grads = {"W_x": 0 * W_x, "W_h": 0 * W_h, "b": 0 * b}
        h, d_h0, count = h0, 0 * h0, 0
        for start in range(0, T, size):
            chunk = slice(start, start + size)
            if drop_short and x[:, chunk].shape[1] < size:
                break
            d_chunk = d_hs[:, chunk]
            if last_only:
                d_chunk = np.concatenate([0 * d_chunk[:, :-1], d_chunk[:, -1:]], axis=1)
            part = backward(x[:, chunk], h, W_x, W_h, b, d_chunk)
            grads = {key: grads[key] + part[key] for key in grads}
            count += 1
            if dh0 == "sum" or (dh0 == "first" and start == 0) or dh0 == "last":
                d_h0 = part["h0"] + (d_h0 if dh0 == "sum" else 0)
            h = h0 if reset else _state_after(x[:, chunk], h, W_x, W_h, b)
        if combine == "mean":
            grads = {key: g / count for key, g in grads.items()}
        return {**grads, "h0": d_h0}

    return chunked


_reference = _chunked()


def _window(x, h0, W_x, W_h, b, d_hs, K):
    """A sliding window: each loss's gradient flows back K steps, wherever the chunks are."""
    K, T = int(K), x.shape[1]
    hs = cells.forward("simple_rnn", x, _params(W_x, W_h, b), initial_state=h0)
    grads = {"W_x": 0 * W_x, "W_h": 0 * W_h, "b": 0 * b, "h0": 0 * h0}
    for t in range(T):
        start = max(0, t - K + 1)
        h = h0 if start == 0 else hs[:, start - 1]
        d = np.zeros_like(d_hs[:, start : t + 1])
        d[:, -1] = d_hs[:, t]
        part = _backward(x[:, start : t + 1], h, W_x, W_h, b, d)
        grads = {
            key: g + (part[key] if key != "h0" or start == 0 else 0) for key, g in grads.items()
        }
    return grads


_DH0_FIRST = (
    "dh0 is the gradient that the first chunk sends into h0; the later chunks "
    "start from their own states, and their gradients into those states are dropped"
)

MUTANTS = [
    ("the forward pass starts every chunk from h0: the state must carry on, each chunk "
     "starts from the last h_t of the chunk before it", _chunked(reset=True)),
    ("this is full BPTT: the gradient crosses the chunk boundaries; start the backward "
     "recursion afresh at the end of every chunk (delta_t = 0 after a chunk's last step)",
     _chunked(carry=True)),
    ("the last, shorter chunk is left out: when K does not divide the number of steps, "
     "the last chunk has fewer than K steps, and it counts too", _chunked(drop_short=True)),
    ("the chunks have K + 1 steps: the first chunk is steps 0 to K - 1, e.g. "
     "`for start in range(0, time, K)` and `x[:, start:start + K]`",
     _chunked(step=lambda K: K + 1)),
    ("the chunks have K - 1 steps: the first chunk is steps 0 to K - 1, e.g. "
     "`for start in range(0, time, K)` and `x[:, start:start + K]`",
     _chunked(step=lambda K: K - 1)),
    (f"dh0 adds up every chunk's gradient into its starting state: {_DH0_FIRST}",
     _chunked(dh0="sum")),
    (f"dh0 comes from the last chunk: {_DH0_FIRST}", _chunked(dh0="last")),
    ("the gradients are averaged over the chunks: add up every chunk's gradients, "
     "as the updates of a stateful layer trained chunk by chunk add up",
     _chunked(combine="mean")),
    ("only the last step of each chunk gets its d_hs: every step t of the chunk adds "
     "d_hs[:, t]", _chunked(last_only=True)),
    ("this is a sliding window (each loss's gradient flows back K steps): here the "
     "gradient stops at fixed boundaries, every K steps from the start", _window),
] + [
    (f"the chunks are right, but the BPTT inside each chunk is not: {hint}",
     _chunked(backward=wrong))
    for hint, wrong in BACKWARD_MUTANTS
    if not hint.startswith("only the last step's d_hs")  # the same as last_only above
]  # fmt: skip


def _cases(rng, hidden):
    def case(batch, time, K, d=3, u=3, dtype=F64, last=False):
        W_x, W_h, b = _weights(rng, d, u, dtype)
        x = rng.normal(size=(batch, time, d)).astype(dtype)
        h0 = rng.uniform(-0.9, 0.9, size=(batch, u)).astype(dtype)
        d_hs = rng.normal(size=(batch, time, u)).astype(dtype)
        if last:
            d_hs[:, :-1] = 0
        return (x, h0, W_x, W_h, b, d_hs, K)

    if hidden:
        out = []
        for i in range(6):
            s = hidden_sizes(rng, time=(3, 9))
            K = int(rng.integers(1, s["time"] + 2))
            if i == 0:  # one graded case always has a short last chunk
                K = max(2, s["time"] // 2)
                s["time"] = 2 * K + 1
            label = f"{hidden_label(s)}, {s['time']} steps, K = {K}"
            out.append((label, case(s["batch"], s["time"], K, s["d"], s["u"], s["dtype"],
                                    last=i == 1)))  # fmt: skip
        return out
    return [
        ("K >= time: one chunk, the same as full BPTT (4 steps, K = 6)", case(2, 4, 6)),
        ("K = 1: every step is its own chunk (4 steps)", case(2, 4, 1)),
        ("K divides time (6 steps, K = 2)", case(2, 6, 2)),
        ("a short last chunk (7 steps, K = 3)", case(2, 7, 3)),
        ("d_hs on the last step only (6 steps, K = 4)", case(2, 6, 4, last=True)),
        ("batch of 1 (5 steps, K = 2)", case(1, 5, 2, d=2, u=3)),
        ("float32 input (7 steps, K = 4, 5 features)", case(3, 7, 4, d=5, u=4, dtype=F32)),
    ]


RNN_BACKWARD_CHUNKED = Spec(
    signature="rnn_backward_chunked(x, h0, W_x, W_h, b, d_hs, K)",
    returns="grads",
    reference=_reference,
    cases=_cases,
    mutants=MUTANTS,
    outputs=GRAD_NAMES,
    how="a dict with the keys 'W_x', 'W_h', 'b', 'h0', "
    "e.g. `{'W_x': dW_x, 'W_h': dW_h, 'b': db, 'h0': dh0}`",
    heuristics=(_grad_shape_hint,),
    exception_hint=_backward_hint,
    allowed=("forward", "rnn_step"),
    tip="write the chunk loop and the backward pass yourself (rnnlib.forward for the states "
    "is fine)",
    strict_keys=True,
    doc="""Check a learner's ``rnn_backward_chunked(x, h0, W_x, W_h, b, d_hs, K) -> grads``.

    Truncated BPTT the way a stateful Keras layer trained chunk by chunk does
    it: the sequence is cut into chunks of ``K`` steps (the last one may be
    shorter); the forward pass carries the state from each chunk into the
    next; the backward recursion starts afresh at the end of every chunk and
    stops at its start, so no gradient crosses a chunk boundary. For the loss
    ``L = sum(d_hs * hs)`` the function returns the dict
    ``{"W_x": dW_x, "W_h": dW_h, "b": db, "h0": dh0}``: the gradients summed
    over all chunks, and for ``h0`` the first chunk's gradient alone. The
    sub-checks try ``K`` at least the number of steps (full BPTT), ``K = 1``,
    a ``K`` that divides the number of steps, a short last chunk, ``d_hs`` on
    the last step only, a batch of 1 and float32 inputs.
    """,
)

SPECS = {"rnn_backward_chunked": RNN_BACKWARD_CHUNKED}
