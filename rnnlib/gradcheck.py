"""Check an analytic gradient against central finite differences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib._validate import as_array, check_shape

__all__ = ["GradcheckResult", "gradcheck"]

# Floor for the denominator of the relative error, so that 0 vs 0 counts as 0.
_TINY = np.finfo(np.float64).tiny


@dataclass(frozen=True)
class GradcheckResult:
    """Outcome of :func:`gradcheck`; truthy if and only if the check passed.

    Attributes:
        passed: whether `max_rel_error <= tol`.
        max_rel_error: the largest relative error found.
        worst: `(key, index)` of the entry with that error, None if nothing was checked.
        n_checked: how many entries were compared.
        tol: the tolerance used.
    """

    passed: bool
    max_rel_error: float
    worst: tuple[str, tuple[int, ...]] | None
    n_checked: int
    tol: float

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        verdict = "passed" if self.passed else f"FAILED (tol {self.tol:.0e})"
        if self.worst is None:
            return f"gradcheck {verdict}: no entries checked"
        key, index = self.worst
        where = f"{key}[{', '.join(str(i) for i in index)}]" if index else key
        return (
            f"gradcheck {verdict}: max relative error {self.max_rel_error:.1e} at {where} "
            f"({self.n_checked} entries checked)"
        )

    __repr__ = __str__


def gradcheck(f, params, grads, *, eps=1e-6, tol=1e-5, max_checks=None, seed=0):
    """Compare analytic gradients with central differences ``(f(p+eps) - f(p-eps)) / 2eps``.

    Works for any scalar function of a dict of arrays. Entries of ``params``
    that are not float arrays (such as a GRU's ``reset_after``) are passed
    through unchanged and not checked. The arrays are copied to float64 before
    they are perturbed, so ``params`` is never modified.
    The relative error of one entry is ``|a - n| / max(|a| + |n|, tiny)`` for
    analytic value a and numerical value n.

    Args:
        f: function of a params dict returning a scalar (the loss).
        params: dict of arrays at which to check.
        grads: dict with the analytic gradient for every float array of
            `params`, each of the same shape.
        eps: finite-difference step.
        tol: largest relative error that passes.
        max_checks: if given, check a seeded random sample of at most this
            many entries of each array instead of all of them.
        seed: seed for that sample.

    Returns:
        A `GradcheckResult` with `passed`, `max_rel_error`, `worst` and
        `n_checked`; it is truthy if and only if the check passed.

    Example:

    >>> import numpy as np
    >>> params = {"w": np.array([1.0, -2.0, 3.0])}
    >>> f = lambda p: np.sum(p["w"] ** 3)
    >>> gradcheck(f, params, {"w": 3 * params["w"] ** 2}).passed
    True
    >>> gradcheck(f, params, {"w": np.array([3.0, 12.0, 27.3])})
    gradcheck FAILED (tol 1e-05): max relative error 5.5e-03 at w[2] (3 entries checked)
    """
    rng = np.random.default_rng(seed)
    # Work on float64 copies: params itself is never perturbed.
    work = {
        key: np.array(value, dtype=np.float64)
        if isinstance(value, np.ndarray) and value.dtype.kind == "f"
        else value
        for key, value in params.items()
    }
    worst, max_err, n_checked = None, 0.0, 0
    for key, p in work.items():
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            continue  # flags, integers and the like have no gradient
        if key not in grads:
            raise ValueError(f"grads is missing key {key!r}, which params has")
        grad = as_array(f"grads[{key!r}]", grads[key])
        check_shape(f"grads[{key!r}]", grad, p.shape, f"like params[{key!r}]")

        flat = np.arange(p.size)
        if max_checks is not None and p.size > max_checks:
            flat = np.sort(rng.choice(p.size, size=max_checks, replace=False))
        for index in (np.unravel_index(i, p.shape) for i in flat):
            index = tuple(int(i) for i in index)
            old = p[index]
            p[index] = old + eps
            f_plus = float(f(work))
            p[index] = old - eps
            f_minus = float(f(work))
            p[index] = old
            numeric = (f_plus - f_minus) / (2 * eps)
            analytic = float(grad[index])
            err = abs(analytic - numeric) / max(abs(analytic) + abs(numeric), _TINY)
            err = err if np.isfinite(err) else np.inf  # a NaN must not pass
            n_checked += 1
            if worst is None or err > max_err:
                worst, max_err = (key, index), err
    return GradcheckResult(max_err <= tol, max_err, worst, n_checked, tol)
