"""Spec of chapter 3's exercise: state_tangents, the Jacobian product applied forward.

Page 3 forms the Jacobian products dh_T/dh_t as u x u matrices. The exercise
applies them to a direction instead (a Jacobian-vector product, forward mode):
move the inputs by x_dot and the initial state by h0_dot, and return how fast
every hidden state moves, without forming a single Jacobian:

    h_dot_0 = h0_dot,   h_dot_t = (x_dot_t @ W_x + h_dot_{t-1} @ W_h) * (1 - h_t**2).

In numerator layout this is h_dot_t^T = dh_t/dx_t x_dot_t^T + dh_t/dh_{t-1} h_dot_{t-1}^T.
(The backward pass of page 2b, a gradient times the Jacobian, is not the answer:
it goes through W_h.T, backwards in time.)
"""

from __future__ import annotations

import numpy as np

from rnnlib import cells
from rnnlib.checks._calls import _is_matmul_error
from rnnlib.checks._engine import Spec, hidden_label, hidden_sizes, zero_unless

F64, F32 = np.float64, np.float32


def _states(x, h0, W_x, W_h, b):
    """hs from rnnlib's forward pass, and the state entering every step (h0 first)."""
    params = {"kernel": W_x, "recurrent_kernel": W_h, "bias": b}
    hs = cells.forward("simple_rnn", x, params, initial_state=h0)
    return hs, np.concatenate([h0[:, None], hs[:, :-1]], axis=1)


def _reference(x, h0, W_x, W_h, b, x_dot, h0_dot):
    """The tangent of every state, step by step forwards: O(T u^2), no Jacobian formed."""
    hs, _ = _states(x, h0, W_x, W_h, b)
    hs_dot = np.empty_like(hs)
    h_dot = h0_dot
    for t in range(x.shape[1]):
        h_dot = (x_dot[:, t] @ W_x + h_dot @ W_h) * (1.0 - hs[:, t] ** 2)
        hs_dot[:, t] = h_dot
    return hs_dot


def _loop(
    *,
    slope="h_t",
    through="W_h",
    x_through="W_x",
    where="after",
    with_b=False,
    carry=True,
    x_shift=0,
    x_step=None,
    forwards=True,
):
    """A learner's tangent loop with one known mistake switched on; the defaults are right.

    The states come from rnnlib's forward pass; the loop is the learner's.
    """

    def tangents(x, h0, W_x, W_h, b, x_dot, h0_dot):
        hs, h_prevs = _states(x, h0, W_x, W_h, b)
        T = x.shape[1]
        W = W_h.T if through == "W_h.T" else W_h
        V = W_x.T if x_through == "W_x.T" else W_x
        out = np.empty_like(hs)
        h_dot = h0_dot
        for t in range(T) if forwards else reversed(range(T)):
            s = {
                "h_t": 1.0 - hs[:, t] ** 2,
                "h_prev": 1.0 - h_prevs[:, t] ** 2,
                "tanh": 1.0 - np.tanh(hs[:, t]) ** 2,
                "none": 1.0,
            }[slope]
            k = t - x_shift if x_step is None else x_step
            xw = x_dot[:, k] @ V if 0 <= k < T else 0.0 * hs[:, t]
            hw = (h_dot if carry else h0_dot) @ W
            if where == "after":
                a_dot = xw + hw + (b if with_b else 0.0)
                h_dot = a_dot * s
            elif where == "before":  # the slope applied to h_dot before the product
                h_dot = xw * s + ((h_dot if carry else h0_dot) * s) @ W
            elif where == "recurrent only":
                h_dot = xw + hw * s
            else:  # "input only"
                h_dot = xw * s + hw
            out[:, t] = h_dot
        return out

    return tangents


