"""Spec of the GRU's update weights: how much of h_T each candidate and h_0 still hold.

Unrolling ``h_t = z_t * h_{t-1} + (1 - z_t) * hh_t`` gives
``h_T = w_0 * h_0 + sum_k w_k * hh_k`` with ``w_0 = prod_{s=1..T} z_s`` and
``w_k = (1 - z_k) * prod_{s=k+1..T} z_s``, per unit; the weights are
non-negative and add up to 1, so the final state is a weighted average of
the initial state and the candidates. tests/test_mutants_update_weights.py
checks the identity on a recorded GRU.
"""

from __future__ import annotations

import numpy as np

from rnnlib.checks._compare import _batch_axis_hint
from rnnlib.checks._engine import Spec, hidden_sizes

F64, F32 = np.float64, np.float32


def _after(z):
    """prod_{s > k} z_s for every k: the share of step k's value that survives to T."""
    from_k = np.cumprod(z[:, ::-1], axis=1)[:, ::-1]  # prod_{s >= k}
    return np.concatenate([from_k[:, 1:], np.ones_like(z[:, :1])], axis=1), from_k[:, 0]


def _weights(z, keep=lambda z: z):
    after, all_steps = _after(keep(z))
    return all_steps, (1 - keep(z)) * after


def _ref(z):
    return _weights(z)


def _including_own_step(z):
    from_k = np.cumprod(z[:, ::-1], axis=1)[:, ::-1]
    return from_k[:, 0], (1 - z) * from_k


def _from_the_start(z):
    before = np.concatenate([np.ones_like(z[:, :1]), np.cumprod(z, axis=1)[:, :-1]], axis=1)
    return np.prod(z, axis=1), (1 - z) * before


MUTANTS = [
    ("returned (w, w0): return the pair as `return w0, w`", lambda z: _ref(z)[::-1]),
    ("the update convention is PyTorch's, h_t = (1 - z_t) * h_{t-1} + z_t * hh_t: in Keras's "
     "z_t keeps the old state, so step k writes with 1 - z_k and later steps keep with z_s",
     lambda z: _weights(z, keep=lambda z: 1 - z)),
    ("w[:, k] includes z_k itself: the candidate of step k enters with 1 - z_k and is then "
     "kept by the later steps only, s = k+1 .. T", _including_own_step),
    ("the products run from the start of the sequence: what survives to the end is kept by "
     "the steps after k, prod_{s > k} z_s (a cumulative product taken from the end)",
     _from_the_start),
    ("w0 is missing a factor: h0 is kept by every step, w0 = prod_{s=1..T} z_s",
     lambda z: (np.prod(z[:, 1:], axis=1), _ref(z)[1])),
    ("w is in reverse time order: w[:, k] belongs to the candidate of step k",
     lambda z: (_ref(z)[0], _ref(z)[1][:, ::-1])),
    ("w leaves out the later steps' keep gates: it is (1 - z_k) times prod_{s > k} z_s",
     lambda z: (_ref(z)[0], 1 - z)),
]  # fmt: skip


def _cases(rng, hidden):
    def case(batch, time, u, dtype=F64, value=None):
        shape = (batch, time, u)
        z = rng.uniform(0.05, 0.95, size=shape) if value is None else np.full(shape, value)
        return (z.astype(dtype),)

    if hidden:
        sizes = [hidden_sizes(rng, time=(2, 9)) for _ in range(5)]
        return [
            (f"batch {s['batch']}, {s['u']} units, {s['time']} steps, {np.dtype(s['dtype']).name}",
             case(s["batch"], s["time"], s["u"], s["dtype"]))
            for s in sizes
        ]  # fmt: skip
    return [
        ("one step: w0 = z_1, w = 1 - z_1", case(2, 1, 3)),
        ("z = 1 everywhere: h0 is kept whole", case(2, 4, 3, value=1.0)),
        ("z = 0 everywhere: only the last candidate counts", case(2, 4, 3, value=0.0)),
        ("z = 0.5 everywhere: halves", case(1, 4, 2, value=0.5)),
        ("several steps, random gates", case(2, 6, 3)),
        ("batch of 1", case(1, 5, 4)),
        ("float32 gates", case(3, 5, 2, dtype=F32)),
    ]


def _sum_hint(got, case):
    if not isinstance(got, tuple) or len(got) != 2:
        return None
    try:
        total = np.asarray(got[0]) + np.asarray(got[1]).sum(axis=1)
    except (TypeError, ValueError):
        return None
    if total.shape == case.args[0].shape[::2] and not np.allclose(total, 1.0, atol=1e-6):
        return (
            "w0 + w.sum(axis=1) should be 1 for every example and unit (the state is a "
            f"weighted average); yours adds up to {float(total.flat[0]):.4g} at [0, 0]"
        )
    return None


UPDATE_WEIGHTS = Spec(
    signature="update_weights(z)",
    returns="w0, w",
    reference=_ref,
    cases=_cases,
    mutants=MUTANTS,
    outputs=("w0", "w"),
    how="the weight of h0 and the weights of the candidates, `return w0, w`",
    heuristics=(_batch_axis_hint,),
    explain=(_sum_hint,),
    doc="""Check a learner's ``update_weights(z) -> (w0, w)``.

    ``z`` `(batch, time, units)` holds a GRU's update gates, one per step, as
    recorded in Keras's convention ``h_t = z_t*h_{t-1} + (1 - z_t)*hh_t``.
    Unrolled, ``h_T = w0*h0 + sum over k of w[:, k]*hh[:, k]``; the function
    should return ``w0`` `(batch, units)`, the share of ``h0`` left in
    ``h_T``, and ``w`` `(batch, time, units)`, the share of each step's
    candidate. The sub-checks try one step, gates all 1, all 0 and all 0.5,
    random gates, a batch of 1 and float32 gates.

    Example:

    The weights must add up to 1; a report says so when they do not:

    >>> import numpy as np
    >>> def only_writes(z):
    ...     return np.zeros(z.shape[::2]), 1 - z
    >>> result = update_weights(only_writes)
    >>> result.passed
    False
    >>> "weighted average" in str(result) or "later steps" in str(result)
    True
    """,
)

SPECS = {"update_weights": UPDATE_WEIGHTS}
