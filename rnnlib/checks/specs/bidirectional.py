"""Spec of the bidirectional exercise: every output of Keras's ``Bidirectional(SimpleRNN)``.

With ``return_sequences=True`` and ``merge_mode="concat"``, Keras's
``Bidirectional`` runs its backward copy with ``go_backwards=True`` (outputs in
the order it computes them, last step first) and flips them back, so that
position ``t`` holds the forward state after ``x_1 .. x_t`` next to the backward
state after ``x_T .. x_t``. tests/test_mutants_bidirectional.py proves the
reference against Keras's layer.
"""

from __future__ import annotations

import numpy as np

from rnnlib import cells
from rnnlib.checks._compare import _batch_axis_hint
from rnnlib.checks._engine import Spec, hidden_label, hidden_sizes

F64, F32 = np.float64, np.float32


def _run(x, p, h0=None):
    return cells.forward("simple_rnn", x, p, initial_state=h0)


def _backward(x, p, h0=None):
    """The backward half: read x from the last step, then flip the outputs back in time."""
    return _run(x[:, ::-1], p, h0)[:, ::-1]


def _ref(x, fw, bw):
    return np.concatenate([_run(x, fw), _backward(x, bw)], axis=-1)


def _halves(fw_half, bw_half):
    return np.concatenate([fw_half, bw_half], axis=-1)


MUTANTS = [
    ("the backward half is in the order it was computed (last step first), as "
     "go_backwards=True returns it: flip it back along time, so that position t holds the "
     "backward state that has read x[:, t:], last step first",
     lambda x, fw, bw: _halves(_run(x, fw), _run(x[:, ::-1], bw))),
    ("the backward half reads the sequence forwards: it must read the last step first, x[:, ::-1]",
     lambda x, fw, bw: _halves(_run(x, fw), _run(x, bw))),
    ("the backward half reads x forwards and is then flipped: reverse the input, run the "
     "layer, then flip its outputs back",
     lambda x, fw, bw: _halves(_run(x, fw), _run(x, bw)[:, ::-1])),
    ("the halves are the other way round: Keras puts the forward half first, "
     "[forward, backward] along the last axis",
     lambda x, fw, bw: _halves(_backward(x, bw), _run(x, fw))),
    ("the backward half uses the forward weights: bw has weights of its own",
     lambda x, fw, bw: _ref(x, fw, fw)),
    ("fw and bw are swapped: the forward half runs with fw, the backward half with bw",
     lambda x, fw, bw: _ref(x, bw, fw)),
    ("the backward half starts from the forward half's last state: each direction starts "
     "from zeros", lambda x, fw, bw: _halves(_run(x, fw), _backward(x, bw, _run(x, fw)[:, -1]))),
    ("returned only the last step: with return_sequences=True there is an output at every "
     "step, (batch, time, 2*units)", lambda x, fw, bw: _ref(x, fw, bw)[:, -1]),
    ("the halves are added (merge_mode='sum'): 'concat' puts them side by side, "
     "2*units wide", lambda x, fw, bw: _run(x, fw) + _run(x[:, ::-1], bw)[:, ::-1]),
    ("the halves are joined along time: concatenate along the last axis (units)",
     lambda x, fw, bw: np.concatenate([_run(x, fw), _run(x[:, ::-1], bw)[:, ::-1]], axis=1)),
]  # fmt: skip


def _weights(rng, d, u, dtype):
    shapes = {"kernel": (d, u), "recurrent_kernel": (u, u), "bias": (u,)}
    return {k: rng.normal(scale=0.6, size=s).astype(dtype) for k, s in shapes.items()}


def _cases(rng, hidden):
    def case(batch, time, d, u, dtype=F64, same=False):
        fw = _weights(rng, d, u, dtype)
        bw = {k: v.copy() for k, v in fw.items()} if same else _weights(rng, d, u, dtype)
        return (rng.normal(size=(batch, time, d)).astype(dtype), fw, bw)

    if hidden:
        sizes = [hidden_sizes(rng, time=(2, 6)) for _ in range(5)]
        return [
            (hidden_label(s) + f", {s['time']} steps",
             case(s["batch"], s["time"], s["d"], s["u"], s["dtype"], same=i == 0))
            for i, s in enumerate(sizes)
        ]  # fmt: skip
    return [
        ("one time step (both halves read the same x_t)", case(2, 1, 3, 3)),
        ("bw = fw (the same weights: only the direction differs)", case(2, 4, 3, 3, same=True)),
        ("several steps, weights of its own for each half", case(2, 5, 3, 3)),
        ("batch of 1", case(1, 4, 2, 3)),
        ("input size != units (5 features, 3 units)", case(2, 4, 5, 3)),
        ("float32 input", case(3, 5, 2, 4, dtype=F32)),
    ]


def _width_hint(got, want, case, name=None):
    x, fw, _ = case.args
    u = fw["bias"].shape[0]
    if got.shape == (*x.shape[:2], u):
        return (
            "the output has `units` columns: merge_mode='concat' puts the two halves side "
            "by side, (batch, time, 2*units)"
        )
    return None


BIDIRECTIONAL_FORWARD = Spec(
    signature="bidirectional_forward(x, fw, bw)",
    returns="hs",
    reference=_ref,
    cases=_cases,
    mutants=MUTANTS,
    heuristics=(_width_hint, _batch_axis_hint),
    allowed=("rnn_step", "forward"),
    tip="run the two directions yourself (rnnlib.forward or rnnlib.rnn_step is fine for each)",
    doc="""Check a learner's ``bidirectional_forward(x, fw, bw) -> hs``.

    The function should return what Keras's
    ``Bidirectional(SimpleRNN(units, return_sequences=True))`` returns with
    its default ``merge_mode="concat"``: ``fw`` and ``bw`` are the weights of
    its two halves (dicts with ``kernel``, ``recurrent_kernel`` and ``bias``),
    both start from zeros, and ``hs`` `(batch, time, 2*units)` holds at
    position ``t`` the forward half's state after ``x_1 .. x_t`` followed by
    the backward half's state after ``x[:, t:]`` read last step first. The sub-checks try one
    time step, the same weights for both halves, weights of their own, a batch
    of 1, an input size different from the number of units and float32 inputs.

    Example:

    A forward layer alone is half of the answer, and the report says what is missing:

    >>> import rnnlib
    >>> def forward_only(x, fw, bw):
    ...     return rnnlib.forward("simple_rnn", x, fw)
    >>> result = bidirectional_forward(forward_only)
    >>> result.passed
    False
    >>> "(batch, time, 2*units)" in str(result)
    True
    """,
)

SPECS = {"bidirectional_forward": BIDIRECTIONAL_FORWARD}
