"""Spec of the GRU exercise: gru_step, Keras's layout (gates z, r, h), both reset_after values."""

from __future__ import annotations

import numpy as np

from rnnlib import cells
from rnnlib.checks._compare import _batch_axis_hint, _tanh_range_hint, _transposed_hint
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

Z, R, H = range(3)


def _ref(x, h, p):
    return cells.gru_step(x, h, p)


def _cell(x, h, p, **activations):
    """The reference step with other activations (gate, candidate)."""
    reset_after = bool(p.get("reset_after", True))
    b_in, b_rec = cells._split_bias("gru", p["bias"], reset_after)
    xw = x @ p["kernel"] + b_in
    return cells._gru_recurrence(xw, h, p["recurrent_kernel"], b_rec, reset_after, **activations)[0]


def _with_bias(p, bias, **changes):
    return {**p, "bias": bias, **changes}


def _recurrent_bias_moved(p):
    """r_t * (h_prev @ W_h_h) + b_rec[2u:]: the candidate's recurrent bias moved out of r_t."""
    b_in, b_rec = np.array(p["bias"][0]), np.array(p["bias"][1])
    u = b_rec.size // 3
    b_in[2 * u :] += b_rec[2 * u :]
    b_rec[2 * u :] = 0
    return _with_bias(p, np.stack([b_in, b_rec]))


