"""Sampling from a character model and scoring it: the tools of chapter 12.

A language model gives, at every step, one score per character of the
vocabulary, the logits ``s_t`` (see the notation page). This module turns
logits into probabilities at a temperature :math:`\\tau`
(:func:`softmax`), draws character ids from them with a given
``numpy.random.Generator`` in a way that is exactly reproducible
(:func:`sample`), and scores a model's probabilities on the characters
that really came next, in bits per character (:func:`bits_per_char`).

Chapter 12's exercise asks for :func:`sample` and :func:`bits_per_char`;
a graded answer that calls this module earns no marks.
"""

from __future__ import annotations

import numpy as np

__all__ = ["bits_per_char", "sample", "softmax"]


def softmax(logits, temperature=1.0):
    """The softmax of ``logits / temperature`` over the last axis, in float64.

    :math:`p_i = \\exp(s_i / \\tau) / \\sum_j \\exp(s_j / \\tau)`. Each row's
    largest logit is subtracted first, which leaves the softmax unchanged and
    makes the largest exponential ``exp(0) = 1``: logits of ``1e4`` do not
    overflow.

    Args:
        logits: array of shape `(..., vocab)`, e.g. `(batch, vocab)` or `(vocab,)`.
        temperature: :math:`\\tau > 0`; 1 gives the model's own distribution,
            smaller values sharpen it, larger values flatten it.

    Returns:
        A float64 array of the shape of `logits` whose last axis sums to 1.

    Example:

    >>> import numpy as np
    >>> softmax(np.array([1e4, 1e4, -1e4])).round(3)
    array([0.5, 0.5, 0. ])
    >>> softmax(np.log([[1.0, 3.0]]), temperature=0.5)  # the probabilities squared, renormalised
    array([[0.1, 0.9]])
    """
    if not temperature > 0:
        raise ValueError(f"softmax needs a temperature > 0, got {temperature!r}")
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=-1, keepdims=True)  # each row's largest term becomes exp(0) = 1
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def sample(logits, temperature, rng):
    """One id per row of ``logits``, drawn from ``softmax(logits / temperature)``.

    The draw is exactly reproducible: one uniform number per row,
    ``u = rng.random(batch)``, and row ``b`` gets the first id ``i`` whose
    cumulative probability ``p[b, 0] + ... + p[b, i]`` exceeds ``u[b]``
    (the inverse of the cumulative distribution). This is the draw that
    ``rng.choice(vocab, p=p[b])`` makes for each row in turn, so both give
    the same ids from the same generator. Temperature 0 is greedy decoding:
    each row's most likely id (the first, if several tie), with nothing
    drawn from ``rng``.

    Args:
        logits: array of shape `(batch, vocab)`: one score per id and row.
        temperature: :math:`\\tau \\geq 0`; 0 means greedy (argmax).
        rng: a `numpy.random.Generator`, e.g. `np.random.default_rng(0)`.

    Returns:
        An int array of shape `(batch,)` of ids in `0 .. vocab - 1`.

    Example:

    >>> import numpy as np
    >>> logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 1e4]])
    >>> sample(logits, 0, rng=None)  # greedy: no generator needed
    array([0, 2])
    >>> sample(logits, 1.0, np.random.default_rng(5))
    array([1, 2])
    >>> rng = np.random.default_rng(5)
    >>> [int(rng.choice(3, p=softmax(row))) for row in logits]  # the same draws
    [1, 2]
    """
    logits = np.asarray(logits)
    if temperature == 0:
        return np.argmax(logits, axis=-1)
    if temperature < 0:
        raise ValueError(f"sample needs a temperature >= 0, got {temperature!r}")
    cdf = np.cumsum(softmax(logits, temperature), axis=-1)
    u = np.asarray(rng.random(logits.shape[:-1]))
    ids = np.sum(cdf <= u[..., None], axis=-1)  # how many ids the uniform has passed
    return np.minimum(ids, logits.shape[-1] - 1)  # in case rounding left cdf[-1] below u


def bits_per_char(probs, ids):
    """The mean of ``-log2 p(ids)`` over every position: a model's loss in bits per character.

    ``probs[b, t]`` is the model's distribution of the character after
    position ``t`` (a softmax output) and ``ids[b, t]`` the character that
    really came there, so the loss at that position is
    ``-log2 probs[b, t, ids[b, t]]``. Only the true ids' probabilities are
    read: zeros elsewhere in ``probs`` cost nothing. A uniform model scores
    ``log2(vocab)`` bits; Keras's sparse categorical cross-entropy is the same
    mean in nats, this value times ``ln 2``.

    Args:
        probs: array of shape `(batch, time, vocab)`, each row summing to 1.
        ids: int array of shape `(batch, time)`, the true next characters.

    Returns:
        The bits per character, as a Python float.

    Example:

    >>> import numpy as np
    >>> probs = np.full((1, 3, 4), 0.25)  # uniform over 4 characters
    >>> bits_per_char(probs, np.array([[0, 3, 1]]))
    2.0
    >>> probs = np.array([[[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]])
    >>> bits_per_char(probs, np.array([[1, 2]]))  # 1 bit, then 0 bits
    0.5
    """
    probs = np.asarray(probs, dtype=np.float64)
    ids = np.asarray(ids)
    p_true = np.take_along_axis(probs, ids[..., None], axis=-1)[..., 0]  # (batch, time)
    return float(-np.mean(np.log2(p_true)))
