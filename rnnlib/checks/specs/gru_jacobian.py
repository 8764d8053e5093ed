"""Spec of the GRU Jacobian exercise: gru_state_jacobian, dh_t/dh_{t-1} in numerator layout.

The reference is written out here (no page of the course computes the whole
matrix); its switches are the learner's known mistakes, one term at a time.
"""

from __future__ import annotations

import numpy as np

from rnnlib.checks._engine import Spec, hidden_label, hidden_sizes, zero_unless
from rnnlib.checks.specs.blocks import OPEN, gated_params, order_mutants, permuted, stuck
from rnnlib.checks.specs.gru import _exception_hint, _only

Z, R, H = range(3)


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _left(v, M):
    """diag(v) @ M for every example: v (batch, u), M (u, u) or (batch, u, u)."""
    return v[:, :, None] * M


def _right(M, v):
    """M @ diag(v) for every example."""
    return M * v[:, None, :]


def _jacobian(
    x,
    h,
    p,
    *,
    direct="z",
    z_path=True,
    z_sign=1.0,
    candidate_share="1 - z",
    r_path=True,
    tanh_slope="1 - hh**2",
    sigmoid_slope=True,
    variant="own",
    transpose_W=True,
    rec_bias=True,
    layout="numerator",
):
    """dh_t/dh_{t-1}, (batch, units, units); the defaults are right, each switch one mistake."""
    reset_after = bool(p.get("reset_after", True))
    u = h.shape[1]
    W_x, W_h, bias = p["kernel"], p["recurrent_kernel"], p["bias"]
    b_in, b_rec = (bias[0], bias[1]) if reset_after else (bias, np.zeros_like(bias))
    xw = x @ W_x + b_in
    blocks = [W_h[:, k * u : (k + 1) * u] for k in range(3)]
    W_z, W_r, W_hh = (W.T if transpose_W else W for W in blocks)  # numerator layout: W^T
    z = _sigmoid(xw[:, :u] + h @ blocks[Z] + b_rec[:u])
    r = _sigmoid(xw[:, u : 2 * u] + h @ blocks[R] + b_rec[u : 2 * u])
    rec_h = h @ blocks[H] + (b_rec[2 * u :] if rec_bias else 0.0)
    if reset_after:
        hh = np.tanh(xw[:, 2 * u :] + r * (h @ blocks[H] + b_rec[2 * u :]))
    else:
        hh = np.tanh(xw[:, 2 * u :] + (r * h) @ blocks[H])

    def slope(g):
        return g * (1 - g) if sigmoid_slope else g

    dz = _left(slope(z), W_z)
    dr = _left(slope(r), W_r) if r_path else 0 * W_r[None]
    after = reset_after if variant == "own" else not reset_after
    if after:
        ds = _left(r, W_hh) + _left(rec_h, dr)
    else:
        ds = _right(W_hh, r) + W_hh @ _left(h, dr)
    slopes = {"1 - hh**2": 1 - hh**2, "1 - tanh(hh)**2": 1 - np.tanh(hh) ** 2, "none": 1 + 0 * hh}
    dhh = _left(slopes[tanh_slope], ds)
    share = {"1 - z": 1 - z, "z": z}[candidate_share]
    J = _left(share, dhh)
    if z_path:
        J = J + _left(z_sign * (h - hh), dz)
    if direct != "none":
        J = J + np.eye(u) * ({"z": z, "1 - z": 1 - z, "1": 1 + 0 * z}[direct])[:, None, :]
    return J.swapaxes(1, 2) if layout == "denominator" else J


def _ref(x, h, p):
    return _jacobian(x, h, p)


def _mistake(**switches):
    return lambda x, h, p: _jacobian(x, h, p, **switches)