MUTANTS = [
    ("the tanh derivative is missing: at each step, multiply the tangent of a_t by the "
     "slope of the tanh, (1 - h_t**2), elementwise", _loop(slope="none")),
    ("the tanh derivative is taken at h_prev: step t's slope is 1 - h_t**2, at the state "
     "the step makes (hs[:, t]), not at the state it starts from", _loop(slope="h_prev")),
    ("h_t is already tanh(a_t), so the slope is 1 - h_t**2, not 1 - np.tanh(h_t)**2",
     _loop(slope="tanh")),
    ("the tangent goes through W_h.T, as a gradient does in the backward pass: forwards, "
     "the tangent moves the way the state does, `h_dot @ W_h` (the Jacobian times a column, "
     "not a row times the Jacobian)", _loop(through="W_h.T")),
    ("this is the backward pass's formula, `(h_dot * (1 - h_t**2)) @ W_h.T` (a gradient "
     "times the Jacobian, or the Jacobian in denominator layout): a tangent needs the "
     "Jacobian times the tangent, which in rows means the product with W_h first",
     _loop(through="W_h.T", where="before")),
    ("the slope (1 - h_t**2) scales h_dot before the product with W_h: it scales the whole "
     "tangent of a_t, after the products", _loop(where="before")),
    ("the slope (1 - h_t**2) multiplies only the recurrent term: it multiplies the whole "
     "tangent of a_t, input term included", _loop(where="recurrent only")),
    ("the slope (1 - h_t**2) multiplies only the input term: it multiplies the whole "
     "tangent of a_t, recurrent term included", _loop(where="input only")),
    ("b has no tangent (the weights and b stay fixed, only x and h0 move): leave b out "
     "of the tangent", _loop(with_b=True)),
    ("W_x looks transposed: the input tangent enters as the input does, x_dot[:, t] @ W_x",
     _loop(x_through="W_x.T")),
    ("the tangent is not carried from step to step: every step starts again from h0_dot; "
     "use the h_dot of the step before", _loop(carry=False)),
    ("x_dot is ignored: the inputs' tangent enters every step as x_dot[:, t] @ W_x",
     lambda *a: _reference(*a[:5], 0 * a[5], a[6])),
    ("h0_dot is ignored: start the loop from h_dot = h0_dot, not from zeros",
     lambda *a: _reference(*a[:6], 0 * a[6])),
    ("off by one in time: step t reads x_dot[:, t], the tangent of the input that makes "
     "hs[:, t], not x_dot[:, t - 1]", _loop(x_shift=1)),
    ("off by one in time: step t reads x_dot[:, t], the tangent of the input that makes "
     "hs[:, t], not x_dot[:, t + 1]", _loop(x_shift=-1)),
    ("every step reads x_dot[:, 0]: step t takes x_dot[:, t]", _loop(x_step=0)),
    ("hs_dot starts with h0_dot: hs_dot[:, t] is the tangent of hs[:, t], the state after "
     "step t, so h0_dot is not part of hs_dot",
     lambda *a: np.concatenate([a[6][:, None], _reference(*a)[:, :-1]], axis=1)),
    ("hs_dot is in reverse time order: hs_dot[:, t] must be the tangent of hs[:, t]",
     lambda *a: _reference(*a)[:, ::-1]),
    ("the sequence is read backwards: go through x[:, 0], x[:, 1], ... in order, for the "
     "states and their tangents alike",
     lambda x, h0, W_x, W_h, b, x_dot, h0_dot: _reference(
         x[:, ::-1], h0, W_x, W_h, b, x_dot[:, ::-1], h0_dot)),
    ("the loop runs backwards in time, as backpropagation does: a tangent goes forwards, "
     "from h0_dot through step 0, 1, 2, ...", _loop(forwards=False)),
    ("returned only the tangent of the last state: stack every step's h_dot into hs_dot, "
     "of shape (batch, time, units)", lambda *a: _reference(*a)[:, -1]),
    ("time-major output (time, batch, units): the course is batch-major, so stack along "
     "axis 1, `np.stack(tangents, axis=1)`", lambda *a: _reference(*a).transpose(1, 0, 2)),
    ("returned the hidden states hs themselves: hs_dot is how fast they move when x "
     "moves along x_dot and h0 along h0_dot", lambda *a: _states(*a[:5])[0]),
]  # fmt: skip


def _shape_hint(got, want, case, name=None):
    batch, time, features = case.args[0].shape
    if got.shape == (batch, time, features) and got.shape != want.shape:
        return (
            "hs_dot has the shape of x, (batch, time, features): it needs (batch, time, units), "
            "one tangent per hidden state"
        )
    if got.shape == (batch, time + 1, want.shape[2]):
        return "hs_dot has one step too many: do not include h0_dot, start with step 0's tangent"
    return None


