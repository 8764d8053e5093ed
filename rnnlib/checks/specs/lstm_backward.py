"""Spec of the LSTM backward exercise: lstm_step_backward, one step in Keras's layout.

The learner gets the upstream gradients ``dh_t = dL/dh_t`` and ``dc_t`` (the part
of ``dL/dc_t`` that does not come through ``h_t``) and returns the gradients of
``L = sum(dh_t * h_t) + sum(dc_t * c_t)`` with respect to the step's inputs and
weights. The reference is :func:`rnnlib.backward` on a sequence of one step, with
``input_grads=True`` for ``dL/dx_t``.
The known mistakes are a learner's backward step with one slip switched on
(:func:`_by_hand`); an answer no mistake explains is compared block by block
(:func:`_explain_blocks`), so that the report names the gate that is wrong.
"""

from __future__ import annotations

import itertools

import numpy as np

from rnnlib import cells
from rnnlib.checks._calls import _is_matmul_error
from rnnlib.checks._compare import _close, _fmt_shape
from rnnlib.checks._engine import Spec, hidden_label, hidden_sizes, zero_unless
from rnnlib.checks.specs.blocks import gated_params

GATES = ("i", "f", "c", "o")
KEYS = ("x_t", "h_prev", "c_prev", "kernel", "recurrent_kernel", "bias")
NAMES = {
    "x_t": "dx_t",
    "h_prev": "dh_prev",
    "c_prev": "dc_prev",
    "kernel": "dW_x",
    "recurrent_kernel": "dW_h",
    "bias": "db",
}


def _ref(dh_t, dc_t, x_t, h_prev, c_prev, p):
    """dL/d(every input) from rnnlib.backward on a one-step sequence."""
    g = cells.backward(
        "lstm",
        x_t[:, None],
        p,
        dh_t[:, None],
        initial_state=(h_prev, c_prev),
        d_cs=dc_t[:, None],
        input_grads=True,
    )
    dh_prev, dc_prev = g["initial_state"]
    return {
        "x_t": g["inputs"][:, 0],
        "h_prev": dh_prev,
        "c_prev": dc_prev,
        "kernel": g["kernel"],
        "recurrent_kernel": g["recurrent_kernel"],
        "bias": g["bias"],
    }


# ==========================================================================
# Known mistakes: a learner's backward step with one slip switched on.
# ==========================================================================


def _forward(x, h, c, p):
    """The gates and c_t of the step (from the reference's cell maths)."""
    xw = x @ p["kernel"] + p["bias"]
    _, c_t, (i_t, f_t, g_t, o_t) = cells._lstm_recurrence(xw, h, c, p["recurrent_kernel"])
    return c_t, i_t, f_t, g_t, o_t


_SLOPES = {
    "s(1-s)": lambda s: s * (1 - s),
    "1-s^2": lambda s: 1 - s**2,
    "sigmoid(s)": lambda s: cells._sigmoid(s) * (1 - cells._sigmoid(s)),
    "none": lambda s: 1.0,
}


def _by_hand(
    *,
    o_reads="tanh(c_t)",
    h_path=True,
    upstream_dc=True,
    f_reads="c_prev",
    i_reads="g_t",
    gate_slope="s(1-s)",
    cand_slope="1-s^2",
    order=GATES,
    dc_prev="total",
    times_f=True,
    dx_with="kernel",
    dh_with="recurrent_kernel",
    scale="sum",
):
    """A learner's ``lstm_step_backward`` with one mistake switched on; the defaults are right."""

    def backward(dh, dc, x, h, c, p):
        c_t, i, f, g, o = _forward(x, h, c, p)
        tanh_c = np.tanh(c_t)
        do = dh * (tanh_c if o_reads == "tanh(c_t)" else c_t)
        dc_total = (dc if upstream_dc else 0) + (dh * o * (1 - tanh_c**2) if h_path else 0)
        di = dc_total * (g if i_reads == "g_t" else i)
        dg = dc_total * (i if i_reads == "g_t" else g)
        df = dc_total * (c if f_reads == "c_prev" else c_t)
        gate, cand = _SLOPES[gate_slope], _SLOPES[cand_slope]
        blocks = {"i": di * gate(i), "f": df * gate(f), "c": dg * cand(g), "o": do * gate(o)}
        delta = np.concatenate([blocks[k] for k in order], axis=1)
        grads = {
            "x_t": delta @ p[dx_with].T,
            "h_prev": delta @ p[dh_with].T,
            "c_prev": (dc_total if dc_prev == "total" else dc) * (f if times_f else 1.0),
            "kernel": x.T @ delta,
            "recurrent_kernel": h.T @ delta,
            "bias": delta.sum(axis=0),
        }
        if scale == "mean":
            grads = {k: v / x.shape[0] for k, v in grads.items()}
        return grads

    return backward


