"""Specs of the simple-RNN exercises: rnn_step, rnn_forward and rnn_backward."""

from __future__ import annotations

import numpy as np

from rnnlib import cells
from rnnlib.checks._calls import _is_matmul_error
from rnnlib.checks._compare import _batch_axis_hint, _fmt_shape, _tanh_range_hint, _transposed_hint
from rnnlib.checks._engine import Spec, hidden_label, hidden_sizes, zero_unless

F64, F32 = np.float64, np.float32


def _params(W_x, W_h, b):
    return {"kernel": W_x, "recurrent_kernel": W_h, "bias": b}


def _cell(x, h, W_x, W_h, b, activation=np.tanh):
    """The reference step with another activation (Keras's `activation`)."""
    return cells._rnn_recurrence(x @ W_x + b, h, W_h, activation)


def _diag(W):
    """What ``x * np.diag(W)`` multiplies by, as a matrix: W's diagonal alone."""
    return np.diag(np.diag(W))


def _weights(rng, d, u, dtype):
    W_x = rng.normal(scale=0.6, size=(d, u)).astype(dtype)
    W_h = rng.normal(scale=0.6, size=(u, u)).astype(dtype)
    b = rng.normal(scale=0.6, size=u).astype(dtype)
    return W_x, W_h, b


def _sizes(rng, hidden, public):
    """The public cases' sizes, or as many graded cases with random sizes."""
    if not hidden:
        return public
    return [(hidden_label(s), s) for s in (hidden_sizes(rng) for _ in public)]


def _weights_hint(err):
    if _is_matmul_error(err):
        return (
            "Weights multiply from the right: x_t @ W_x, with W_x of shape (features, units), "
            "and h_prev @ W_h."
        )
    return None


# ==========================================================================
# rnn_step
# ==========================================================================

STEP_MUTANTS = [
    ("the bias b is left out: h_t = tanh(x_t @ W_x + h_prev @ W_h + b)",
     lambda x, h, W_x, W_h, b: cells.rnn_step(x, h, W_x, W_h, 0 * b)),
    ("tanh expected, got values in (0, 1): sigmoid used instead of np.tanh?",
     lambda *a: _cell(*a, activation=cells._sigmoid)),
    ("the tanh is missing: h_t = np.tanh(x_t @ W_x + h_prev @ W_h + b)",
     lambda *a: _cell(*a, activation=lambda v: v)),
    ("ReLU used instead of tanh: the simple RNN applies np.tanh",
     lambda *a: _cell(*a, activation=lambda v: np.maximum(v, 0.0))),
    ("W_x looks transposed: weights multiply from the right, x_t @ W_x",
     lambda x, h, W_x, W_h, b: cells.rnn_step(x, h, W_x.T, W_h, b)),
    ("W_h looks transposed: weights multiply from the right, h_prev @ W_h",
     lambda x, h, W_x, W_h, b: cells.rnn_step(x, h, W_x, W_h.T, b)),
    ("h_prev is ignored: add the recurrent term h_prev @ W_h",
     lambda x, h, W_x, W_h, b: cells.rnn_step(x, 0 * h, W_x, W_h, b)),
    ("x_t is ignored: add the input term x_t @ W_x",
     lambda x, h, W_x, W_h, b: cells.rnn_step(0 * x, h, W_x, W_h, b)),
    ("W_x and W_h are swapped: x_t goes with W_x and h_prev with W_h",
     lambda x, h, W_x, W_h, b: cells.rnn_step(x, h, W_h, W_x, b)),
    ("b is added after the tanh: it belongs inside, tanh(x_t @ W_x + h_prev @ W_h + b)",
     lambda x, h, W_x, W_h, b: cells.rnn_step(x, h, W_x, W_h, 0 * b) + b),
    ("h_prev is added to the result: h_t is the tanh alone, without `+ h_prev`",
     lambda x, h, W_x, W_h, b: cells.rnn_step(x, h, W_x, W_h, b) + h),
    ("element-wise `*` used instead of the matrix product `@`",
     lambda x, h, W_x, W_h, b: cells.rnn_step(x, h, _diag(W_x), _diag(W_h), b)),
]  # fmt: skip


