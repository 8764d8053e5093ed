"""Random generators for checks whose learner function draws random numbers.

A check cannot compare random draws unless it knows the numbers the learner
drew. :class:`SeededGenerator` is ``np.random.default_rng(seed)`` that
remembers its seed: the learner's function consumes it, and the reference
and the known mistakes replay the same numbers from ``fresh()``.
:class:`NoDrawsGenerator` refuses every draw, for a case where the learner
must not draw at all (greedy decoding at temperature 0).

These classes live outside ``checks/specs/`` on purpose: the shortcut traps
treat every function there as the checks' own reference, and a learner's
``rng.random(...)`` must not count as a call into it.
"""

from __future__ import annotations

import numpy as np


class SeededGenerator(np.random.Generator):
    """``np.random.default_rng(seed)`` that remembers its seed.

    Args:
        seed: an int, as for `np.random.default_rng`.

    Example:

    >>> rng = SeededGenerator(7)
    >>> first = rng.random(3)
    >>> bool((rng.fresh().random(3) == first).all())
    True
    """

    def __init__(self, seed):
        super().__init__(np.random.PCG64(seed))
        self.seed = seed

    def fresh(self):
        """A new generator of the same class, at the state this one started from."""
        return type(self)(self.seed)


class DrawNotAllowedError(RuntimeError):
    """Raised by :class:`NoDrawsGenerator` when the learner's code draws from it."""


class NoDrawsGenerator(SeededGenerator):
    """A generator whose every method raises :class:`DrawNotAllowedError`.

    Example:

    >>> NoDrawsGenerator(0).random(2)
    Traceback (most recent call last):
    ...
    rnnlib.checks._rng.DrawNotAllowedError: rng.random(...) was called where nothing may be drawn
    """


def _refuse(name):
    def refused(self, *args, **kwargs):
        raise DrawNotAllowedError(f"rng.{name}(...) was called where nothing may be drawn")

    refused.__name__ = refused.__qualname__ = name
    return refused


for _name in dir(np.random.Generator):
    if not _name.startswith("_") and _name != "bit_generator":
        setattr(NoDrawsGenerator, _name, _refuse(_name))
