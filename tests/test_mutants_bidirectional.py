"""Every output of a bidirectional SimpleRNN: the reference proven on Keras, wrong answers rejected.

The mutants are written here as a learner might write them, independently of
the check's own. Keras's ``Bidirectional(SimpleRNN(u, return_sequences=True))``
is the oracle for the reference.
"""

from __future__ import annotations

import numpy as np
import pytest

import rnnlib
from rnnlib import checks
from rnnlib.checks.specs import bidirectional


def run(x, p, h=None):
    B, T, _ = x.shape
    h = np.zeros((B, p["bias"].shape[0])) if h is None else h
    hs = []
    for t in range(T):
        h = np.tanh(x[:, t] @ p["kernel"] + h @ p["recurrent_kernel"] + p["bias"])
        hs.append(h)
    return np.stack(hs, axis=1)


def good(x, fw, bw):
    return np.concatenate([run(x, fw), run(x[:, ::-1], bw)[:, ::-1]], axis=-1)


def good_with_rnnlib(x, fw, bw):
    forward = rnnlib.forward("simple_rnn", x, fw)
    backward = rnnlib.forward("simple_rnn", np.flip(x, axis=1), bw)
    return np.concatenate([forward, np.flip(backward, axis=1)], axis=2)


def not_flipped_back(x, fw, bw):
    return np.concatenate([run(x, fw), run(x[:, ::-1], bw)], axis=-1)


def backward_reads_forwards(x, fw, bw):
    return np.concatenate([run(x, fw), run(x, bw)], axis=-1)


def flips_only_the_output(x, fw, bw):
    return np.concatenate([run(x, fw), run(x, bw)[:, ::-1]], axis=-1)


def backward_first(x, fw, bw):
    return np.concatenate([run(x[:, ::-1], bw)[:, ::-1], run(x, fw)], axis=-1)


def one_set_of_weights(x, fw, bw):
    return good(x, fw, fw)


def swapped_weights(x, fw, bw):
    return good(x, bw, fw)


def carries_the_state_over(x, fw, bw):
    forward = run(x, fw)
    return np.concatenate([forward, run(x[:, ::-1], bw, forward[:, -1])[:, ::-1]], axis=-1)


def last_step_only(x, fw, bw):
    return good(x, fw, bw)[:, -1]


def sums_the_halves(x, fw, bw):
    return run(x, fw) + run(x[:, ::-1], bw)[:, ::-1]


def along_time(x, fw, bw):
    return np.concatenate([run(x, fw), run(x[:, ::-1], bw)[:, ::-1]], axis=1)


def flips_the_batch(x, fw, bw):
    return np.concatenate([run(x, fw), run(x[::-1], bw)[::-1]], axis=-1)


MUTANTS = [
    ("not_flipped_back", not_flipped_back, "in the order it was computed"),
    ("backward_reads_forwards", backward_reads_forwards, "reads the sequence forwards"),
    ("flips_only_the_output", flips_only_the_output, "reads x forwards and is then flipped"),
    ("backward_first", backward_first, "the halves are the other way round"),
    ("one_set_of_weights", one_set_of_weights, "uses the forward weights"),
    ("swapped_weights", swapped_weights, "fw and bw are swapped"),
    ("carries_the_state_over", carries_the_state_over, "each direction starts from zeros"),
    ("last_step_only", last_step_only, "returned only the last step"),
    ("sums_the_halves", sums_the_halves, "merge_mode='sum'"),
    ("along_time", along_time, "the halves are joined along time"),
    ("flips_the_batch", flips_the_batch, None),
]


@pytest.mark.parametrize(("mutant_id", "fn", "hint"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_mutant_is_rejected_with_its_hint(mutant_id, fn, hint):
    result = checks.bidirectional_forward(fn)
    assert not result.passed, f"{mutant_id} was accepted:\n{result}"
    if hint is not None:
        assert hint in str(result), f"expected {hint!r} in:\n{result}"
    graded = checks.run("bidirectional_forward", fn, key=97)
    assert not graded.passed, f"the graded cases accept {mutant_id}:\n{graded}"


@pytest.mark.parametrize("fn", [good, good_with_rnnlib])
def test_a_right_answer_passes(fn):
    assert checks.bidirectional_forward(fn).passed
    assert checks.run("bidirectional_forward", fn, key=97).passed


def test_the_weights_case_isolates_the_direction():
    """With bw = fw, a mix-up of the weights passes and only the direction counts."""
    text = str(checks.bidirectional_forward(swapped_weights))
    assert "✓ bw = fw" in text and "✗ several steps, weights of its own" in text


def test_graded_cases_have_other_sizes():
    public = bidirectional._cases(np.random.default_rng(0), False)
    hidden = bidirectional._cases(np.random.default_rng(0), True)
    assert {label for label, _ in public}.isdisjoint({label for label, _ in hidden})
    assert len({a[0].shape for _, a in hidden}) > 1  # sizes drawn per case


def test_a_stub_and_an_exception_get_messages():
    def bidirectional_forward(x, fw, bw):
        """Not yet."""
        ...

    def typo(x, fw, bw):
        return run(x, fw["kernal"])

    assert "not written yet" in str(checks.bidirectional_forward(bidirectional_forward))
    text = str(checks.bidirectional_forward(typo))
    assert "KeyError" in text and "Traceback" not in text


@pytest.mark.keras
@pytest.mark.parametrize("seed", [0, 1])
def test_the_reference_is_what_keras_bidirectional_returns(float64, seed):
    keras = float64
    rng = np.random.default_rng(seed)
    B, T, d, u = 3, 6, 4, 5
    x = rng.normal(size=(B, T, d))
    layer = keras.layers.Bidirectional(keras.layers.SimpleRNN(u, return_sequences=True))
    layer.build((None, T, d))
    keras_out = np.asarray(layer(x))
    names = ("kernel", "recurrent_kernel", "bias")
    fw = dict(zip(names, layer.forward_layer.get_weights(), strict=True))
    bw = dict(zip(names, layer.backward_layer.get_weights(), strict=True))
    np.testing.assert_allclose(bidirectional._ref(x, fw, bw), keras_out, atol=1e-12)
    # ... and what its backward half returns alone is in the order it computes it:
    alone = np.asarray(layer.backward_layer(x))
    np.testing.assert_allclose(alone[:, ::-1], keras_out[..., u:], atol=1e-12)
