"""Spec of the masking exercise: a simple RNN's forward pass that respects a mask, as Keras's does.

Keras (``keras.layers.RNN`` with a mask, ``zero_output_for_mask=False``, the
default) treats a step whose mask is False as if it were not there: the state
stays ``h_{t-1}``, and the output repeats the last output, which is zeros
before the first real step (so not ``h0``). A sequence that is all padding
therefore returns zeros at every step and ``h0`` as its final state.
tests/test_mutants_masking.py proves the reference against Keras's layer.
"""

from __future__ import annotations

import numpy as np

from rnnlib import cells
from rnnlib.checks._compare import _batch_axis_hint, _transposed_hint
from rnnlib.checks._engine import Spec, hidden_label, hidden_sizes

F64, F32 = np.float64, np.float32


def _run(x, mask, h0, W_x, W_h, b, *, state_at_pad="keep", output_at_pad="last", first="zeros"):
    """The reference (defaults) and its known mistakes (the other options).

    state_at_pad: "keep" h_{t-1}, "update" (the mask ignored) or "zero".
    output_at_pad: "last" output, "zeros" or "state" (the current state).
    first: the output before the first real step: "zeros" (Keras) or "h0".
    """
    h = h0
    last = np.zeros_like(h0) if first == "zeros" else h0
    hs = []
    for t in range(x.shape[1]):
        keep = mask[:, t, None]
        new = cells.rnn_step(x[:, t], h, W_x, W_h, b)
        pad_state = {"keep": h, "update": new, "zero": np.zeros_like(h)}[state_at_pad]
        h = np.where(keep, new, pad_state)
        pad_out = {"last": last, "zeros": np.zeros_like(h), "state": h}[output_at_pad]
        out = np.where(keep, new, pad_out)
        last = out
        hs.append(out)
    return np.stack(hs, axis=1), h


def _ref(x, mask, h0, W_x, W_h, b):
    return _run(x, mask, h0, W_x, W_h, b)


def _inverted(x, mask, *rest):
    return _ref(x, ~mask, *rest)


MUTANTS = [
    ("returned (h_T, hs): return the pair as `return hs, h_T`", lambda *a: _ref(*a)[::-1]),
    ("the padded steps changed the state: where mask[:, t] is False, keep the old state "
     "h_{t-1} (np.where picks per row)",
     lambda *a: _run(*a, state_at_pad="update", output_at_pad="state")),
    ("the mask is read the wrong way round: True marks a real step (Keras's mask), "
     "False a padded one", _inverted),
    ("at a padded step the state is reset to zeros: Keras keeps h_{t-1} there",
     lambda *a: _run(*a, state_at_pad="zero", output_at_pad="state")),
    ("the outputs at padded steps are zeros: Keras repeats the last output there (zeros only "
     "before the first real step), as keras.layers.RNN does unless zero_output_for_mask=True",
     lambda *a: _run(*a, output_at_pad="zeros")),
    ("the state is right, but before the first real step Keras's output is zeros, not h0: "
     "start the last output at zeros", lambda *a: _run(*a, first="h0")),
    ("the padded steps were skipped for the state but not for the output: "
     "at a padded step hs[:, t] repeats the last output",
     lambda *a: _run(*a, state_at_pad="update", output_at_pad="last")),
    ("h_T is the last output, hs[:, -1]: return the state instead, which for a sequence "
     "that is all padding is h0", lambda *a: (_ref(*a)[0], _ref(*a)[0][:, -1])),
    ("h0 is ignored: start the loop from h = h0, not from zeros",
     lambda x, m, h0, *w: _ref(x, m, 0 * h0, *w)),
    ("the mask is ignored: a padded step must leave the state unchanged",
     lambda x, m, *rest: _ref(x, np.ones_like(m), *rest)),
]  # fmt: skip


def _weights(rng, d, u, dtype):
    return tuple(
        rng.normal(scale=0.6, size=shape).astype(dtype) for shape in ((d, u), (u, u), (u,))
    )


_PATTERNS = {  # one row of the mask each: True is a real step
    "full": lambda T: np.ones(T, bool),
    "post": lambda T: np.arange(T) < max(1, T - 2),  # padding at the end
    "pre": lambda T: np.arange(T) >= min(T - 1, 2),  # padding at the start
    "gap": lambda T: (np.arange(T) != 1) & (np.arange(T) != T - 2),
    "empty": lambda T: np.zeros(T, bool),  # all padding
}