def _exception_hint(err):
    if _is_matmul_error(err):
        return (
            "The shapes that fit: x_dot[:, t] @ W_x and h_dot @ W_h, both (batch, units), "
            "then `* (1 - h_t**2)`."
        )
    if isinstance(err, ValueError) and "broadcast" in str(err):
        return "hs_dot must have shape (batch, time, units), e.g. `np.zeros_like(hs)`."
    return None


def _weights(rng, d, u, dtype, recurrent=True):
    W_x = rng.normal(scale=0.6, size=(d, u)).astype(dtype)
    W_h = zero_unless(recurrent, rng.normal(scale=0.6, size=(u, u)).astype(dtype))
    b = rng.normal(scale=0.6, size=u).astype(dtype)
    return W_x, W_h, b


def _cases(rng, hidden):
    def case(batch, time, d, u, dtype=F64, recurrent=True, x_moves=True, h0_moves=True):
        W_x, W_h, b = _weights(rng, d, u, dtype, recurrent)
        x = rng.normal(size=(batch, time, d)).astype(dtype)
        h0 = rng.uniform(-0.9, 0.9, size=(batch, u)).astype(dtype)
        x_dot = zero_unless(x_moves, rng.normal(size=(batch, time, d)).astype(dtype))
        h0_dot = zero_unless(h0_moves, rng.normal(size=(batch, u)).astype(dtype))
        return (x, h0, W_x, W_h, b, x_dot, h0_dot)

    if hidden:
        terms = [
            ("one step", {"time": 1}),
            ("W_h = 0", {"recurrent": False}),
            ("x_dot = 0", {"x_moves": False}),
            ("h0_dot = 0", {"h0_moves": False}),
        ] + [("both move", {})] * 3
        cases = []
        for what, t in terms:
            s = hidden_sizes(rng, time=(2, 7))
            steps = t.pop("time", s["time"])
            label = f"graded: {what}, {hidden_label(s)}, {steps} step{'s' * (steps > 1)}"
            cases.append((label, case(s["batch"], steps, s["d"], s["u"], s["dtype"], **t)))
        return cases
    return [
        ("one time step (time = 1)", case(2, 1, 3, 3)),
        ("W_h = 0: each state moves only with its own input", case(2, 4, 3, 3, recurrent=False)),
        ("x_dot = 0: the page's Jacobian products applied to h0_dot",
         case(2, 4, 3, 3, x_moves=False)),
        ("h0_dot = 0: only the inputs move", case(2, 4, 3, 3, h0_moves=False)),
        ("both move, several steps", case(2, 5, 3, 3)),
        ("batch of 1", case(1, 4, 2, 3)),
        ("input size != units (5 features, 3 units)", case(2, 4, 5, 3)),
        ("float32 input", case(3, 5, 2, 4, dtype=F32)),
    ]  # fmt: skip


STATE_TANGENTS = Spec(
    signature="state_tangents(x, h0, W_x, W_h, b, x_dot, h0_dot)",
    returns="hs_dot",
    reference=_reference,
    cases=_cases,
    mutants=MUTANTS,
    heuristics=(_shape_hint,),
    exception_hint=_exception_hint,
    allowed=("forward", "rnn_step"),
    tip="write the tangent loop yourself (rnnlib.forward for the states is fine)",
    doc="""Check a learner's ``state_tangents(x, h0, W_x, W_h, b, x_dot, h0_dot) -> hs_dot``.

    The function should push a direction through a simple RNN, forwards in
    time, without forming a Jacobian: if the inputs move along ``x_dot``
    `(batch, time, features)` and the initial state along ``h0_dot``
    `(batch, units)`, it returns how fast every hidden state moves,
    ``hs_dot`` of shape `(batch, time, units)`: for every step the
    Jacobian-vector product (dh_t/dx) x_dot + (dh_t/dh_0) h0_dot, in
    numerator layout, built step by step from the tangent of the step before
    (O(T u^2) work). The sub-checks try one time step, ``W_h = 0``,
    ``x_dot = 0`` (the page's Jacobian products times ``h0_dot``),
    ``h0_dot = 0``, both moving, a batch of 1, an input size different from
    the number of units and float32 inputs.

    Example:

    >>> import numpy as np
    >>> def not_yet(x, h0, W_x, W_h, b, x_dot, h0_dot):
    ...     return np.zeros((x.shape[0], x.shape[1], W_h.shape[0]))
    >>> state_tangents(not_yet).passed
    False
    """,
)

SPECS = {"state_tangents": STATE_TANGENTS}