_H_PATH = "dc_t misses the path through h_t: dc_total = dc_t + dh_t * o_t * (1 - tanh(c_t)**2)"
_DC_PREV = "dL/dc_prev is dc_total * f_t, with dc_total = dc_t + dh_t * o_t * (1 - tanh(c_t)**2)"


def _order_hint(order):
    return (
        f"the four blocks of delta_t are in the wrong order (yours read as {', '.join(order)}): "
        "concatenate them in Keras's gate order, i, f, c, o"
    )


MUTANTS = [
    ("dL/d(forget-gate block) is wrong: did you use c_t where c_{t-1} belongs? "
     "df_t = dc_total * c_prev", _by_hand(f_reads="c_t")),
    ("the output-gate block is wrong: dL/do_t is dh_t * tanh(c_t), not dh_t * c_t",
     _by_hand(o_reads="c_t")),
    (_H_PATH, _by_hand(h_path=False)),
    ("the upstream dc_t is left out: dc_total = dc_t + dh_t * o_t * (1 - tanh(c_t)**2)",
     _by_hand(upstream_dc=False)),
    ("the input-gate and candidate blocks are swapped: di_t = dc_total * g_t and "
     "dg_t = dc_total * i_t", _by_hand(i_reads="i_t")),
    ("the gates i, f and o are sigmoids, whose derivative is s * (1 - s) with s the gate's "
     "value; 1 - s**2 is the derivative of tanh", _by_hand(gate_slope="1-s^2")),
    ("the candidate g_t is a tanh, whose derivative is 1 - g_t**2; g_t * (1 - g_t) is a "
     "sigmoid's", _by_hand(cand_slope="s(1-s)")),
    ("i_t, f_t and o_t are already sigmoid(a_k): the derivative is i_t * (1 - i_t), "
     "not sigmoid(i_t) * (1 - sigmoid(i_t))", _by_hand(gate_slope="sigmoid(s)")),
    ("the sigmoid derivatives are missing: each gate's block of delta_t is its gradient times "
     "s * (1 - s)", _by_hand(gate_slope="none")),
    ("the tanh derivative of the candidate is missing: the c block of delta_t is "
     "dg_t * (1 - g_t**2)", _by_hand(cand_slope="none")),
    (_DC_PREV, _by_hand(times_f=False)),
    (_DC_PREV + ": it takes the whole gradient on c_t, not only the upstream dc_t",
     _by_hand(dc_prev="upstream")),
    ("dL/dx_t goes back through the kernel: dx_t = delta_t @ kernel.T, not recurrent_kernel.T",
     _by_hand(dx_with="recurrent_kernel")),
    ("dL/dh_prev goes back through the recurrent kernel: dh_prev = delta_t @ recurrent_kernel.T, "
     "not kernel.T", _by_hand(dh_with="kernel")),
    ("the gradients are divided by the batch size: the loss is a sum over the batch, not a mean",
     _by_hand(scale="mean")),
] + [
    (_order_hint(order), _by_hand(order=order))
    for order in itertools.permutations(GATES)
    if order != GATES
]  # fmt: skip


# ==========================================================================
# An answer no known mistake explains: which gate's block is wrong?
# ==========================================================================