def _cases(rng, hidden):
    def case(rows, time, d, u, dtype=F64, h0=True):
        W_x, W_h, b = _weights(rng, d, u, dtype)
        x = rng.normal(size=(len(rows), time, d)).astype(dtype)
        mask = np.stack([_PATTERNS[r](time) for r in rows])
        h = rng.uniform(-0.9, 0.9, size=(len(rows), u)).astype(dtype)
        return (x, mask, h if h0 else np.zeros_like(h), W_x, W_h, b)

    if hidden:
        out = []
        for rows in (["post", "pre", "empty"], ["gap", "full"], ["pre", "post"], ["empty"]):
            s = hidden_sizes(rng, time=(4, 7))
            rows = [rows[i % len(rows)] for i in range(max(len(rows), s["batch"]))]
            shown = "/".join(dict.fromkeys(rows))
            label = hidden_label({**s, "batch": len(rows)}) + f", {s['time']} steps, {shown}"
            out.append((label, case(rows, s["time"], s["d"], s["u"], s["dtype"])))
        return out
    return [
        ("no padding (the mask is all True)", case(["full", "full"], 4, 3, 3)),
        ("padding at the end (post-padding)", case(["post", "full"], 5, 3, 3)),
        ("padding at the start, h0 = 0", case(["pre", "full"], 5, 3, 3, h0=False)),
        ("padding at the start, non-zero h0", case(["pre", "post"], 5, 3, 3)),
        ("a padded step in the middle", case(["gap", "full"], 5, 2, 3)),
        ("a sequence that is all padding", case(["empty", "post"], 4, 3, 3)),
        ("batch of 1", case(["post"], 5, 2, 3)),
        ("float32 input", case(["pre", "gap", "post"], 6, 2, 4, dtype=F32)),
    ]


def _exception_hint(err):
    text = str(err)
    if (
        isinstance(err, TypeError)
        and "boolean" in text
        and ("negative" in text or "subtract" in text)
    ):
        return "mask is a bool array: use np.where(mask[:, t, None], ...) or ~mask, not -mask"
    if isinstance(err, ValueError) and "broadcast" in text:
        return (
            "mask[:, t] has shape (batch,): add an axis, mask[:, t, None], to broadcast it "
            "over the units"
        )
    return None


MASKED_FORWARD = Spec(
    signature="masked_forward(x, mask, h0, W_x, W_h, b)",
    returns="hs, h_T",
    reference=_ref,
    cases=_cases,
    mutants=MUTANTS,
    outputs=("hs", "h_T"),
    how="the outputs and the final state, `return hs, h_T`",
    heuristics=(_transposed_hint, _batch_axis_hint),
    exception_hint=_exception_hint,
    allowed=("rnn_step",),
    tip="write the masked loop yourself (calling your own rnn_step, or rnnlib.rnn_step, is fine)",
    doc="""Check a learner's ``masked_forward(x, mask, h0, W_x, W_h, b) -> (hs, h_T)``.

    The function should run a simple RNN over ``x`` `(batch, time, features)`
    from ``h0`` `(batch, units)` the way Keras does when the layer receives a
    mask: ``mask`` `(batch, time)` is True at a real step and False at a padded
    one. At a real step the state is ``tanh(x[:, t] @ W_x + h_prev @ W_h + b)``
    and the output is that state; at a padded step the state stays ``h_prev``
    and the output repeats the last output, which is zeros before the first
    real step. ``hs`` `(batch, time, units)` holds the outputs, ``h_T`` the
    final state (``h0`` for a sequence that is all padding). The sub-checks try
    no padding, padding at the end, at the start (from a zero and a non-zero
    ``h0``) and in the middle, a sequence that is all padding, a batch of 1
    and float32 inputs.

    Example:

    >>> import numpy as np
    >>> def ignores_the_mask(x, mask, h0, W_x, W_h, b):
    ...     h, hs = h0, []
    ...     for t in range(x.shape[1]):
    ...         h = np.tanh(x[:, t] @ W_x + h @ W_h + b)
    ...         hs.append(h)
    ...     return np.stack(hs, axis=1), h
    >>> result = masked_forward(ignores_the_mask)
    >>> result.passed
    False
    >>> "keep the old state" in str(result)
    True
    """,
)

SPECS = {"masked_forward": MASKED_FORWARD}
