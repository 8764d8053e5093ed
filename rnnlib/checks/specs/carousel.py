"""Spec of the carousel exercise: cell_state_jacobian, dc_T/dc_0 of an LSTM through all paths.

Page 04b shows the direct path (the product of the forget gates); the exercise
adds the paths through the hidden states. The reference chains the one-step
Jacobians of the state pair (h_t, c_t); its switches are the known mistakes.
"""

from __future__ import annotations

import numpy as np

from rnnlib.checks._engine import Spec, hidden_label, hidden_sizes, zero_unless
from rnnlib.checks.specs.blocks import gated_params, order_mutants, params_hint, permuted

I, F, C, O = range(4)


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _left(v, M):
    """diag(v) @ M for every example: v (batch, u), M (u, u) or (batch, u, u)."""
    return v[:, :, None] * M


def _jacobian(
    x,
    h0,
    c0,
    p,
    *,
    through_h=True,
    layout="numerator",
    order="later on the left",
    out_slope="1 - tanh(c_t)**2",
    f_in_dh_dc=True,
    forget_path=True,
    forget_state="c_prev",
    input_path=True,
    candidate_path=True,
    output_path=True,
    transpose_W=True,
):
    """dc_T/dc_0, (batch, units, units); the defaults are right, each switch one mistake."""
    batch, u = c0.shape
    W_x, W_h, b = p["kernel"], p["recurrent_kernel"], p["bias"]
    blocks = [W_h[:, k * u : (k + 1) * u] for k in range(4)]
    W_i, W_f, W_c, W_o = (W.T if transpose_W else W for W in blocks)
    eye = np.broadcast_to(np.eye(u), (batch, u, u))
    total = np.broadcast_to(np.eye(2 * u), (batch, 2 * u, 2 * u))  # d(h_t, c_t)/d(h0, c0)
    h, c = h0, c0
    for t in range(x.shape[1]):
        a = x[:, t] @ W_x + h @ W_h + b
        i, f, o = (_sigmoid(a[:, k * u : (k + 1) * u]) for k in (I, F, O))
        g = np.tanh(a[:, 2 * u : 3 * u])
        c_new = f * c + i * g
        tanh_c = np.tanh(c_new)
        slope = {
            "1 - tanh(c_t)**2": 1 - tanh_c**2,
            "1 - tanh(c_prev)**2": 1 - np.tanh(c) ** 2,
            "none": 1 + 0 * c,
        }[out_slope]
        dc_dc = _left(f, eye)
        dc_dh = 0 * eye
        if forget_path:
            dc_dh = dc_dh + _left((c if forget_state == "c_prev" else c_new) * f * (1 - f), W_f)
        if input_path:
            dc_dh = dc_dh + _left(g * i * (1 - i), W_i)
        if candidate_path:
            dc_dh = dc_dh + _left(i * (1 - g**2), W_c)
        dh_dc = _left(o * slope, dc_dc if f_in_dh_dc else eye)
        dh_dh = _left(o * slope, dc_dh)
        if output_path:
            dh_dh = dh_dh + _left(tanh_c * o * (1 - o), W_o)
        if not through_h:
            dh_dh, dh_dc, dc_dh = 0 * eye, 0 * eye, 0 * eye
        step = np.concatenate(
            [np.concatenate([dh_dh, dh_dc], axis=2), np.concatenate([dc_dh, dc_dc], axis=2)],
            axis=1,
        )  # rows (h_t, c_t), columns (h_prev, c_prev)
        total = step @ total if order == "later on the left" else total @ step
        h, c = o * tanh_c, c_new
    J = total[:, u:, u:]
    return J.swapaxes(1, 2) if layout == "denominator" else J


def _ref(x, h0, c0, p):
    return _jacobian(x, h0, c0, p)


def _mistake(**switches):
    return lambda x, h0, c0, p: _jacobian(x, h0, c0, p, **switches)


MUTANTS = [
    (
        "only the direct path (the carousel, the product of the forget gates) is there: "
        "from step 2 on, c_prev also reaches c_t through h_prev, which every gate reads",
        _mistake(through_h=False),
    ),
    (
        "J looks transposed (denominator layout): in numerator layout row i belongs to "
        "c_T's unit i, J[b, i, j] = dc_T[b, i] / dc0[b, j], and each W_h block enters as W_h_k.T",
        _mistake(layout="denominator"),
    ),
    (
        "the steps' Jacobians are multiplied in the wrong order: the chain rule puts the "
        "later step on the left: the last step's Jacobian @ ... @ the first step's",
        _mistake(order="earlier on the left"),
    ),
    (
        "the tanh derivative of h_t = o_t * tanh(c_t) is missing: dh_t/dc_t = "
        "diag(o_t * (1 - tanh(c_t)**2))",
        _mistake(out_slope="none"),
    ),
    (
        "the tanh derivative uses c_prev: h_t = o_t * tanh(c_t) is differentiated at the "
        "new cell state, 1 - tanh(c_t)**2",
        _mistake(out_slope="1 - tanh(c_prev)**2"),
    ),
    (
        "dh_t/dc_prev misses the forget gate: h_t reads c_prev through c_t, so "
        "dh_t/dc_prev = dh_t/dc_t @ diag(f_t)",
        _mistake(f_in_dh_dc=False),
    ),
    (
        "the path through the forget gate is missing from dc_t/dh_prev: f_t depends on "
        "h_prev, which adds diag(c_prev * f_t * (1 - f_t)) W_h_f.T",
        _mistake(forget_path=False),
    ),
    (
        "the forget gate's path uses c_t: in c_t = f_t * c_prev + i_t * g_t the forget gate "
        "multiplies c_prev, so its term is diag(c_prev * f_t * (1 - f_t)) W_h_f.T",
        _mistake(forget_state="c_t"),
    ),
    (
        "the path through the input gate is missing from dc_t/dh_prev: "
        "diag(g_t * i_t * (1 - i_t)) W_h_i.T",
        _mistake(input_path=False),
    ),
    (
        "the path through the candidate g_t is missing from dc_t/dh_prev: "
        "diag(i_t * (1 - g_t**2)) W_h_c.T",
        _mistake(candidate_path=False),
    ),
    (
        "the path through the output gate is missing from dh_t/dh_prev: o_t depends on "
        "h_prev, which adds diag(tanh(c_t) * o_t * (1 - o_t)) W_h_o.T",
        _mistake(output_path=False),
    ),
    (
        "the W_h blocks are not transposed: in numerator layout the derivative of "
        "h_prev @ W_h_f with respect to h_prev is W_h_f.T",
        _mistake(transpose_W=False),
    ),
] + order_mutants(
    ("i", "f", "c", "o"),
    {("i", "c", "f", "o"): "i, c, f, o is TensorFlow 1's order"},
    lambda order: lambda x, h0, c0, p: _ref(x, h0, c0, permuted(p, order, 4)),
)  # fmt: skip