MUTANTS = [
    (
        "J looks transposed (denominator layout): in numerator layout row i belongs to h_t's "
        "unit i, J[b, i, j] = dh_t[b, i] / dh_prev[b, j], so each W_h block enters as W_h_k.T",
        _mistake(layout="denominator"),
    ),
    (
        "the direct (copy) path is missing: h_t = z_t * h_prev + ... depends on h_prev "
        "itself, which adds diag(z_t) to J",
        _mistake(direct="none"),
    ),
    (
        "the direct path uses 1 - z_t: in Keras's convention z_t multiplies h_prev, "
        "so the copy path adds diag(z_t)",
        _mistake(direct="1 - z"),
    ),
    (
        "the update gate is used the other way round: Keras's h_t = z_t * h_prev + "
        "(1 - z_t) * hh_t gives diag(z_t) + diag(h_prev - hh_t) dz_t/dh_prev + "
        "diag(1 - z_t) dhh_t/dh_prev",
        _mistake(direct="1 - z", z_sign=-1.0, candidate_share="z"),
    ),
    (
        "the direct path is the identity: the copy path of h_t = z_t * h_prev + ... "
        "scales each unit by its gate, diag(z_t), not by 1",
        _mistake(direct="1"),
    ),
    (
        "the path through z_t is missing: z_t depends on h_prev too, which adds "
        "diag(h_prev - hh_t) dz_t/dh_prev, with dz_t/dh_prev = diag(z_t * (1 - z_t)) W_h_z.T",
        _mistake(z_path=False),
    ),
    (
        "the path through z_t has the wrong sign: d/dz_t of z_t * h_prev + (1 - z_t) * hh_t "
        "is h_prev - hh_t, not hh_t - h_prev",
        _mistake(z_sign=-1.0),
    ),
    (
        "the path through the reset gate r_t is missing: r_t depends on h_prev too, "
        "dr_t/dh_prev = diag(r_t * (1 - r_t)) W_h_r.T (the product rule on r_t and h_prev)",
        _mistake(r_path=False),
    ),
    (
        "the tanh derivative of the candidate is missing: dhh_t/dh_prev starts with "
        "diag(1 - hh_t**2)",
        _mistake(tanh_slope="none"),
    ),
    (
        "hh_t is already the tanh, so its derivative is 1 - hh_t**2, not 1 - np.tanh(hh_t)**2",
        _mistake(tanh_slope="1 - tanh(hh)**2"),
    ),
    (
        "a sigmoid's derivative is missing: dz_t/dh_prev = diag(z_t * (1 - z_t)) W_h_z.T, "
        "and likewise for r_t",
        _mistake(sigmoid_slope=False),
    ),
    (
        "the W_h blocks are not transposed: in numerator layout the derivative of "
        "h_prev @ W_h_z with respect to h_prev is W_h_z.T",
        _mistake(transpose_W=False),
    ),
    (
        "with reset_after=True the reset gate multiplies after the product, "
        "r_t * (h_prev @ W_h_h + b_rec[2*units:]): its candidate path is "
        "diag(r_t) W_h_h.T + diag(h_prev @ W_h_h + b_rec[2*units:]) dr_t/dh_prev, "
        "not the reset_after=False form",
        _only(True, _mistake(variant="other")),
    ),
    (
        "the recurrent bias b_rec[2*units:] is missing from the reset gate's path: with "
        "reset_after=True, r_t multiplies h_prev @ W_h_h + b_rec[2*units:], bias included",
        _only(True, _mistake(rec_bias=False)),
    ),
    (
        "with reset_after=False the reset gate acts before the product, "
        "(r_t * h_prev) @ W_h_h: its candidate path is "
        "W_h_h.T diag(r_t) + W_h_h.T diag(h_prev) dr_t/dh_prev, not the reset_after=True form",
        _only(False, _mistake(variant="other")),
    ),
] + order_mutants(
    ("z", "r", "h"),
    {("r", "z", "h"): "r, z, h is PyTorch's order, r, z, n"},
    lambda order: lambda x, h, p: _ref(x, h, permuted(p, order, 3)),
)  # fmt: skip


def _shape_hint(got, want, case, name=None):
    batch, u = want.shape[:2]
    if got.shape == (batch, u):
        return (
            "J has shape (batch, units): the Jacobian is a (units, units) matrix per example, "
            "not only its diagonal; J has shape (batch, units, units)"
        )
    if batch == 1 and got.shape == (u, u):
        return "the batch axis is gone: keep it for a batch of 1, J has shape (1, units, units)"
    if got.shape == (u, u):
        return (
            "J has one matrix for the whole batch: it needs one per example, (batch, units, units)"
        )
    return None


