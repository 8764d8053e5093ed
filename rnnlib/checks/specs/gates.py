"""Spec of chapter 6's exercise: gru_gates, every z_t, r_t and h_t of a GRU over a sequence."""

from __future__ import annotations

import numpy as np

from rnnlib import cells, gates
from rnnlib.checks._compare import _fmt_shape
from rnnlib.checks._engine import Spec, hidden_label, hidden_sizes, zero_unless
from rnnlib.checks.specs.blocks import gated_params, params_hint, permuted

Z, R, H = range(3)
KEYS = ("z", "r", "h")


def _ref(x, h0, p):
    record = gates.gru_gates(x, p, initial_state=h0)
    return {key: record[key] for key in KEYS}


def _loop(x, h0, p, *, carry=True, **activations):
    """The reference loop with other activations, or with every step starting from h0."""
    b_in, b_rec = p["bias"]
    xw = x @ p["kernel"] + b_in
    h, out = h0, {key: [] for key in ("z", "r", "hh", "h", "h_prev")}
    for t in range(x.shape[1]):
        start = h if carry else h0
        h, (z_t, r_t, hh_t, _) = cells._gru_recurrence(
            xw[:, t], start, p["recurrent_kernel"], b_rec, True, **activations
        )
        for key, value in zip(out, (z_t, r_t, hh_t, h, start), strict=True):
            out[key].append(value)
    return {key: np.stack(values, axis=1) for key, values in out.items()}


def _keys(record, **renamed):
    """The learner's dict: ``renamed`` maps a key to the record's entry it holds."""
    return {key: record[renamed.get(key, key)] for key in KEYS}


def _negated_z(p):
    kernel, recurrent, bias = (np.array(p[k]) for k in ("kernel", "recurrent_kernel", "bias"))
    u = recurrent.shape[0]
    for array in (kernel, recurrent, bias):
        array[..., :u] *= -1
    return {**p, "kernel": kernel, "recurrent_kernel": recurrent, "bias": bias}


def _swapped_update(x, h0, p):
    """h_t = (1 - z_t) h_prev + z_t hh_t: the run with z negated, z recorded as 1 - z."""
    record = _loop(x, h0, _negated_z(p))
    return {"z": 1 - record["z"], "r": record["r"], "h": record["h"]}


def _bias_rows(p, rows):
    return {**p, "bias": np.asarray(p["bias"]) * np.asarray(rows)[:, None]}


def _reset_before(x, h0, p):
    """The candidate of reset_after=False: (r_t * h_prev) @ W_h_h, both bias rows outside."""
    return _ref(x, h0, {**p, "bias": p["bias"][0] + p["bias"][1], "reset_after": False})


def _bias_outside_reset(x, h0, p):
    """r_t * (h_prev @ W_h_h) + b_rec[2*units:]: the recurrent bias moved into the input row."""
    b_in, b_rec = p["bias"]
    u = p["recurrent_kernel"].shape[0]
    moved = np.stack([b_in + np.concatenate([0 * b_rec[: 2 * u], b_rec[2 * u :]]),
                      np.concatenate([b_rec[: 2 * u], 0 * b_rec[2 * u :]])])  # fmt: skip
    return _ref(x, h0, {**p, "bias": moved})


MUTANTS = [
    ("the update is the wrong way round: in Keras's convention z_t keeps the old state, "
     "h_t = z_t * h_prev + (1 - z_t) * hh_t", _swapped_update),
    ("h0 is ignored: start the loop from h = h0, not from zeros",
     lambda x, h0, p: _ref(x, 0 * h0, p)),
    ("every step restarts from h0: carry h from one step to the next",
     lambda x, h0, p: _keys(_loop(x, h0, p, carry=False))),
    ("the z and r gate blocks are swapped: Keras's gate order is z, r, h",
     lambda x, h0, p: _ref(x, h0, permuted(p, (R, Z, H), 3))),
    ("the keys are swapped: 'z' is the update gate z_t and 'r' the reset gate r_t",
     lambda x, h0, p: _keys(_ref(x, h0, p), z="r", r="z")),
    ("'h' holds the candidate hh_t: record the new state h_t = z_t * h_prev + (1 - z_t) * hh_t",
     lambda x, h0, p: _keys(_loop(x, h0, p), h="hh")),
    ("'h' holds the state before each step: record h_t after the update, so that "
     "record['h'][:, t] is the state the step computes",
     lambda x, h0, p: _keys(_loop(x, h0, p), h="h_prev")),
    ("the recurrent bias b_rec = bias[1] is left out: z_t, r_t and the candidate each add "
     "both bias rows, b_in = bias[0] and b_rec",
     lambda x, h0, p: _ref(x, h0, _bias_rows(p, [1, 0]))),
    ("the input bias b_in = bias[0] is left out: z_t, r_t and the candidate each add "
     "both bias rows, b_in and b_rec = bias[1]",
     lambda x, h0, p: _ref(x, h0, _bias_rows(p, [0, 1]))),
    ("the reset gate acts after the matrix product here (reset_after=True): "
     "r_t * (h_prev @ W_h_h + b_rec[2*units:]), not (r_t * h_prev) @ W_h_h", _reset_before),
    ("the candidate's recurrent bias goes inside the reset gate: "
     "r_t * (h_prev @ W_h_h + b_rec[2*units:]), not r_t * (h_prev @ W_h_h) + b_rec[2*units:]",
     _bias_outside_reset),
    ("the gates z_t and r_t use sigmoid, not tanh",
     lambda x, h0, p: _keys(_loop(x, h0, p, gate=np.tanh))),
    ("the candidate hh_t uses tanh, not sigmoid",
     lambda x, h0, p: _keys(_loop(x, h0, p, candidate=cells._sigmoid))),
    ("the sequence is read backwards: go through x[:, 0], x[:, 1], ... in order",
     lambda x, h0, p: _ref(x[:, ::-1], h0, p)),
    ("the record is in reverse time order: record[key][:, t] belongs to step t",
     lambda x, h0, p: {k: v[:, ::-1] for k, v in _ref(x, h0, p).items()}),
]  # fmt: skip