def _candidate_bias_only(p):
    b_rec = np.array(p["bias"][1])
    b_rec[: 2 * (b_rec.size // 3)] = 0
    return _with_bias(p, np.stack([p["bias"][0], b_rec]))


COMMON = [
    (
        "the update gate is used the other way round: Keras keeps h_{t-1} with z_t, "
        "h_t = z_t * h_prev + (1 - z_t) * hh_t",
        lambda x, h, p: _ref(x, h, like(p, 3, Z, Z, -1.0)),
    ),
    (
        "h_t mixes the old state and the candidate: h_t = z_t * h_prev + (1 - z_t) * hh_t",
        lambda x, h, p: _ref(x, h, stuck(p, 3, Z, -OPEN)),
    ),
    ("the candidate ignores the reset gate r_t", lambda x, h, p: _ref(x, h, stuck(p, 3, R, OPEN))),
    ("the gates z and r use sigmoid, not tanh", lambda *a: _cell(*a, gate=np.tanh)),
    ("the candidate hh_t uses tanh, not sigmoid", lambda *a: _cell(*a, candidate=cells._sigmoid)),
    (
        "the bias is left out: every gate and the candidate add their bias",
        lambda x, h, p: _ref(x, h, _with_bias(p, 0 * p["bias"])),
    ),
]
RESET_AFTER = [
    (
        "with reset_after=True (Keras's default) the reset gate multiplies after the "
        "matrix product: r_t * (h_prev @ W_h_h + b_rec[2*units:]), not (r_t * h_prev) @ W_h_h",
        lambda x, h, p: _ref(x, h, _with_bias(p, p["bias"][0] + p["bias"][1], reset_after=False)),
    ),
    (
        "the recurrent bias b_rec = bias[1] is ignored: with reset_after=True, z, r and the "
        "candidate each add both bias rows, b_in = bias[0] and b_rec",
        lambda x, h, p: _ref(x, h, _with_bias(p, p["bias"] * [[1.0], [0.0]])),
    ),
    (
        "the recurrent bias b_rec = bias[1] also goes into z and r, not only into the candidate",
        lambda x, h, p: _ref(x, h, _candidate_bias_only(p)),
    ),
    (
        "the candidate's recurrent bias goes inside the reset gate: "
        "r_t * (h_prev @ W_h_h + b_rec[2*units:]), not r_t * (h_prev @ W_h_h) + b_rec[2*units:]",
        lambda x, h, p: _ref(x, h, _recurrent_bias_moved(p)),
    ),
]
RESET_BEFORE = [
    (
        "the reset gate is applied after the matrix product, r_t * (h_prev @ W_h_h), "
        "but with reset_after=False it acts before it: (r_t * h_prev) @ W_h_h",
        lambda x, h, p: _ref(
            x, h, _with_bias(p, np.stack([p["bias"], 0 * p["bias"]]), reset_after=True)
        ),
    ),
]
ORDERS = order_mutants(
    ("z", "r", "h"),
    {("r", "z", "h"): "r, z, h is PyTorch's order, r, z, n"},
    lambda order: lambda x, h, p: _ref(x, h, permuted(p, order, 3)),
)  # fmt: skip


def _mutants():
    """Every mutant; those of the other reset_after value fail to run and are skipped."""
    return (
        COMMON
        + [(hint, _only(True, m)) for hint, m in RESET_AFTER]
        + [(hint, _only(False, m)) for hint, m in RESET_BEFORE]
        + ORDERS
    )


def _only(reset_after, mutant):
    def run(x, h, p):
        if bool(p.get("reset_after", True)) != reset_after:
            raise ValueError("a mutant of the other variant")
        return mutant(x, h, p)

    return run


def _cases(rng, hidden, reset_after=None):
    variants = (True, False) if reset_after is None else (bool(reset_after),)

    def case(variant, batch, d, u, dtype=np.float64, x=True, h=True):
        params = gated_params(rng, d, u, dtype, 3, bias_rows=2 if variant else None)
        params["reset_after"] = variant
        x_t = zero_unless(x, rng.normal(size=(batch, d)).astype(dtype))
        h_prev = zero_unless(h, rng.uniform(-0.9, 0.9, size=(batch, u)).astype(dtype))
        return (x_t, h_prev, params)

    out = []
    for v in variants:
        prefix = f"reset_after={v}, "
        if hidden:
            terms = [{"x": False, "h": False}, {}, {}, {}, {}]
            sizes = [hidden_sizes(rng) for _ in terms]
            out += [
                (prefix + hidden_label(s), case(v, s["batch"], s["d"], s["u"], s["dtype"], **t))
                for s, t in zip(sizes, terms, strict=True)
            ]
            continue
        out += [
            (prefix + "bias only (x_t = 0, h_prev = 0)", case(v, 2, 3, 3, x=False, h=False)),
            (prefix + "full step, float64", case(v, 2, 3, 3)),
            (prefix + "batch of 1", case(v, 1, 2, 3)),
            (prefix + "input size != units (5 features, 3 units)", case(v, 2, 5, 3)),
            (prefix + "float32 input", case(v, 3, 2, 4, dtype=np.float32)),
        ]
    return out


def _exception_hint(err):
    if isinstance(err, ValueError) and "unpack" in str(err):
        return (
            "With reset_after=False the bias is one vector of shape (3*units,); only "
            "reset_after=True has two rows, b_in = bias[0] (input) and b_rec = bias[1] "
            "(recurrent)."
        )
    return params_hint("3", " (and 'reset_after')")(err)


GRU_STEP = Spec(
    signature="gru_step(x_t, h_prev, params)",
    returns="h_t",
    reference=_ref,
    cases=_cases,
    mutants=_mutants(),
    heuristics=(_transposed_hint, _batch_axis_hint, _tanh_range_hint),
    exception_hint=_exception_hint,
    tip="write the gates yourself: the point is to see each of them",
    options={"reset_after": None},
    option_docs={"reset_after": "check only this variant; None (the default) checks both."},
    doc="""Check a learner's ``gru_step(x_t, h_prev, params) -> h_t``.

    The function should compute one GRU step with Keras's layout and update
    convention ``h_t = z_t*h_prev + (1 - z_t)*hh_t``, gate order z, r, h.
    ``params`` holds ``kernel`` `(features, 3*units)`, ``recurrent_kernel``
    `(units, 3*units)`, ``bias`` and ``reset_after``: with True (Keras's
    default) the bias is `(2, 3*units)` and
    ``hh_t = tanh(x_t @ W_x_h + b_in[2*units:] + r_t * (h_prev @ W_h_h + b_rec[2*units:]))``
    with the rows ``b_in = bias[0]`` (input) and ``b_rec = bias[1]`` (recurrent);
    with False it is `(3*units,)` and
    ``hh_t = tanh(x_t @ W_x_h + (r_t * h_prev) @ W_h_h + b_h)``.
    For each variant the sub-checks try the bias alone, a full step, a batch
    of 1, an input size different from the number of units and float32 inputs.

    Example:

    A function that returns the old state, without taking a step, passes nothing:

    >>> def no_step_yet(x_t, h_prev, params):
    ...     return h_prev
    >>> result = gru_step(no_step_yet, reset_after=True)
    >>> str(result).splitlines()[0]
    'gru_step: 0/6 checks passed'
    """,
)

SPECS = {"gru_step": GRU_STEP}