def _cases(rng, hidden, reset_after=None):
    variants = (True, False) if reset_after is None else (bool(reset_after),)

    def case(variant, batch, d, u, dtype=np.float64, rec=True, reset_open=False, update_shut=False):
        p = gated_params(rng, d, u, np.float64, 3, bias_rows=2 if variant else None)
        if reset_open:
            p = stuck(p, 3, R, OPEN)
        if update_shut:
            p = stuck(p, 3, Z, -OPEN)
        p["recurrent_kernel"] = zero_unless(rec, p["recurrent_kernel"])
        p = {k: v.astype(dtype) for k, v in p.items()}
        p["reset_after"] = variant
        x_t = rng.normal(size=(batch, d)).astype(dtype)
        h_prev = rng.uniform(-0.9, 0.9, size=(batch, u)).astype(dtype)
        return (x_t, h_prev, p)

    out = []
    for v in variants:
        prefix = f"reset_after={v}, "
        if hidden:
            terms = [{"rec": False}, {"reset_open": True}, {}, {}, {}]
            for t in terms:
                s = hidden_sizes(rng, units=(2, 5))
                out.append(
                    (prefix + hidden_label(s), case(v, s["batch"], s["d"], s["u"], s["dtype"], **t))
                )
            continue
        out += [
            (prefix + "recurrent_kernel = 0 (only the direct path, diag(z_t))",
             case(v, 2, 3, 3, rec=False)),
            (prefix + "update gate held at 0 (only the path through hh_t)",
             case(v, 2, 3, 3, update_shut=True)),
            (prefix + "reset gate held at 1 (no path through r_t)",
             case(v, 2, 3, 3, reset_open=True)),
            (prefix + "full step, float64", case(v, 2, 3, 3)),
            (prefix + "batch of 1", case(v, 1, 2, 3)),
            (prefix + "input size != units (5 features, 4 units)", case(v, 2, 5, 4)),
            (prefix + "float32 input", case(v, 3, 2, 4, dtype=np.float32)),
        ]  # fmt: skip
    return out


GRU_STATE_JACOBIAN = Spec(
    signature="gru_state_jacobian(x_t, h_prev, params)",
    returns="J",
    reference=_ref,
    cases=_cases,
    mutants=MUTANTS,
    heuristics=(_shape_hint,),
    exception_hint=_exception_hint,
    tip="write the Jacobian yourself with numpy: the point is to see each path",
    options={"reset_after": None},
    option_docs={"reset_after": "check only this variant; None (the default) checks both."},
    doc="""Check a learner's ``gru_state_jacobian(x_t, h_prev, params) -> J``.

    The function should return the one-step Jacobian of a Keras GRU,
    ``J[b, i, j] = dh_t[b, i] / dh_prev[b, j]``, shape `(batch, units, units)`,
    in numerator layout (one row per unit of ``h_t``), for both values of
    ``params["reset_after"]``; the layout of ``params`` and the update
    ``h_t = z_t * h_prev + (1 - z_t) * hh_t`` are those of ``gru_step``.
    For each variant the sub-checks isolate the direct path
    (``recurrent_kernel = 0``, where J is diag(z_t)), the path through the
    candidate (update gate held at 0) and everything but the reset gate's path
    (reset gate held at 1), then try a full step, a batch of 1, an input size
    different from the number of units and float32 inputs.

    Example:

    >>> import numpy as np
    >>> def copy_path_only(x_t, h_prev, params):  # diag(z_t) alone: right only if W_h = 0
    ...     u = h_prev.shape[1]
    ...     pre = x_t @ params["kernel"][:, :u] + params["bias"][:u]
    ...     pre = pre + h_prev @ params["recurrent_kernel"][:, :u]
    ...     return np.eye(u) * (1 / (1 + np.exp(-pre)))[:, None, :]
    >>> result = gru_state_jacobian(copy_path_only, reset_after=False)
    >>> result.score, result.max_score
    (2, 8)
    """,
)

SPECS = {"gru_state_jacobian": GRU_STATE_JACOBIAN}