def _shape_hint(got, want, case, name=None):
    if got.shape == want.shape:
        return None
    batch, time = case.args[0].shape[:2]
    units = want.shape[-1]
    if got.shape == (time, batch, units):
        return (
            f"{name} is time-major (time, batch, units): the course is batch-major, "
            "so stack along axis 1, `np.stack(values, axis=1)`"
        )
    if got.shape == (batch, units) and time > 1:
        return f"{name} holds one step only: record every step, shape (batch, time, units)"
    if got.shape == (batch, time + 1, units):
        return f"{name} has one step too many: do not record h0, only the steps' values"
    return f"{name} must have the shape (batch, time, units), {_fmt_shape(want.shape)}"


def _range_hint(got, want, case, name=None):
    if name in ("z", "r") and got.shape == want.shape and (got.min() < 0 or got.max() > 1):
        return f"some values of {name} are outside (0, 1), which a sigmoid gate never gives"
    return None


def _cases(rng, hidden):
    def case(batch, time, d, u, dtype=np.float64, x=True, h0=True):
        params = gated_params(rng, d, u, dtype, 3, bias_rows=2)
        inputs = zero_unless(x, rng.normal(size=(batch, time, d)).astype(dtype))
        state = zero_unless(h0, rng.uniform(-0.9, 0.9, size=(batch, u)).astype(dtype))
        return (inputs, state, params)

    if hidden:
        out = []
        for i in range(6):
            s = hidden_sizes(rng, time=(2, 7))
            s["dtype"] = np.float32 if i == 5 else s["dtype"]
            label = f"{hidden_label(s)}, {s['time']} steps"
            out.append((label, case(s["batch"], s["time"], s["d"], s["u"], s["dtype"], h0=i != 0)))
        return out
    return [
        ("biases only (x = 0, h0 = 0), 3 steps", case(2, 3, 3, 3, x=False, h0=False)),
        ("one time step (time = 1)", case(2, 1, 3, 3)),
        ("several steps from h0 = 0", case(2, 5, 3, 3, h0=False)),
        ("several steps from a non-zero h0", case(2, 5, 3, 3)),
        ("batch of 1", case(1, 4, 2, 3)),
        ("input size != units (5 features, 2 units)", case(3, 4, 5, 2)),
        ("float32 input", case(2, 6, 2, 4, dtype=np.float32)),
    ]


GRU_GATES = Spec(
    signature="gru_gates(x, h0, params)",
    returns="record",
    reference=_ref,
    cases=_cases,
    mutants=MUTANTS,
    outputs="keys",
    how="a dict with the keys 'z', 'r' and 'h', e.g. `{'z': zs, 'r': rs, 'h': hs}`",
    heuristics=(_shape_hint, _range_hint),
    exception_hint=params_hint("3"),
    allowed=("gru_step",),
    tip="write the loop and the gates yourself: the point is to see each of them",
    doc="""Check a learner's ``gru_gates(x, h0, params) -> record``.

    The function should run a GRU with Keras's layout and ``reset_after=True``
    over ``x`` `(batch, time, features)` from the state ``h0`` `(batch, units)`
    and return the dict ``{"z": ..., "r": ..., "h": ...}`` of every update
    gate z_t, reset gate r_t and new state h_t, each `(batch, time, units)`,
    with ``record["h"][:, t]`` the state after step t (what
    ``rnnlib.forward("gru", ...)`` returns). ``params`` holds ``kernel``
    `(features, 3*units)`, ``recurrent_kernel`` `(units, 3*units)` and
    ``bias`` `(2, 3*units)`, gate blocks z, r, h. The sub-checks try the
    biases alone, one step, several steps from a zero and a non-zero ``h0``,
    a batch of 1, an input size different from the number of units and
    float32 inputs; extra keys (the candidate, say) are allowed.

    Example:

    >>> import numpy as np
    >>> def not_yet(x, h0, params):  # the right shapes, but no GRU inside
    ...     zeros = np.zeros(x.shape[:2] + h0.shape[1:])
    ...     return {"z": zeros, "r": zeros, "h": zeros}
    >>> result = gru_gates(not_yet)
    >>> result.passed, result.max_score
    (False, 8)
    """,
)

SPECS = {"gru_gates": GRU_GATES}
