"""Spec of the PyTorch-to-Keras exercise: a GRU state dict into Keras's GRU(reset_after=True).

PyTorch is not a dependency: the PyTorch cell is written here from PyTorch's
documented equations (``torch.nn.GRU``), in numpy. ``weight_ih_l0`` is
``(3u, d)`` with the gate rows r, z, n (weights multiply from the left,
``W_ir @ x``), ``weight_hh_l0`` is ``(3u, u)``, ``bias_ih_l0`` and
``bias_hh_l0`` are ``(3u,)``, and

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
    h' = (1 - z) * n + z * h

which is Keras's ``GRU(reset_after=True)`` with the blocks reordered to z, r, h
and every matrix transposed: Keras's ``bias[0]`` is ``bias_ih_l0`` and
``bias[1]`` is ``bias_hh_l0``, both reordered.
"""

from __future__ import annotations

import itertools

import numpy as np

from rnnlib import cells
from rnnlib.checks._engine import Spec, hidden_label, hidden_sizes, zero_unless

KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
NAMES = ("kernel", "recurrent_kernel", "bias")
R, Z, N = range(3)  # PyTorch's row blocks
KERAS_FROM_TORCH = (Z, R, N)  # Keras's blocks z, r, h are PyTorch's z, r, n


def _blocks(a):
    """The three gate blocks along the first axis (PyTorch's rows)."""
    return np.split(np.asarray(a), 3, axis=0)


def _reorder(a, order=KERAS_FROM_TORCH):
    blocks = _blocks(a)
    return np.concatenate([blocks[k] for k in order], axis=0)


def _convert(sd, order=KERAS_FROM_TORCH, transpose=True):
    """Keras's [kernel, recurrent_kernel, bias] from a state dict, with the blocks in ``order``."""
    W_ih, W_hh = _reorder(sd["weight_ih_l0"], order), _reorder(sd["weight_hh_l0"], order)
    if transpose:
        W_ih, W_hh = W_ih.T, W_hh.T
    bias = np.stack([_reorder(sd["bias_ih_l0"], order), _reorder(sd["bias_hh_l0"], order)])
    return W_ih, W_hh, bias


def _ref(sd):
    return _convert(sd)


def torch_gru_forward(x, h0, sd):
    """PyTorch's GRU equations in numpy: every h_t of ``x`` `(batch, time, features)`.

    Batch-major, like ``torch.nn.GRU(batch_first=True)``; returns `(batch, time, units)`.
    """
    W_ir, W_iz, W_in = _blocks(sd["weight_ih_l0"])
    W_hr, W_hz, W_hn = _blocks(sd["weight_hh_l0"])
    b_ir, b_iz, b_in = _blocks(sd["bias_ih_l0"])
    b_hr, b_hz, b_hn = _blocks(sd["bias_hh_l0"])
    h, hs = h0, []
    for t in range(x.shape[1]):
        x_t = x[:, t]
        r = cells._sigmoid(x_t @ W_ir.T + b_ir + h @ W_hr.T + b_hr)
        z = cells._sigmoid(x_t @ W_iz.T + b_iz + h @ W_hz.T + b_hz)
        n = np.tanh(x_t @ W_in.T + b_in + r * (h @ W_hn.T + b_hn))
        h = (1 - z) * n + z * h
        hs.append(h)
    return np.stack(hs, axis=1)


# --------------------------------------------------------------------------
# Known mistakes: the reference on changed conventions.
# --------------------------------------------------------------------------


def _with(sd, **changes):
    return {**sd, **changes}


def _summed(sd):
    """Both biases in the input row, none in the recurrent row."""
    return _with(
        sd, bias_ih_l0=sd["bias_ih_l0"] + sd["bias_hh_l0"], bias_hh_l0=0 * sd["bias_hh_l0"]
    )


def _swapped_weights(sd):
    return _ref(_with(sd, weight_ih_l0=sd["weight_hh_l0"], weight_hh_l0=sd["weight_ih_l0"]))


def _negate_z(sd):
    """Every PyTorch z row negated: sigmoid(-a) = 1 - sigmoid(a)."""
    out = {}
    for key in KEYS:
        blocks = _blocks(sd[key])
        blocks[Z] = -blocks[Z]
        out[key] = np.concatenate(blocks, axis=0)
    return out


