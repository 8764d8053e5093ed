"""Spec of clipping with gradient accumulation: what Keras's optimizer applies every n steps.

A Keras 3 optimizer with ``gradient_accumulation_steps=n`` and
``global_clipnorm=max_norm`` adds up the gradients of ``n`` micro-batches,
divides by ``n`` and clips that mean once (``BaseOptimizer.apply``): the
update is the one the whole batch would give. tests/test_mutants_accumulation.py
proves the reference against a Keras optimizer.
"""

from __future__ import annotations

import numpy as np

from rnnlib.checks._engine import Spec
from rnnlib.checks.specs.clipping import _clip, _norm, _scaled


def _mean(micro):
    return {k: sum(g[k] for g in micro) / len(micro) for k in micro[0]}


def _ref(micro_grads, max_norm):
    return _clip(_mean(micro_grads), max_norm)


def _sum(micro):
    return {k: sum(g[k] for g in micro) for k in micro[0]}


MUTANTS = [
    ("each micro-batch is clipped before the mean: average the micro-batches first, then clip "
     "the mean once (small, opposing micro-batches must not be clipped on their own)",
     lambda gs, m: _mean([_clip(g, m) for g in gs])),
    ("the micro-batches are added up, not averaged: divide the sum by their number, as the "
     "optimizer does", lambda gs, m: _clip(_sum(gs), m)),
    ("the sum is clipped and only then divided by the number of micro-batches: divide first, "
     "then clip", lambda gs, m: _scaled(_clip(_sum(gs), m), 1 / len(gs))),
    ("the mean is not clipped: scale it by min(1, max_norm / norm) when its global norm "
     "exceeds max_norm", lambda gs, m: _mean(gs)),
    ("only the last micro-batch is used: average all of them",
     lambda gs, m: _clip(dict(gs[-1]), m)),
    ("only the first micro-batch is used: average all of them",
     lambda gs, m: _clip(dict(gs[0]), m)),
    ("the scale comes from the mean of the micro-batches' norms: clip by the global norm of "
     "the mean gradient itself",
     lambda gs, m: _scaled(_mean(gs), min(1.0, m / max(np.mean([_norm(g) for g in gs]), 1e-300)))),
    ("each array of the mean is clipped by its own norm: one global norm over all the arrays",
     lambda gs, m: {k: _clip({k: v}, m)[k] for k, v in _mean(gs).items()}),
]  # fmt: skip


def _cases(rng, hidden):
    shapes = {"kernel": (3, 4), "recurrent_kernel": (4, 4), "bias": (4,)}

    def draw(scale=1.0, dtype=np.float64, shapes=shapes):
        return {k: (scale * rng.normal(size=s)).astype(dtype) for k, s in shapes.items()}

    def opposing(scale, dtype=np.float64):
        g = draw(scale, dtype)
        noise = draw(0.05 * scale, dtype)
        return [g, {k: -v + noise[k] for k, v in g.items()}]

    def opposite(g):
        return [g, {k: -v for k, v in g.items()}]

    if hidden:
        lstm = {"kernel": (2, 8), "recurrent_kernel": (2, 8), "bias": (8,)}
        return [
            ("graded: 4 micro-batches of LSTM-shaped gradients, mean above max_norm",
             ([draw(3.0, shapes=lstm) for _ in range(4)], 2.0)),
            ("graded: 3 micro-batches that mostly cancel", (opposing(9.0) + [draw(0.1)], 1.5)),
            ("graded: 5 micro-batches, each below max_norm, float32",
             ([draw(0.3, np.float32) for _ in range(5)], 4.0)),
            ("graded: 2 micro-batches of different sizes, mean above max_norm",
             ([draw(10.0), draw(0.5)], 3.0)),
            ("graded: 4 micro-batches that cancel exactly: the mean is zero",
             (opposite(draw(2.0, shapes=lstm)) * 2, 0.5)),
        ]  # fmt: skip
    same = draw(4.0)
    return [
        ("one micro-batch: plain clipping", ([draw(4.0)], 1.0)),
        ("two equal micro-batches above max_norm", ([same, {k: v.copy() for k, v in same.items()}],
                                                    1.0)),
        ("three micro-batches, the mean above max_norm", ([draw(3.0) for _ in range(3)], 2.0)),
        ("two large micro-batches that cancel: the mean is small", (opposing(10.0), 2.0)),
        ("micro-batches exactly opposite: the mean is zero",
         ([same, {k: -v for k, v in same.items()}], 1.0)),
        ("float32 gradients", ([draw(5.0, np.float32) for _ in range(2)], 1.0)),
    ]  # fmt: skip


def _exception_hint(err):
    if isinstance(err, ZeroDivisionError) or "divide by zero" in str(err):
        return (
            "a global norm of 0 needs no clipping: guard the division, e.g. only scale when "
            "the norm exceeds max_norm"
        )
    return None


CLIP_ACCUMULATED = Spec(
    signature="clip_accumulated(micro_grads, max_norm)",
    returns="update",
    reference=_ref,
    cases=_cases,
    mutants=MUTANTS,
    outputs="keys",
    how="one dict with the keys of each micro-batch's gradients",
    exception_hint=_exception_hint,
    allowed=("clip_by_global_norm", "global_norm"),
    tip="combine the micro-batches yourself (rnnlib.optim.clip_by_global_norm may do the clip)",
    doc="""Check a learner's ``clip_accumulated(micro_grads, max_norm) -> update``.

    ``micro_grads`` is a list of gradient dicts, one per micro-batch, all with
    the same keys and shapes. The function should return the gradient a Keras
    3 optimizer with ``gradient_accumulation_steps=len(micro_grads)`` and
    ``global_clipnorm=max_norm`` applies at its update step: the mean of the
    micro-batches' gradients, clipped once by its global norm. A mean of norm
    0 is returned as it is. The sub-checks try one micro-batch, two equal
    ones, three, two large ones that cancel, two exactly opposite ones and
    float32 gradients.

    Example:

    Clipping each micro-batch before averaging changes the update:

    >>> import numpy as np
    >>> def clip_each(micro_grads, max_norm):
    ...     def clip(g):
    ...         norm = np.sqrt(sum(np.sum(v**2) for v in g.values()))
    ...         return {k: v * min(1.0, max_norm / norm) for k, v in g.items()}
    ...     clipped = [clip(g) for g in micro_grads]
    ...     return {k: sum(c[k] for c in clipped) / len(clipped) for k in clipped[0]}
    >>> result = clip_accumulated(clip_each)
    >>> result.passed
    False
    >>> "average the micro-batches first" in str(result)
    True
    """,
)

SPECS = {"clip_accumulated": CLIP_ACCUMULATED}
