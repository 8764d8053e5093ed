"""The GRU's update weights: an identity proven on a recorded GRU, and wrong answers rejected.

The oracle is the identity itself, on real numbers: record a GRU's gates and
candidates with ``rnnlib.gates.gru_gates`` (itself checked against Keras), and
``w0 * h0 + sum_k w[:, k] * hh[:, k]`` must give ``rnnlib.forward``'s last
state. The mutants are written here as a learner might, independently of the
check's own.
"""

from __future__ import annotations

import numpy as np
import pytest

import rnnlib
from rnnlib import checks
from rnnlib.checks.specs import update_weights


def good_loop(z):
    B, T, u = z.shape
    w0, w = np.ones((B, u)), np.zeros((B, T, u))
    for k in range(T):  # after step k, everything so far is kept with z_k, step k writes 1 - z_k
        w0 = w0 * z[:, k]
        w[:, :k] *= z[:, k][:, None]
        w[:, k] = 1 - z[:, k]
    return w0, w


def good_vectorised(z):
    later = np.cumprod(z[:, ::-1], axis=1)[:, ::-1]  # prod over s >= k
    after = np.concatenate([later[:, 1:], np.ones_like(z[:, :1])], axis=1)
    return later[:, 0], (1 - z) * after


def own_step_included(z):
    later = np.cumprod(z[:, ::-1], axis=1)[:, ::-1]
    return later[:, 0], (1 - z) * later


def from_the_start(z):
    before = np.concatenate([np.ones_like(z[:, :1]), np.cumprod(z, axis=1)[:, :-1]], axis=1)
    return np.prod(z, axis=1), (1 - z) * before


def pytorch_convention(z):
    return good_vectorised(1 - z)


def write_only(z):
    return np.prod(z, axis=1), 1 - z


def reversed_in_time(z):
    w0, w = good_vectorised(z)
    return w0, w[:, ::-1]


def w0_from_step_2(z):
    return np.prod(z[:, 1:], axis=1), good_vectorised(z)[1]


def swapped_pair(z):
    return good_vectorised(z)[::-1]


def cumprod_wrong_axis(z):
    later = np.cumprod(z[:, ::-1], axis=2)[:, ::-1]
    after = np.concatenate([later[:, 1:], np.ones_like(z[:, :1])], axis=1)
    return np.prod(z, axis=1), (1 - z) * after


def w0_is_mean(z):
    return z.mean(axis=1), good_vectorised(z)[1]


MUTANTS = [
    ("own_step_included", own_step_included, "includes z_k itself"),
    ("from_the_start", from_the_start, "the products run from the start"),
    ("pytorch_convention", pytorch_convention, "the update convention is PyTorch's"),
    ("write_only", write_only, "leaves out the later steps' keep gates"),
    ("reversed_in_time", reversed_in_time, "w is in reverse time order"),
    ("w0_from_step_2", w0_from_step_2, "w0 is missing a factor"),
    ("swapped_pair", swapped_pair, "return the pair as `return w0, w`"),
    ("cumprod_wrong_axis", cumprod_wrong_axis, None),
    ("w0_is_mean", w0_is_mean, "weighted average"),
]


@pytest.mark.parametrize(("mutant_id", "fn", "hint"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_mutant_is_rejected_with_its_hint(mutant_id, fn, hint):
    result = checks.update_weights(fn)
    assert not result.passed, f"{mutant_id} was accepted:\n{result}"
    if hint is not None:
        assert hint in str(result), f"expected {hint!r} in:\n{result}"
    assert not checks.run("update_weights", fn, key=97).passed


@pytest.mark.parametrize("fn", [good_loop, good_vectorised])
def test_a_right_answer_passes(fn):
    assert checks.update_weights(fn).passed
    assert checks.run("update_weights", fn, key=97).passed


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_weights_rebuild_a_recorded_gru_s_last_state(seed):
    rng = np.random.default_rng(seed)
    params = rnnlib.init_params("gru", units=4, input_dim=3, seed=seed)
    x = rng.normal(size=(2, 7, 3))
    h0 = rng.uniform(-0.9, 0.9, size=(2, 4))
    record = rnnlib.gates.gru_gates(x, params, initial_state=h0)
    w0, w = update_weights._ref(record["z"])
    rebuilt = w0 * h0 + (w * record["hh"]).sum(axis=1)
    np.testing.assert_allclose(rebuilt, rnnlib.forward("gru", x, params, initial_state=h0)[:, -1])
    np.testing.assert_allclose(w0 + w.sum(axis=1), 1.0)  # a weighted average
    assert (w >= 0).all() and (w0 >= 0).all()


def test_a_stub_and_a_crash_get_messages():
    def update_weights(z):
        """Not yet."""
        ...

    def crash(z):
        return np.prod(z, axis=3), z

    assert "not written yet" in str(checks.update_weights(update_weights))
    text = str(checks.update_weights(crash))
    assert "AxisError" in text and "Traceback" not in text
