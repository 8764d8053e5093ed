"""Spec of the gradient-clipping exercise: clip_by_global_norm."""

from __future__ import annotations

import numpy as np

from rnnlib.checks._engine import Spec


def _norm(grads):
    return np.sqrt(sum(np.sum(g**2) for g in grads.values()))


def _scaled(grads, scale):
    return {key: g * scale for key, g in grads.items()}


def _clip(grads, max_norm):
    """Pascanu et al. (2013): g <- g * min(1, max_norm / ||g||), one norm over all arrays."""
    return _scaled(grads, min(1.0, max_norm / max(_norm(grads), 1e-300)))


def _flat(grads):
    return np.concatenate([v.ravel() for v in grads.values()])


MUTANTS = [
    ("each array is clipped by its own norm: use one global norm over all the arrays, "
     "sqrt(sum of every squared entry), so that the direction is kept",
     lambda g, m: {k: _clip({k: v}, m)[k] for k, v in g.items()}),
    ("the values are clipped one by one (np.clip): that changes the gradient's direction; "
     "scale every array by the same factor instead",
     lambda g, m: {k: np.clip(v, -m, m) for k, v in g.items()}),
    ("small gradients are scaled up too: scale only when the global norm exceeds max_norm, "
     "with min(1, max_norm / norm)", lambda g, m: _scaled(g, m / _norm(g))),
    ("the square root is missing: the global norm is sqrt(sum of every squared entry)",
     lambda g, m: _scaled(g, min(1.0, m / _norm(g) ** 2))),
    ("the global norm adds up the arrays' norms: it is sqrt(sum of every squared entry) "
     "over all arrays, not the sum of their norms",
     lambda g, m: _scaled(g, min(1.0, m / sum(_norm({k: v}) for k, v in g.items())))),
    ("the norm uses a mean: it is the square root of the sum of squares, not of their mean",
     lambda g, m: _scaled(g, min(1.0, m / (_norm(g) / np.sqrt(_flat(g).size))))),
    ("nothing is clipped: when the global norm exceeds max_norm, scale every array by "
     "max_norm / norm", lambda g, m: dict(g)),
    ("the scale is upside down: multiply by max_norm / norm, not norm / max_norm",
     lambda g, m: _scaled(g, min(1.0, _norm(g) / m))),
    ("the gradients are normalised to norm 1: scale them to norm max_norm",
     lambda g, m: _clip(g, 1.0)),
    ("max(1, ...) where min(1, ...) is needed: the factor must never exceed 1",
     lambda g, m: _scaled(g, max(1.0, m / _norm(g)))),
]  # fmt: skip


def _cases(rng, hidden):
    def grads(shapes, scale=1.0, dtype=np.float64):
        scales = scale if isinstance(scale, dict) else dict.fromkeys(shapes, scale)
        return {k: (scales[k] * rng.normal(size=s)).astype(dtype) for k, s in shapes.items()}

    rnn = {"W_x": (3, 4), "W_h": (4, 4), "b": (4,)}
    if hidden:
        lstm = {"kernel": (2, 12), "recurrent_kernel": (3, 12), "bias": (12,)}
        big = {"W": (5, 5)}
        return [
            ("graded: LSTM-shaped gradients, norm above max_norm", (grads(lstm, 3.0), 2.5)),
            ("graded: norm just below max_norm", (grads(big), 50.0)),
            ("graded: three arrays of different sizes", (grads(rnn, {"W_x": 0.1, "W_h": 20.0,
                                                                      "b": 1.0}), 3.0)),
            ("graded: float32, scaled down", (grads(lstm, 5.0, np.float32), 0.1)),
        ]  # fmt: skip
    return [
        ("global norm below max_norm: returned unchanged", (grads(rnn), 100.0)),
        ("global norm above max_norm: scaled down to max_norm", (grads(rnn), 1.0)),
        ("one array much larger than the others",
         (grads({"W_h": (4, 4), "b": (4,)}, {"W_h": 50.0, "b": 0.1}), 5.0)),
        ("a single array", (grads({"W": (2, 3)}), 0.5)),
        ("float32 gradients", (grads(rnn, 10.0, np.float32), 1.0)),
    ]  # fmt: skip


CLIP_BY_GLOBAL_NORM = Spec(
    signature="clip_by_global_norm(grads, max_norm)",
    returns="clipped",
    reference=_clip,
    cases=_cases,
    mutants=MUTANTS,
    outputs="keys",
    how="a dict with the same keys as grads",
    tip="write the clipping yourself with numpy",
    doc="""Check a learner's ``clip_by_global_norm(grads, max_norm) -> clipped``.

    The function should rescale a dict of gradient arrays so that their global
    norm, ``sqrt(sum of every squared entry)``, is at most ``max_norm``:
    every array is multiplied by the same factor ``min(1, max_norm / norm)``,
    which keeps the direction of the whole gradient (Pascanu et al., 2013).
    It returns a new dict with the same keys and leaves ``grads`` unchanged.
    The sub-checks try a norm below and above ``max_norm``, one array much
    larger than the others (which tells global from per-array clipping), a
    single array and float32 gradients.

    Example:

    Returning the gradients unchanged passes only the cases that need no clipping:

    >>> def no_clipping(grads, max_norm):
    ...     return grads
    >>> result = clip_by_global_norm(no_clipping)
    >>> str(result).splitlines()[0]
    'clip_by_global_norm: 2/6 checks passed'
    >>> "nothing is clipped" in str(result)
    True
    """,
)

SPECS = {"clip_by_global_norm": CLIP_BY_GLOBAL_NORM}
