"""Gradient clipping by global norm, for the from-scratch training loops of the chapters.

Pascanu, Mikolov and Bengio (2013) rescale the whole gradient, all parameter
arrays stacked into one vector, whenever its norm exceeds a threshold; Keras
does the same with ``global_clipnorm=``. Chapter 3's exercise asks the learner
to write :func:`clip_by_global_norm`; the chapter's own training loop calls
this one.
"""

from __future__ import annotations

import numpy as np

__all__ = ["clip_by_global_norm", "global_norm"]


def global_norm(grads):
    """The norm of all gradient arrays stacked into one long vector.

    Args:
        grads: dict of gradient arrays (any shapes), e.g. from :func:`rnnlib.backward`.

    Returns:
        The float ``sqrt(sum of every squared entry)`` over all arrays.

    Example:

    >>> import numpy as np
    >>> float(global_norm({"W": np.array([[3.0]]), "b": np.array([4.0])}))
    5.0
    """
    return np.sqrt(sum(np.sum(np.asarray(g) ** 2) for g in grads.values()))


def clip_by_global_norm(grads, max_norm):
    """Scale every gradient array by ``min(1, max_norm / global_norm(grads))``.

    One factor for all arrays, so the direction of the whole gradient is kept
    and only its length is capped at ``max_norm``; a gradient whose global
    norm is at most ``max_norm`` comes back unchanged. ``grads`` itself is
    not modified.

    Args:
        grads: dict of gradient arrays (any shapes).
        max_norm: the threshold ``c > 0``.

    Returns:
        A new dict with the same keys and shapes.

    Raises:
        ValueError: if `max_norm` is not positive.

    Example:

    >>> import numpy as np
    >>> clipped = clip_by_global_norm({"W": np.array([[3.0]]), "b": np.array([4.0])}, 1.0)
    >>> clipped["W"], clipped["b"]
    (array([[0.6]]), array([0.8]))
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm!r}")
    norm = global_norm(grads)
    scale = max_norm / norm if norm > max_norm else 1.0  # = min(1, max_norm / norm)
    return {key: np.asarray(g) * scale for key, g in grads.items()}