def _shape_hint(got, want, case, name=None):
    batch, u = want.shape[:2]
    if got.shape == (batch, u):
        return (
            "J has shape (batch, units): through h_t the units mix, so dc_T/dc_0 is a full "
            "(units, units) matrix per example, (batch, units, units)"
        )
    if got.shape == (batch, 2 * u, 2 * u):
        return (
            "J is the Jacobian of the whole state pair: return only its block of c_T's rows "
            "and c0's columns, (batch, units, units)"
        )
    if batch == 1 and got.shape == (u, u):
        return "the batch axis is gone: keep it for a batch of 1, J has shape (1, units, units)"
    return None


def _cases(rng, hidden):
    def case(batch, time, d, u, dtype=np.float64, rec=True):
        p = gated_params(rng, d, u, np.float64, 4)
        p["recurrent_kernel"] = zero_unless(rec, p["recurrent_kernel"])
        p = {k: v.astype(dtype) for k, v in p.items()}
        x = rng.normal(size=(batch, time, d)).astype(dtype)
        h0 = rng.uniform(-0.9, 0.9, size=(batch, u)).astype(dtype)
        c0 = rng.normal(size=(batch, u)).astype(dtype)
        return (x, h0, c0, p)

    if hidden:
        out = []
        for rec in [False, True, True, True, True, True]:
            s = hidden_sizes(rng, units=(2, 5), time=(2, 6))
            what = "recurrent_kernel = 0, " if not rec else ""
            label = f"{what}{hidden_label(s)}, {s['time']} steps"
            out.append((label, case(s["batch"], s["time"], s["d"], s["u"], s["dtype"], rec)))
        return out
    return [
        ("one step (time = 1): only the direct path, diag(f_1)", case(2, 1, 3, 3)),
        ("recurrent_kernel = 0, 4 steps: only the carousel, the product of the forget gates",
         case(2, 4, 3, 3, rec=False)),
        ("two steps (the first with a path through h_1)", case(2, 2, 3, 3)),
        ("five steps", case(2, 5, 3, 3)),
        ("batch of 1", case(1, 3, 2, 3)),
        ("input size != units (5 features, 4 units)", case(2, 3, 5, 4)),
        ("float32 input", case(3, 4, 2, 4, dtype=np.float32)),
    ]  # fmt: skip


CELL_STATE_JACOBIAN = Spec(
    signature="cell_state_jacobian(x, h0, c0, params)",
    returns="J",
    reference=_ref,
    cases=_cases,
    mutants=MUTANTS,
    heuristics=(_shape_hint,),
    exception_hint=params_hint("4"),
    tip="write the Jacobian yourself with numpy: the point is to see each path",
    doc="""Check a learner's ``cell_state_jacobian(x, h0, c0, params) -> J``.

    The function should run a Keras LSTM (gate order i, f, c, o, the layout of
    ``lstm_step``) over ``x`` `(batch, time, features)` from the states
    ``h0`` and ``c0`` and return the Jacobian of the last cell state with
    respect to the first, through every path,
    ``J[b, i, j] = dc_T[b, i] / dc0[b, j]`` (numerator layout), shape
    `(batch, units, units)`; ``h0`` is held fixed. The sub-checks try one
    step (J is diag(f_1)), ``recurrent_kernel = 0`` (only the carousel, the
    product of the forget gates), two and five steps, a batch of 1, an input
    size different from the number of units and float32 inputs.

    Example:

    >>> import numpy as np
    >>> def carousel_only(x, h0, c0, params):  # the direct path alone: right if W_h = 0
    ...     u, h, c, keep = c0.shape[1], h0, c0, 1.0
    ...     for t in range(x.shape[1]):
    ...         a = x[:, t] @ params["kernel"] + h @ params["recurrent_kernel"] + params["bias"]
    ...         i, f, o = (1 / (1 + np.exp(-a[:, k * u : (k + 1) * u])) for k in (0, 1, 3))
    ...         c = f * c + i * np.tanh(a[:, 2 * u : 3 * u])
    ...         h, keep = o * np.tanh(c), keep * f
    ...     return np.eye(u) * keep[:, None, :]
    >>> result = cell_state_jacobian(carousel_only)
    >>> result.score, result.max_score
    (3, 8)
    """,
)

SPECS = {"cell_state_jacobian": CELL_STATE_JACOBIAN}