_BLOCK_TIPS = {  # gate: (the block's name, how its gradient is made)
    "i": ("input-gate", "di_t = dc_total * g_t, then times i_t * (1 - i_t)"),
    "f": (
        "forget-gate",
        "df_t = dc_total * c_prev (the whole gradient on c_t, times c_{t-1}, not c_t), "
        "then times f_t * (1 - f_t)",
    ),
    "c": ("candidate", "dg_t = dc_total * i_t, then times 1 - g_t**2 (Keras's block c)"),
    "o": ("output-gate", "do_t = dh_t * tanh(c_t), then times o_t * (1 - o_t)"),
}
_AFTER_DA = {
    "x_t": "dx_t = delta_t @ kernel.T",
    "h_prev": "dh_prev = delta_t @ recurrent_kernel.T",
    "c_prev": _DC_PREV,
    "kernel": "dW_x = x_t.T @ delta_t",
    "recurrent_kernel": "dW_h = h_prev.T @ delta_t",
}


def _as_float(value):
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array if np.isfinite(array).all() else None


def _explain_blocks(got, case):
    """Name the gate blocks whose bias gradient is wrong, or what follows a right delta_t."""
    want = case.expected
    bias = _as_float(got.get("bias")) if hasattr(got, "get") else None
    if bias is None or bias.shape != want["bias"].shape:
        return None
    u = bias.shape[0] // 4
    wrong = [
        gate
        for k, gate in enumerate(GATES)
        if not _close(bias[k * u : (k + 1) * u], want["bias"][k * u : (k + 1) * u], case.tol)
    ]
    if not wrong:
        shapes = [np.shape(got.get(key)) == want[key].shape for key in _AFTER_DA]
        if not all(shapes):
            return None  # a wrong shape: the shape hints say more
        after = [
            tip for key, tip in _AFTER_DA.items() if not _close(got.get(key), want[key], case.tol)
        ]
        if not after:
            return None
        return "the bias gradient is right, so delta_t probably is too; then " + "; ".join(after)
    right = [g for g in GATES if g not in wrong]
    if wrong == ["i", "f", "c"]:
        return (
            "the i, f and c blocks are wrong and the output gate's is right: all three go "
            "through c_t, so check dc_total = dc_t + dh_t * o_t * (1 - tanh(c_t)**2)"
        )
    if wrong == ["i", "f", "o"]:
        return (
            "the blocks of the three sigmoid gates (i, f, o) are wrong and the candidate's "
            "is right: a sigmoid's derivative is s * (1 - s), with s the gate's value"
        )
    if len(wrong) == 4:
        return (
            "every block of the bias gradient is wrong: check the gradient on c_t, "
            "dc_total = dc_t + dh_t * o_t * (1 - tanh(c_t)**2), and that delta_t is "
            "concatenated in the order i, f, c, o"
        )
    if len(wrong) == 1:
        name, tip = _BLOCK_TIPS[wrong[0]]
        return f"dL/d({name} block) is wrong (the {', '.join(right)} blocks are right): {tip}"
    return "; ".join(
        f"dL/d({_BLOCK_TIPS[g][0]} block) is wrong: {_BLOCK_TIPS[g][1]}" for g in wrong
    )


def _shape_hint(got, want, case, name=None):
    """A hint for a gradient of the wrong shape."""
    if got.shape == want.shape:
        return None
    batch, units = case.args[0].shape
    features = case.args[2].shape[1]
    if name == "db" and got.shape == (batch, *want.shape):
        return "the bias gradient must be summed over the batch: delta_t.sum(axis=0)"
    if name == "dW_h" and got.shape == want.shape[::-1]:
        return "dW_h looks transposed: dW_h = h_prev.T @ delta_t, of shape (units, 4*units)"
    if name == "dW_x" and got.shape == want.shape[::-1]:
        return "dW_x looks transposed: dW_x = x_t.T @ delta_t, of shape (features, 4*units)"
    if name == "dx_t" and got.shape == (batch, units) != want.shape:
        return (
            "dx_t has the shape of h_prev: dL/dx_t goes back through the kernel, delta_t @ kernel.T"
        )
    if name == "dh_prev" and got.shape == (batch, features) != want.shape:
        return "dh_prev has the shape of x_t: it goes back through recurrent_kernel.T"
    if name in ("dx_t", "dh_prev") and got.shape == (batch, 4 * units):
        weights = "kernel" if name == "dx_t" else "recurrent_kernel"
        return f"{name} still has the shape of delta_t: multiply by {weights}.T"
    return f"{name} must have the shape of what it is the gradient of, {_fmt_shape(want.shape)}"