def _reshaped(sd):
    """reshape where a transpose belongs."""
    kernel, recurrent, bias = _convert(sd, transpose=False)
    return kernel.reshape(kernel.shape[::-1]), recurrent.reshape(recurrent.shape[::-1]), bias


def _folded(sd):
    """The z and r bias of both rows in bias[0]: the same outputs, not Keras's rows."""
    kernel, recurrent, bias = _ref(sd)
    u = recurrent.shape[0]
    bias = bias.copy()
    bias[0, : 2 * u] += bias[1, : 2 * u]
    bias[1, : 2 * u] = 0
    return kernel, recurrent, bias


def _across_features(sd):
    """The blocks reordered along the wrong axis of the transposed kernel (features)."""
    kernel, recurrent, bias = _convert(sd, order=(R, Z, N))
    return _reorder(kernel), _reorder(recurrent), bias


_TORCH_ORDER = ("r", "z", "n")


def _order_hint(order):
    read = ", ".join(_TORCH_ORDER[k] for k in order)
    if order == (R, Z, N):
        return (
            "the gate blocks are still in PyTorch's order r, z, n: Keras's order is z, r, h, "
            "so swap the first two blocks of `units` rows before you transpose"
        )
    return (
        f"the gate blocks come out as PyTorch's {read}, but Keras's blocks z, r, h are "
        "PyTorch's z, r, n: reorder the rows of each array to z, r, n"
    )


ORDERS = [
    (_order_hint(order), lambda sd, order=order: _convert(sd, order=order))
    for order in itertools.permutations(range(3))
    if order != KERAS_FROM_TORCH
]

MUTANTS = [
    *ORDERS,
    (
        "z is taken for 1 - z: PyTorch's h' = (1 - z) * n + z * h is Keras's convention "
        "too, h_t = z_t * h_prev + (1 - z_t) * hh_t, so copy the z rows as they are, "
        "without negating them",
        lambda sd: _ref(_negate_z(sd)),
    ),
    (
        "the two bias rows are swapped: Keras's bias[0] (b_in) is bias_ih_l0 and "
        "bias[1] (b_rec) is bias_hh_l0",
        lambda sd: _ref(_with(sd, bias_ih_l0=sd["bias_hh_l0"], bias_hh_l0=sd["bias_ih_l0"])),
    ),
    (
        "both biases are summed into bias[0]: that is right for z and r, but the candidate's "
        "recurrent bias sits inside the reset gate, r_t * (h_prev @ W_h_h + b_rec[2*units:]); "
        "keep bias[0] = bias_ih_l0 and bias[1] = bias_hh_l0, each reordered",
        lambda sd: _ref(_summed(sd)),
    ),
    (
        "these weights give PyTorch's outputs, but Keras's two bias rows mirror PyTorch's: "
        "bias[0] = bias_ih_l0 and bias[1] = bias_hh_l0, each reordered, without moving the "
        "z and r biases from one row to the other",
        _folded,
    ),
    (
        "bias_hh_l0 is missing: bias[1] (b_rec) is bias_hh_l0, reordered to z, r, n",
        lambda sd: _ref(_with(sd, bias_hh_l0=0 * sd["bias_hh_l0"])),
    ),
    (
        "bias_ih_l0 is missing: bias[0] (b_in) is bias_ih_l0, reordered to z, r, n",
        lambda sd: _ref(_with(sd, bias_ih_l0=0 * sd["bias_ih_l0"])),
    ),
    (
        "the weights are reordered, but the biases are still in PyTorch's order r, z, n: "
        "reorder bias_ih_l0 and bias_hh_l0 too",
        lambda sd: (*_ref(sd)[:2], _convert(sd, order=(R, Z, N))[2]),
    ),
    (
        "the biases are reordered, but the weights are still in PyTorch's order r, z, n: "
        "reorder the rows of weight_ih_l0 and weight_hh_l0 too",
        lambda sd: (*_convert(sd, order=(R, Z, N))[:2], _ref(sd)[2]),
    ),
    (
        "recurrent_kernel's blocks are still in PyTorch's order r, z, n: reorder the rows "
        "of weight_hh_l0 as you did those of weight_ih_l0",
        lambda sd: (_ref(sd)[0], _convert(sd, order=(R, Z, N))[1], _ref(sd)[2]),
    ),
    (
        "kernel's blocks are still in PyTorch's order r, z, n: reorder the rows of "
        "weight_ih_l0 as you did those of weight_hh_l0",
        lambda sd: (_convert(sd, order=(R, Z, N))[0], *_ref(sd)[1:]),
    ),
    (
        "weight_ih_l0 and weight_hh_l0 are swapped: kernel comes from weight_ih_l0 "
        "(input to hidden) and recurrent_kernel from weight_hh_l0 (hidden to hidden)",
        _swapped_weights,
    ),
    (
        "reshape is not a transpose: it keeps the numbers in memory order and scrambles "
        "the rows; use `.T`, so that kernel[j, k] = weight_ih_l0[k, j] after reordering",
        _reshaped,
    ),
    (
        "the blocks were moved along the wrong axis: after the transpose the gate blocks "
        "are the columns (`units` columns each), so reorder the rows of the PyTorch arrays "
        "before transposing, or the columns after",
        _across_features,
    ),
]  # fmt: skip


