"""rnnlib.optim: the clipping chapter 3b calls, and the trap that keeps it out of ex03."""

import numpy as np
import pytest

from rnnlib import checks, optim
from rnnlib.checks.specs import clipping


def test_clipping_agrees_with_the_checks_reference():
    rng = np.random.default_rng(0)
    for max_norm in (0.1, 1.0, 100.0):
        grads = {"W_x": rng.normal(size=(3, 4)), "W_h": 5 * rng.normal(size=(4, 4)), "b": [1.0]}
        grads["b"] = np.asarray(grads["b"])
        ours, want = optim.clip_by_global_norm(grads, max_norm), clipping._clip(grads, max_norm)
        assert all(np.array_equal(ours[k], want[k]) for k in grads)
        assert optim.global_norm(ours) <= max_norm * (1 + 1e-12)


def test_clipping_leaves_its_input_alone_and_rejects_a_bad_threshold():
    grads = {"W": np.full((2, 2), 3.0)}
    optim.clip_by_global_norm(grads, 1.0)
    assert np.array_equal(grads["W"], np.full((2, 2), 3.0))
    with pytest.raises(ValueError, match="max_norm"):
        optim.clip_by_global_norm(grads, 0.0)


def test_ex03_clipping_refuses_rnnlib_optim():
    def clip_by_global_norm(grads, max_norm):
        return optim.clip_by_global_norm(grads, max_norm)

    result = checks.clip_by_global_norm(clip_by_global_norm)
    assert result.score == 0
    assert "rnnlib.optim.clip_by_global_norm" in str(result) and "earns no marks" in str(result)