def _step_cases(rng, hidden):
    def case(batch, d, u, dtype=F64, x=True, h=True, bias=True):
        W_x, W_h, b = _weights(rng, d, u, dtype)
        x_t = zero_unless(x, rng.normal(size=(batch, d)).astype(dtype))
        h_prev = zero_unless(h, rng.uniform(-0.9, 0.9, size=(batch, u)).astype(dtype))
        return (x_t, h_prev, W_x, W_h, zero_unless(bias, b))

    if hidden:
        terms = [
            ("bias only", {"x": False, "h": False}),
            ("input term only", {"h": False, "bias": False}),
            ("recurrent term only", {"x": False, "bias": False}),
        ] + [("full step", {})] * 4
        return [
            (f"{what}, {hidden_label(s)}", case(s["batch"], s["d"], s["u"], s["dtype"], **t))
            for (what, t), s in ((term, hidden_sizes(rng)) for term in terms)
        ]
    return [
        ("bias only (x_t = 0, h_prev = 0)", case(2, 3, 3, x=False, h=False)),
        ("input term only (h_prev = 0, b = 0)", case(2, 3, 3, h=False, bias=False)),
        ("recurrent term only (x_t = 0, b = 0)", case(2, 3, 3, x=False, bias=False)),
        ("full step, float64", case(2, 3, 3)),
        ("batch of 1", case(1, 2, 3)),
        ("input size != units (5 features, 3 units)", case(2, 5, 3)),
        ("float32 input", case(3, 2, 4, dtype=F32)),
    ]


RNN_STEP = Spec(
    signature="rnn_step(x_t, h_prev, W_x, W_h, b)",
    returns="h_t",
    reference=cells.rnn_step,
    cases=_step_cases,
    mutants=STEP_MUTANTS,
    heuristics=(_transposed_hint, _batch_axis_hint, _tanh_range_hint),
    exception_hint=_weights_hint,
    tip="write the step yourself: the point is to see every term",
    doc="""Check a learner's ``rnn_step(x_t, h_prev, W_x, W_h, b) -> h_t``.

    The function should compute one step of a simple RNN,
    ``h_t = tanh(x_t @ W_x + h_prev @ W_h + b)``, batch-major. The sub-checks
    isolate the bias, the input term and the recurrent term, then try a
    full step, a batch of 1, an input size different from the number of
    units and float32 inputs, and check that the inputs are left unchanged.

    Example:

    >>> import numpy as np
    >>> def my_rnn_step(x_t, h_prev, W_x, W_h, b):
    ...     return np.tanh(x_t @ W_x + h_prev @ W_h + b)
    >>> rnn_step(my_rnn_step).passed
    True
    """,
)


# ==========================================================================
# rnn_forward
# ==========================================================================


def _forward(x, h0, W_x, W_h, b):
    return cells.forward("simple_rnn", x, _params(W_x, W_h, b), initial_state=h0)


def _loop(step):
    """A forward pass whose loop is right, built on a wrong step."""

    def forward(x, h0, W_x, W_h, b):
        h, hs = h0, []
        for t in range(x.shape[1]):
            h = step(x[:, t], h, W_x, W_h, b)
            hs.append(h)
        return np.stack(hs, axis=1)

    return forward


def _from_h0(x, h0, W_x, W_h, b):
    return np.stack([cells.rnn_step(x[:, t], h0, W_x, W_h, b) for t in range(x.shape[1])], axis=1)


def _with_h0(x, h0, *weights):
    return np.concatenate([h0[:, None], _forward(x, h0, *weights)], axis=1)


FORWARD_MUTANTS = [
    ("returned only the last hidden state: stack every h_t into hs, "
     "of shape (batch, time, units)", lambda *a: _forward(*a)[:, -1]),
    ("time-major output (time, batch, units): the course is batch-major, "
     "so stack along axis 1, `np.stack(states, axis=1)`",
     lambda *a: _forward(*a).transpose(1, 0, 2)),
    ("hs starts with h0: hs[:, t] is the state after step t, so hs[:, 0] is h_1 "
     "and h0 is not part of hs", _with_h0),
    ("hs[:, 0] should already be h_1 = step(x[:, 0], h0): off by one in the time loop",
     lambda *a: _with_h0(*a)[:, :-1]),
    ("every step restarts from h0: carry h from one step to the next, "
     "`h = rnn_step(x[:, t], h, ...)`", _from_h0),
    ("h0 is ignored: start the loop from h = h0, not from zeros",
     lambda x, h0, *w: _forward(x, 0 * h0, *w)),
    ("every step reads x[:, 0]: step t takes x[:, t]",
     lambda x, *rest: _forward(np.repeat(x[:, :1], x.shape[1], axis=1), *rest)),
    ("hs is in reverse time order: hs[:, t] must be the state after step t",
     lambda *a: _forward(*a)[:, ::-1]),
    ("the sequence is read backwards: go through x[:, 0], x[:, 1], ... in order",
     lambda x, *rest: _forward(x[:, ::-1], *rest)),
] + [
    (f"the loop is right, but each step is not: {hint}", _loop(step))
    for hint, step in STEP_MUTANTS
]  # fmt: skip