def _exception_hint(err):
    if isinstance(err, KeyError):
        return "params has the keys 'kernel', 'recurrent_kernel' and 'bias'."
    if _is_matmul_error(err):
        return (
            "The shapes that fit: delta_t is (batch, 4*units), x_t.T @ delta_t is "
            "(features, 4*units), and delta_t @ kernel.T is (batch, features)."
        )
    return None


# ==========================================================================
# Cases.
# ==========================================================================


def _cases(rng, hidden):
    def case(batch, d, u, dtype=np.float64, dh=True, dc=True, c=True):
        params = gated_params(rng, d, u, dtype, 4)
        dh_t = zero_unless(dh, rng.normal(size=(batch, u)).astype(dtype))
        dc_t = zero_unless(dc, rng.normal(size=(batch, u)).astype(dtype))
        x_t = rng.normal(size=(batch, d)).astype(dtype)
        h_prev = rng.uniform(-0.9, 0.9, size=(batch, u)).astype(dtype)
        c_prev = zero_unless(c, rng.normal(size=(batch, u)).astype(dtype))
        return (dh_t, dc_t, x_t, h_prev, c_prev, params)

    if hidden:
        terms = [
            ("dc_t only", {"dh": False}),
            ("dh_t only", {"dc": False}),
            ("no memory", {"c": False}),
        ] + [("full step", {})] * 4
        return [
            (f"{what}, {hidden_label(s)}", case(s["batch"], s["d"], s["u"], s["dtype"], **t))
            for (what, t), s in ((term, hidden_sizes(rng, units=(2, 5))) for term in terms)
        ]
    return [
        ("dc_t only (dh_t = 0)", case(2, 3, 3, dh=False)),
        ("dh_t only (dc_t = 0)", case(2, 3, 3, dc=False)),
        ("no memory (c_prev = 0)", case(2, 3, 3, c=False)),
        ("full step, float64", case(2, 3, 3)),
        ("batch of 1", case(1, 2, 3)),
        ("input size != units (5 features, 3 units)", case(2, 5, 3)),
        ("float32 input", case(3, 2, 4, dtype=np.float32)),
    ]


LSTM_STEP_BACKWARD = Spec(
    signature="lstm_step_backward(dh_t, dc_t, x_t, h_prev, c_prev, params)",
    returns="grads",
    reference=_ref,
    cases=_cases,
    mutants=MUTANTS,
    outputs=NAMES,
    how="a dict with the keys 'x_t', 'h_prev', 'c_prev', 'kernel', 'recurrent_kernel', 'bias'",
    heuristics=(_shape_hint,),
    explain=(_explain_blocks,),
    exception_hint=_exception_hint,
    allowed=(),
    tip="write the backward step yourself (your own lstm_step for the gates is fine)",
    doc="""Check ``lstm_step_backward(dh_t, dc_t, x_t, h_prev, c_prev, params) -> grads``.

    The function should backpropagate through one LSTM step in Keras's layout
    (gate blocks i, f, c, o): for the loss ``L = sum(dh_t * h_t) + sum(dc_t * c_t)``,
    with ``h_t, c_t = lstm_step(x_t, h_prev, c_prev, params)``, return the dict
    ``{"x_t": dL/dx_t, "h_prev": dL/dh_prev, "c_prev": dL/dc_prev, "kernel": ...,
    "recurrent_kernel": ..., "bias": ...}``, each of the shape of what it is the
    gradient of. ``dc_t`` is the part of the gradient on ``c_t`` that does not
    come through ``h_t``. The sub-checks try ``dc_t`` alone, ``dh_t`` alone,
    ``c_prev = 0``, a full step, a batch of 1, an input size different from
    the number of units and float32 inputs. A wrong bias gradient is compared
    block by block, and the report names the gate whose block is wrong.

    Example (the exercise asks for the function; a placeholder scores 0):

    >>> import numpy as np
    >>> def not_yet(dh_t, dc_t, x_t, h_prev, c_prev, params):
    ...     return {"x_t": 0 * x_t, "h_prev": 0 * h_prev, "c_prev": 0 * c_prev,
    ...             **{key: 0 * value for key, value in params.items()}}
    >>> result = lstm_step_backward(not_yet)
    >>> result.passed, result.score
    (False, 0)
    """,
)

SPECS = {"lstm_step_backward": LSTM_STEP_BACKWARD}
