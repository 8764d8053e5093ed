"""Spec of the LSTM exercise: lstm_step, in Keras's layout and gate order i, f, c, o."""

from __future__ import annotations

import numpy as np

from rnnlib import cells
from rnnlib.checks._compare import _batch_axis_hint, _transposed_hint
from rnnlib.checks._engine import Spec, hidden_label, hidden_sizes, zero_unless
from rnnlib.checks.specs.blocks import (
    OPEN,
    gated_params,
    like,
    order_mutants,
    params_hint,
    permuted,
    stuck,
)

I, F, C, O = range(4)


def _cell(x, h, c, p, **activations):
    """The reference step with other activations (gate, candidate, output)."""
    xw = x @ p["kernel"] + p["bias"]
    return cells._lstm_recurrence(xw, h, c, p["recurrent_kernel"], **activations)[:2]


def _ref(x, h, c, p):
    return cells.lstm_step(x, h, c, p)


MUTANTS = [
    ("returned (c_t, h_t): return the pair the other way round, `return h_t, c_t`",
     lambda *a: _ref(*a)[::-1]),
    ("c_prev is ignored: the new cell state is c_t = f_t * c_prev + i_t * g_t",
     lambda x, h, c, p: _ref(x, h, 0 * c, p)),
    ("the tanh of c_t is missing: h_t = o_t * np.tanh(c_t)",
     lambda *a: _cell(*a, output=lambda c_t: c_t)),
    ("h_t uses the old cell state: h_t = o_t * np.tanh(c_t), with the new c_t",
     lambda x, h, c, p: (_ref(x, h, c, stuck(stuck(p, 4, F, OPEN), 4, I, -OPEN))[0],
                         _ref(x, h, c, p)[1])),
    ("the gates i, f and o use sigmoid, not tanh", lambda *a: _cell(*a, gate=np.tanh)),
    ("the candidate g_t (the c block) uses tanh, not sigmoid",
     lambda *a: _cell(*a, candidate=cells._sigmoid)),
    ("the input gate is missing: c_t = f_t * c_prev + i_t * g_t",
     lambda x, h, c, p: _ref(x, h, c, stuck(p, 4, I, OPEN))),
    ("the input gate i_t scales g_t: c_t = f_t * c_prev + i_t * g_t, not (1 - f_t) * g_t",
     lambda x, h, c, p: _ref(x, h, c, like(p, 4, I, F, sign=-1.0))),
    ("the bias is left out: the gates see x_t @ kernel + h_prev @ recurrent_kernel + bias",
     lambda x, h, c, p: _ref(x, h, c, {**p, "bias": 0 * p["bias"]})),
    ("h_prev is ignored: the gates see x_t @ kernel + h_prev @ recurrent_kernel + bias",
     lambda x, h, c, p: _ref(x, 0 * h, c, p)),
] + order_mutants(
    ("i", "f", "c", "o"),
    {("i", "c", "f", "o"): "i, c, f, o is TensorFlow 1's order"},
    lambda order: lambda x, h, c, p: _ref(x, h, c, permuted(p, order, 4)),
)  # fmt: skip


def _tanh_out_hint(got, want, case, name=None):
    if name == "h_t" and got.shape == want.shape and np.abs(got).max() > 1 + 1e-6:
        return "some values of h_t are outside (-1, 1), which o_t * tanh(c_t) never gives"
    return None


def _cases(rng, hidden):
    def case(batch, d, u, dtype=np.float64, x=True, h=True, c=True):
        params = gated_params(rng, d, u, dtype, 4)
        x_t = zero_unless(x, rng.normal(size=(batch, d)).astype(dtype))
        h_prev = zero_unless(h, rng.uniform(-0.9, 0.9, size=(batch, u)).astype(dtype))
        c_prev = zero_unless(c, rng.normal(size=(batch, u)).astype(dtype))
        return (x_t, h_prev, c_prev, params)

    if hidden:
        terms = [("bias only", {"x": False, "h": False}), ("no memory", {"c": False})]
        terms += [("full step", {})] * 4
        return [
            (f"{what}, {hidden_label(s)}", case(s["batch"], s["d"], s["u"], s["dtype"], **t))
            for (what, t), s in ((term, hidden_sizes(rng)) for term in terms)
        ]
    return [
        ("bias only (x_t = 0, h_prev = 0)", case(2, 3, 3, x=False, h=False)),
        ("no memory (c_prev = 0)", case(2, 3, 3, c=False)),
        ("full step, float64", case(2, 3, 3)),
        ("batch of 1", case(1, 2, 3)),
        ("input size != units (5 features, 3 units)", case(2, 5, 3)),
        ("float32 input", case(3, 2, 4, dtype=np.float32)),
    ]


LSTM_STEP = Spec(
    signature="lstm_step(x_t, h_prev, c_prev, params)",
    returns="h_t, c_t",
    reference=_ref,
    cases=_cases,
    mutants=MUTANTS,
    outputs=("h_t", "c_t"),
    how="the pair of states, `return h_t, c_t`",
    heuristics=(_tanh_out_hint, _transposed_hint, _batch_axis_hint),
    exception_hint=params_hint("4"),
    tip="write the gates yourself: the point is to see each of them",
    doc="""Check a learner's ``lstm_step(x_t, h_prev, c_prev, params) -> (h_t, c_t)``.

    The function should compute one LSTM step with Keras's layout: ``params``
    holds ``kernel`` `(features, 4*units)`, ``recurrent_kernel``
    `(units, 4*units)` and ``bias`` `(4*units,)`, with the gate blocks in the
    order i, f, c, o; ``i, f, o`` are sigmoids, ``g = tanh(a_c)``,
    ``c_t = f*c_prev + i*g`` and ``h_t = o*tanh(c_t)``. The sub-checks try the
    bias alone, no memory (``c_prev = 0``), a full step, a batch of 1, an
    input size different from the number of units and float32 inputs. A
    gate-order mistake is named, e.g. "the i and f gate blocks are swapped".

    Example:

    A function that returns the old states, without taking a step, passes nothing:

    >>> def no_step_yet(x_t, h_prev, c_prev, params):
    ...     return h_prev, c_prev
    >>> result = lstm_step(no_step_yet)
    >>> result.passed
    False
    >>> str(result).splitlines()[0]
    'lstm_step: 0/7 checks passed'
    """,
)

SPECS = {"lstm_step": LSTM_STEP}
