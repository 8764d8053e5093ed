"""Gate blocks of Keras's weight layout, for the gated cells' mistakes.

A learner's convention mistake is the reference run on changed weights: a
wrong gate order is the reference on permuted blocks, a gate left out is a
gate stuck open (its block's weights zero, its bias large), the swapped GRU
convention is the z block negated (sigmoid(-a) = 1 - sigmoid(a)).
"""

from __future__ import annotations

import itertools

import numpy as np

from rnnlib.checks._calls import _is_matmul_error

KEYS = ("kernel", "recurrent_kernel", "bias")
OPEN = 40.0  # sigmoid(40) = 1 - 4e-18: a gate stuck open; -OPEN: stuck shut


def _blocks(params, k):
    """``[[kernel, recurrent_kernel, bias] of gate j for j in range(k)]`` (copies)."""
    parts = (np.split(np.array(params[key]), k, axis=-1) for key in KEYS)
    return [list(block) for block in zip(*parts, strict=True)]


def _join(params, blocks):
    joined = {key: np.concatenate([b[i] for b in blocks], axis=-1) for i, key in enumerate(KEYS)}
    return {**params, **joined}


def permuted(params, order, k):
    """The weights a learner uses who takes block ``order[j]`` as gate j."""
    blocks = _blocks(params, k)
    return _join(params, [blocks[j] for j in order])


def stuck(params, k, j, value):
    """Gate j's pre-activation fixed at ``value`` (only the input bias row is kept)."""
    blocks = _blocks(params, k)
    kernel, recurrent, bias = blocks[j]
    bias = np.zeros_like(bias)
    (bias[0] if bias.ndim == 2 else bias)[...] = value
    blocks[j] = [0 * kernel, 0 * recurrent, bias]
    return _join(params, blocks)


def like(params, k, j, source, sign=1.0):
    """Gate j's block replaced by ``sign`` times gate ``source``'s (j = source: negated)."""
    blocks = _blocks(params, k)
    blocks[j] = [sign * part for part in blocks[source]]
    return _join(params, blocks)


def order_hint(order, gates, origin):
    """Explain reading the gate blocks in ``order`` instead of Keras's order."""
    read_as = [""] * len(gates)
    for gate, block in zip(gates, order, strict=True):
        read_as[block] = gate
    keras = ", ".join(gates)
    moved = [g for g, block in zip(gates, order, strict=True) if gates[block] != g]
    note = f" ({origin[tuple(read_as)]})" if tuple(read_as) in origin else ""
    if len(moved) == 2:
        return (
            f"the {moved[0]} and {moved[1]} gate blocks are swapped{note}: "
            f"Keras's gate order is {keras}"
        )
    return (
        f"the gate blocks are in the wrong order: your code reads them as "
        f"{', '.join(read_as)}{note}, but Keras's order is {keras}"
    )


def order_mutants(gates, origin, run):
    """One mutant per wrong gate order: ``run(order)`` builds it."""
    k = len(gates)
    return [
        (order_hint(order, gates, origin), run(order))
        for order in itertools.permutations(range(k))
        if order != tuple(range(k))
    ]


def gated_params(rng, d, u, dtype, k, bias_rows=None):
    """Seeded weights in Keras's layout for a cell with ``k`` gate blocks."""
    bias_shape = (k * u,) if bias_rows is None else (bias_rows, k * u)
    return {
        "kernel": rng.normal(scale=0.5, size=(d, k * u)).astype(dtype),
        "recurrent_kernel": rng.normal(scale=0.5, size=(u, k * u)).astype(dtype),
        "bias": rng.normal(scale=0.5, size=bias_shape).astype(dtype),
    }


def params_hint(gates, extra=""):
    """An exception hint about the params dict of a cell with ``gates`` blocks."""

    def hint(err):
        if isinstance(err, KeyError):
            return f"params has the keys 'kernel', 'recurrent_kernel' and 'bias'{extra}."
        if _is_matmul_error(err):
            return (
                f"Weights multiply from the right, x_t @ params['kernel'], and each of the "
                f"{gates} gate blocks is `units` columns wide."
            )
        return None

    return hint