def _shape_of_x_hint(got, want, case, name=None):
    if got.shape == case.args[0].shape and got.shape != want.shape:
        return (
            "hs has the shape of x, (batch, time, features): it needs (batch, time, units), "
            "e.g. `np.zeros((batch, time, units))`"
        )
    return None


def _empty_steps_hint(got, want, case, name=None):
    if got.shape != want.shape or not got.any():
        return None
    for t in range(got.shape[1]):
        if not got[:, t].any() and want[:, t].any():
            return f"hs[:, {t}] is still all zeros: store every h_t in hs[:, t]"
    return None


def _sequence_cases(rng, hidden, *, last_only=None):
    """Cases for forward (``last_only`` None) and backward (with an upstream d_hs)."""

    def case(batch, time, d, u, dtype=F64, h0=True, last=False):
        W_x, W_h, b = _weights(rng, d, u, dtype)
        x = rng.normal(size=(batch, time, d)).astype(dtype)
        h = zero_unless(h0, rng.uniform(-0.9, 0.9, size=(batch, u)).astype(dtype))
        if last_only is None:
            return (x, h, W_x, W_h, b)
        d_hs = rng.normal(size=(batch, time, u)).astype(dtype)
        if last:
            d_hs[:, :-1] = 0
        return (x, h, W_x, W_h, b, d_hs)

    if hidden:
        sizes = [hidden_sizes(rng) for _ in range(6)]
        return [
            (hidden_label(s) + f", {s['time']} steps", case(s["batch"], s["time"], s["d"], s["u"],
                                                             s["dtype"], last=i == 1))
            for i, s in enumerate(sizes)
        ]  # fmt: skip
    middle = (
        [("several steps from h0 = 0", case(2, 4, 3, 3, h0=False)),
         ("several steps from a non-zero h0", case(2, 4, 3, 3))]
        if last_only is None else
        [("several steps, d_hs on the last step only", case(2, 4, 3, 3, last=True)),
         ("several steps, d_hs on every step", case(2, 4, 3, 3))]
    )  # fmt: skip
    return [
        ("one time step (time = 1)", case(2, 1, 3, 3)),
        *middle,
        ("batch of 1", case(1, 3, 2, 3)),
        ("input size != units (5 features, 3 units)", case(2, 4, 5, 3)),
        ("float32 input", case(3, 5, 2, 4, dtype=F32)),
    ]


def _forward_exception_hint(err):
    if isinstance(err, ValueError) and "broadcast" in str(err):
        return (
            "hs must have shape (batch, time, units), e.g. `np.zeros((batch, time, units))`, "
            "so that hs[:, t] = h fits."
        )
    return _weights_hint(err)


RNN_FORWARD = Spec(
    signature="rnn_forward(x, h0, W_x, W_h, b)",
    returns="hs",
    reference=_forward,
    cases=_sequence_cases,
    mutants=FORWARD_MUTANTS,
    heuristics=(_shape_of_x_hint, _batch_axis_hint, _empty_steps_hint, _tanh_range_hint),
    exception_hint=_forward_exception_hint,
    allowed=("rnn_step",),
    tip="write the loop yourself (calling your own rnn_step is fine)",
    doc="""Check a learner's ``rnn_forward(x, h0, W_x, W_h, b) -> hs``.

    The function should run a simple RNN over a whole sequence ``x`` of shape
    `(batch, time, features)` from the initial state ``h0`` and return every
    hidden state, ``hs`` of shape `(batch, time, units)`, with
    ``hs[:, t] = h_{t+1} = tanh(x[:, t] @ W_x + h_t @ W_h + b)`` (``h_0 = h0``).
    The sub-checks try one time step, several steps from a zero and from a
    non-zero ``h0``, a batch of 1, an input size different from the number
    of units and float32 inputs.

    Example:

    >>> import numpy as np
    >>> def my_rnn_forward(x, h0, W_x, W_h, b):
    ...     h, hs = h0, []
    ...     for t in range(x.shape[1]):
    ...         h = np.tanh(x[:, t] @ W_x + h @ W_h + b)
    ...         hs.append(h)
    ...     return np.stack(hs, axis=1)
    >>> rnn_forward(my_rnn_forward).passed
    True
    """,
)