# --------------------------------------------------------------------------
# Cases, heuristics and the explanation of a wrong answer by its outputs.
# --------------------------------------------------------------------------


def _state_dict(rng, d, u, dtype=np.float64, ih=True, hh=True, biases=True):
    scale = 1 / np.sqrt(u)  # PyTorch's initialisation range, U(-1/sqrt(u), 1/sqrt(u)), doubled

    def draw(*shape):
        return rng.uniform(-2 * scale, 2 * scale, size=shape).astype(dtype)

    return {
        "weight_ih_l0": zero_unless(ih, draw(3 * u, d)),
        "weight_hh_l0": zero_unless(hh, draw(3 * u, u)),
        "bias_ih_l0": zero_unless(biases, draw(3 * u)),
        "bias_hh_l0": zero_unless(biases, draw(3 * u)),
    }


def _cases(rng, hidden):
    if hidden:
        terms = [("biases only", {"ih": False, "hh": False})] + [("full state dict", {})] * 4
        out = []
        for i, (what, t) in enumerate(terms):
            s = hidden_sizes(rng, features=(1, 7), units=(1, 6))
            s["dtype"] = np.float32 if i == len(terms) - 1 else s["dtype"]  # one float32 at least
            label = hidden_label(s).split(", ", 1)[1]  # no batch: weights have none
            out.append((f"{what}, {label}", (_state_dict(rng, s["d"], s["u"], s["dtype"], **t),)))
        return out
    return [
        ("input weights only (weight_hh_l0 = 0, biases = 0)",
         (_state_dict(rng, 3, 2, hh=False, biases=False),)),
        ("recurrent weights only (weight_ih_l0 = 0, biases = 0)",
         (_state_dict(rng, 3, 2, ih=False, biases=False),)),
        ("biases only (weights = 0)", (_state_dict(rng, 3, 2, ih=False, hh=False),)),
        ("full state dict, 3 features, 3 units", (_state_dict(rng, 3, 3),)),
        ("input size != units (5 features, 2 units)", (_state_dict(rng, 5, 2),)),
        ("one unit (2 features)", (_state_dict(rng, 2, 1),)),
        ("float32 state dict", (_state_dict(rng, 4, 3, dtype=np.float32),)),
    ]  # fmt: skip


def _shape_hint(got, want, case, name=None):
    """Transposed weights, or a bias in another layout."""
    if got.shape == want.shape:
        return None
    if name == "bias" and got.shape == want.shape[1:]:
        return (
            "bias has one row, the layout of GRU(reset_after=False); with reset_after=True "
            "Keras keeps two rows, bias[0] from bias_ih_l0 and bias[1] from bias_hh_l0: "
            "`np.stack([b_in, b_rec])`"
        )
    if name == "bias" and got.shape == want.shape[::-1]:
        return "bias looks transposed: it has 2 rows, bias[0] and bias[1], each (3*units,)"
    if got.ndim == 2 and got.shape == want.shape[::-1]:
        pytorch, product = (
            ("weight_ih_l0", "x_t @ W_x") if name == "kernel" else ("weight_hh_l0", "h_prev @ W_h")
        )
        return (
            f"{name} looks transposed: PyTorch's {pytorch} multiplies from the left, "
            f"Keras's {name} from the right ({product}), so transpose it with `.T`"
        )
    return None


def _outputs_explain(got, case):
    """What the learner's weights do in Keras's equations, compared with PyTorch's cell."""
    (sd,) = case.args64
    try:
        kernel, recurrent, bias = (np.asarray(g, dtype=np.float64) for g in got)
        params = {"kernel": kernel, "recurrent_kernel": recurrent, "bias": bias}
        rng = np.random.default_rng(0)
        batch, d, u = 3, sd["weight_ih_l0"].shape[1], sd["weight_hh_l0"].shape[1]
        x = rng.normal(size=(batch, 6, d))
        h0 = rng.uniform(-0.9, 0.9, size=(batch, u))
        ours = cells.forward("gru", x, params, initial_state=h0)
    except Exception:  # noqa: BLE001 - weights Keras's equations cannot use
        return None
    theirs = torch_gru_forward(x, h0, sd)
    close = np.isclose(ours, theirs, rtol=case.tol[0], atol=case.tol[1])
    if close.all():
        return (
            "these weights give PyTorch's outputs, but not Keras's layout: bias[0] is "
            "bias_ih_l0 and bias[1] is bias_hh_l0, each reordered to z, r, n"
        )
    step = int(np.argwhere(~close.all(axis=(0, 2)))[0, 0]) + 1
    return (
        f"run in Keras's GRU, these weights give other outputs than PyTorch's cell "
        f"from step {step} on"
    )


def _exception_hint(err):
    if isinstance(err, KeyError):
        return (
            "the state dict has the keys 'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0' "
            "and 'bias_hh_l0'."
        )
    return None


GRU_FROM_PYTORCH = Spec(
    signature="gru_from_pytorch(state_dict)",
    returns="[kernel, recurrent_kernel, bias]",
    reference=_ref,
    cases=_cases,
    mutants=MUTANTS,
    outputs=NAMES,
    how="the list `[kernel, recurrent_kernel, bias]`, in the order of `layer.get_weights()`",
    heuristics=(_shape_hint,),
    explain=(_outputs_explain,),
    exception_hint=_exception_hint,
    tip="write the conversion yourself: the point is to see each block move",
    doc="""Check a learner's ``gru_from_pytorch(state_dict) -> [kernel, recurrent_kernel, bias]``.

    ``state_dict`` holds a one-layer ``torch.nn.GRU``'s weights as numpy
    arrays: ``weight_ih_l0`` `(3*units, features)` and ``weight_hh_l0``
    `(3*units, units)` with the gate rows r, z, n, ``bias_ih_l0`` and
    ``bias_hh_l0`` `(3*units,)`. The function should return the weights of
    Keras's ``GRU(units, reset_after=True)`` that give the same outputs, in
    ``layer.get_weights()`` order: ``kernel`` `(features, 3*units)`,
    ``recurrent_kernel`` `(units, 3*units)` and ``bias`` `(2, 3*units)`, with
    Keras's gate blocks z, r, h, ``bias[0]`` from ``bias_ih_l0`` and
    ``bias[1]`` from ``bias_hh_l0``. The sub-checks try the input weights, the
    recurrent weights and the biases alone, a full state dict, an input size
    different from the number of units, one unit and float32 arrays; a wrong
    answer is also run through Keras's GRU equations and compared with
    PyTorch's cell.

    Example:

    >>> def not_yet(state_dict):  # PyTorch's arrays as they are: not Keras's layout
    ...     return [state_dict["weight_ih_l0"], state_dict["weight_hh_l0"],
    ...             state_dict["bias_ih_l0"]]
    >>> result = gru_from_pytorch(not_yet)
    >>> result.passed, result.max_score
    (False, 8)
    """,
)

SPECS = {"gru_from_pytorch": GRU_FROM_PYTORCH}