# ==========================================================================
# rnn_backward
# ==========================================================================

GRAD_NAMES = {"W_x": "dW_x", "W_h": "dW_h", "b": "db", "h0": "dh0"}


def _backward(x, h0, W_x, W_h, b, d_hs):
    g = cells.backward("simple_rnn", x, _params(W_x, W_h, b), d_hs, initial_state=h0)
    return {
        "W_x": g["kernel"],
        "W_h": g["recurrent_kernel"],
        "b": g["bias"],
        "h0": g["initial_state"],
    }


def _bptt(
    *,
    derivative="1 - h**2",
    carry=True,
    through_T=True,
    every_step=True,
    state="h_prev",
    accumulate=True,
    backwards=True,
    dh0="carried",
):
    """A learner's BPTT loop with one known mistake switched on; the defaults are right.

    The forward states come from the reference; the loop is the learner's.
    """

    def backward(x, h0, W_x, W_h, b, d_hs):
        hs = _forward(x, h0, W_x, W_h, b)
        h_prevs = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
        T = x.shape[1]
        g = {"W_x": 0 * W_x, "W_h": 0 * W_h, "b": 0 * b}
        dh_next = da = dh = 0 * h0
        for t in reversed(range(T)) if backwards else range(T):
            dh = (d_hs[:, t] if every_step or t == T - 1 else 0) + (dh_next if carry else 0)
            h_t = hs[:, t]
            slope = {"1 - h**2": 1 - h_t**2, "1 - tanh(h)**2": 1 - np.tanh(h_t) ** 2}
            da = dh * slope.get(derivative, 1.0)
            s = h_prevs[:, t] if state == "h_prev" else h_t
            step = {"W_x": x[:, t].T @ da, "W_h": s.T @ da, "b": da.sum(axis=0)}
            g = {k: g[k] + v if accumulate else v for k, v in step.items()}
            dh_next = da @ (W_h.T if through_T else W_h)
        return {**g, "h0": {"carried": dh_next, "da": da, "dh": dh}[dh0]}

    return backward


def _transposed(key):
    return lambda *a: {**_backward(*a), key: _backward(*a)[key].T}


_DH0 = ("dh0 is the gradient that flows out of the first step into h0: "
        "dh0 = delta_1 @ W_h.T, with delta_1 the first step's delta_t")  # fmt: skip

BACKWARD_MUTANTS = [
    ("the tanh derivative is missing: delta_t = dh_t * (1 - h_t**2)", _bptt(derivative="none")),
    ("h_t is already tanh(a_t), so the derivative is 1 - h_t**2, not 1 - np.tanh(h_t)**2",
     _bptt(derivative="1 - tanh(h)**2")),
    ("the gradient does not flow back through time: each step needs "
     "dh_t = d_hs[:, t] + delta_{t+1} @ W_h.T, the direct gradient plus what the step "
     "after it sends back",
     _bptt(carry=False)),
    ("the gradient flows back through the transposed W_h: dh_prev = delta_t @ W_h.T",
     _bptt(through_T=False)),
    ("only the last step's d_hs is used: add d_hs[:, t] at every step t",
     lambda *a: _backward(*a[:5], np.concatenate([0 * a[5][:, :-1], a[5][:, -1:]], axis=1))),
    ("dW_h pairs delta_t with h_t; it needs h_{t-1}, the state that entered step t "
     "(h0 at the first step)", _bptt(state="h_t")),
    ("dW_x looks transposed: dW_x += x_t.T @ delta_t", _transposed("W_x")),
    ("dW_h looks transposed: dW_h += h_prev.T @ delta_t", _transposed("W_h")),
    ("the gradients keep only one step's contribution: add up every step's, "
     "e.g. `dW_x += x[:, t].T @ delta_t`", _bptt(accumulate=False)),
    ("the loop runs forwards in time: backpropagation goes from the last step to "
     "the first, `for t in reversed(range(time))`", _bptt(backwards=False)),
    (_DH0, _bptt(dh0="da")),
    (_DH0, _bptt(dh0="dh")),
    ("the gradients are divided by the batch size: the loss sum(d_hs * hs) is a sum, not a mean",
     lambda *a: {k: v / a[0].shape[0] for k, v in _backward(*a).items()}),
]  # fmt: skip


def _grad_shape_hint(got, want, case, name=None):
    """A hint for a gradient of the wrong shape."""
    if got.shape == want.shape:
        return None
    batch, time_steps = case.args[0].shape[:2]
    key = name[1:]
    if key == "b" and got.shape in ((batch, *want.shape), (batch, time_steps, *want.shape)):
        return "db must be summed over the batch: `delta_t.sum(axis=0)` at every step"
    if key == "h0" and got.shape == want.shape[1:]:
        return "dh0 has one row per example: do not sum it over the batch"
    if got.ndim == 2 and got.shape == want.shape[::-1]:
        return f"{name} looks transposed: it has the shape of {key}, {_fmt_shape(want.shape)}"
    return f"{name} must have the shape of {key}, {_fmt_shape(want.shape)}"


def _backward_hint(err):
    if _is_matmul_error(err):
        return (
            "The shapes that fit: dW_x += x_t.T @ delta_t, dW_h += h_prev.T @ delta_t and "
            "dh_prev = delta_t @ W_h.T."
        )
    return None


RNN_BACKWARD = Spec(
    signature="rnn_backward(x, h0, W_x, W_h, b, d_hs)",
    returns="grads",
    reference=_backward,
    cases=lambda rng, hidden: _sequence_cases(rng, hidden, last_only=True),
    mutants=BACKWARD_MUTANTS,
    outputs=GRAD_NAMES,
    how="a dict with the keys 'W_x', 'W_h', 'b', 'h0', "
    "e.g. `{'W_x': dW_x, 'W_h': dW_h, 'b': db, 'h0': dh0}`",
    heuristics=(_grad_shape_hint,),
    exception_hint=_backward_hint,
    allowed=("forward", "rnn_step"),
    tip="write the backward loop yourself (rnnlib.forward for the states is fine)",
    strict_keys=True,
    doc="""Check a learner's ``rnn_backward(x, h0, W_x, W_h, b, d_hs) -> grads``.

    The function should backpropagate through time in a simple RNN: for the
    loss ``L = sum(d_hs * hs)``, with ``hs = rnn_forward(x, h0, W_x, W_h, b)``,
    return the dict ``{"W_x": dL/dW_x, "W_h": dL/dW_h, "b": dL/db, "h0": dL/dh0}``,
    each of the shape of its parameter. The sub-checks try one time step,
    an upstream gradient on the last step only and on every step, a batch
    of 1, an input size different from the number of units and float32
    inputs. A failed sub-check says which gradients are right and which are not.

    Example:

    >>> import numpy as np
    >>> def my_rnn_backward(x, h0, W_x, W_h, b, d_hs):
    ...     hs, h = [], h0
    ...     for t in range(x.shape[1]):
    ...         h = np.tanh(x[:, t] @ W_x + h @ W_h + b)
    ...         hs.append(h)
    ...     grads = {"W_x": 0 * W_x, "W_h": 0 * W_h, "b": 0 * b}
    ...     dh_prev = 0 * h0  # what step t + 1 sends back to h_t: nothing after the last
    ...     for t in reversed(range(x.shape[1])):
    ...         h_prev = hs[t - 1] if t else h0
    ...         dh_t = d_hs[:, t] + dh_prev
    ...         delta_t = dh_t * (1 - hs[t] ** 2)
    ...         grads["W_x"] = grads["W_x"] + x[:, t].T @ delta_t
    ...         grads["W_h"] = grads["W_h"] + h_prev.T @ delta_t
    ...         grads["b"] = grads["b"] + delta_t.sum(axis=0)
    ...         dh_prev = delta_t @ W_h.T
    ...     return {**grads, "h0": dh_prev}
    >>> rnn_backward(my_rnn_backward).passed
    True
    """,
)

SPECS = {"rnn_step": RNN_STEP, "rnn_forward": RNN_FORWARD, "rnn_backward": RNN_BACKWARD}
