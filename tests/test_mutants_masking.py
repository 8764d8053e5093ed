"""The masked forward pass: Keras's semantics proven on Keras, and wrong answers rejected.

Each mutant is written here the way a learner might get masking wrong; none is
built from the check's own mutants. Keras is the oracle for the reference: a
``SimpleRNN`` layer called with ``mask=`` and ``initial_state=`` on ragged
batches (padding at the end, at the start, in the middle, and all padding).
"""

from __future__ import annotations

import numpy as np
import pytest

import rnnlib
from rnnlib import checks
from rnnlib.checks.specs import masking


def good(x, mask, h0, W_x, W_h, b):
    h, out, hs = h0, np.zeros_like(h0), []
    for t in range(x.shape[1]):
        real = mask[:, t, None]
        new = np.tanh(x[:, t] @ W_x + h @ W_h + b)
        h = np.where(real, new, h)
        out = np.where(real, new, out)
        hs.append(out)
    return np.stack(hs, axis=1), h


def good_with_rnnlib_step(x, mask, h0, W_x, W_h, b):
    """Calling rnnlib's step is allowed: the exercise is the masking."""
    B, T, _ = x.shape
    hs = np.zeros((B, T, h0.shape[1]))
    h, out = h0.copy(), np.zeros_like(h0)
    for t in range(T):
        for i in range(B):
            if mask[i, t]:
                h[i] = rnnlib.rnn_step(x[i : i + 1, t], h[i : i + 1], W_x, W_h, b)[0]
                out[i] = h[i]
        hs[:, t] = out
    return hs, h


def ignores_mask(x, mask, h0, W_x, W_h, b):
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_x + h @ W_h + b)
        hs.append(h)
    return np.stack(hs, axis=1), h


def zero_outputs(x, mask, h0, W_x, W_h, b):
    h, hs = h0, []
    for t in range(x.shape[1]):
        new = np.tanh(x[:, t] @ W_x + h @ W_h + b)
        h = np.where(mask[:, t, None], new, h)
        hs.append(np.where(mask[:, t, None], new, 0.0))
    return np.stack(hs, axis=1), h


def outputs_the_state(x, mask, h0, W_x, W_h, b):
    """Right state, but the output at a padded step is the state (h0 before any real step)."""
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = np.where(mask[:, t, None], np.tanh(x[:, t] @ W_x + h @ W_h + b), h)
        hs.append(h)
    return np.stack(hs, axis=1), h


def inverted(x, mask, h0, W_x, W_h, b):
    return good(x, ~mask, h0, W_x, W_h, b)


def resets_state(x, mask, h0, W_x, W_h, b):
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = np.where(mask[:, t, None], np.tanh(x[:, t] @ W_x + h @ W_h + b), 0.0)
        hs.append(h)
    return np.stack(hs, axis=1), h


def last_output_as_state(x, mask, h0, W_x, W_h, b):
    hs, _ = good(x, mask, h0, W_x, W_h, b)
    return hs, hs[:, -1]


def swapped_pair(x, mask, h0, W_x, W_h, b):
    return good(x, mask, h0, W_x, W_h, b)[::-1]


def mask_as_multiplier(x, mask, h0, W_x, W_h, b):
    """Multiplies the input by the mask: a padded step still updates the state."""
    return ignores_mask(x * mask[..., None], mask, h0, W_x, W_h, b)


def zero_h0(x, mask, h0, W_x, W_h, b):
    return good(x, mask, np.zeros_like(h0), W_x, W_h, b)


def time_major(x, mask, h0, W_x, W_h, b):
    hs, h = good(x, mask, h0, W_x, W_h, b)
    return hs.transpose(1, 0, 2), h


def first_row_mask_only(x, mask, h0, W_x, W_h, b):
    return good(x, np.broadcast_to(mask[:1], mask.shape), h0, W_x, W_h, b)


MUTANTS = [
    ("ignores_mask", ignores_mask, "the padded steps changed the state"),
    ("zero_outputs", zero_outputs, "the outputs at padded steps are zeros"),
    ("outputs_the_state", outputs_the_state, "before the first real step Keras's output is zeros"),
    ("inverted", inverted, "the mask is read the wrong way round"),
    ("resets_state", resets_state, "the state is reset to zeros"),
    ("last_output_as_state", last_output_as_state, "h_T is the last output"),
    ("swapped_pair", swapped_pair, "return the pair as `return hs, h_T`"),
    ("mask_as_multiplier", mask_as_multiplier, None),
    ("zero_h0", zero_h0, "h0 is ignored"),
    ("time_major", time_major, None),
    ("first_row_mask_only", first_row_mask_only, None),
]


@pytest.mark.parametrize(("mutant_id", "fn", "hint"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_mutant_is_rejected_with_its_hint(mutant_id, fn, hint):
    result = checks.masked_forward(fn)
    assert not result.passed, f"{mutant_id} was accepted:\n{result}"
    if hint is not None:
        assert hint in str(result), f"expected {hint!r} in:\n{result}"
    graded = checks.run("masked_forward", fn, key=97)
    assert not graded.passed, f"the graded cases accept {mutant_id}:\n{graded}"


def test_most_mutants_get_their_precise_hint():
    assert sum(hint is not None for *_, hint in MUTANTS) >= 8


@pytest.mark.parametrize("fn", [good, good_with_rnnlib_step])
def test_a_right_answer_passes_public_and_graded_cases(fn):
    assert checks.masked_forward(fn).passed
    assert checks.run("masked_forward", fn, key=97).passed
    assert checks.run("masked_forward", fn, key=2026).passed


def test_every_public_case_tells_a_term_apart():
    """Each mutant fails some public case, and the unmasked case passes the mask-ignorer."""
    text = str(checks.masked_forward(ignores_mask))
    assert "✓ no padding" in text and "✗ padding at the end" in text
    text = str(checks.masked_forward(outputs_the_state))
    assert "✓ padding at the start, h0 = 0" in text
    assert "✗ padding at the start, non-zero h0" in text


def test_graded_cases_differ_from_the_public_ones_in_more_than_the_seed():
    public = [label for label, _ in masking._cases(np.random.default_rng(0), False)]
    hidden = masking._cases(np.random.default_rng(0), True)
    assert not set(public) & {label for label, _ in hidden}
    assert any("all padding" in label for label in public)
    assert any((args[1].sum(axis=1) == 0).any() for _, args in hidden)  # an all-padding row


def test_handing_the_work_to_rnnlib_scores_zero():
    def via_forward(x, mask, h0, W_x, W_h, b):
        params = {"kernel": W_x, "recurrent_kernel": W_h, "bias": b}
        hs = rnnlib.forward("simple_rnn", x, params, initial_state=h0)
        return hs, hs[:, -1]

    result = checks.masked_forward(via_forward)
    assert result.score == 0 and "rnnlib.forward" in str(result)


def test_bad_code_gets_a_message_not_an_exception():
    def negates_bool_mask(x, mask, h0, W_x, W_h, b):
        return good(x, -mask, h0, W_x, W_h, b)

    def broadcast_error(x, mask, h0, W_x, W_h, b):
        h = h0
        for t in range(x.shape[1]):
            h = np.where(mask[:, t], np.tanh(x[:, t] @ W_x + h @ W_h + b), h)
        return h, h

    text = str(checks.masked_forward(negates_bool_mask))
    assert "not -mask" in text and "Traceback" not in text
    text = str(checks.masked_forward(broadcast_error))
    assert "mask[:, t, None]" in text


def test_a_stub_is_not_written_yet():
    def masked_forward(x, mask, h0, W_x, W_h, b):
        """Docstring only."""
        ...

    assert "not written yet" in str(checks.masked_forward(masked_forward))
    assert checks.masked_forward(None).score == 0


@pytest.mark.keras
@pytest.mark.parametrize("seed", [0, 1])
def test_the_reference_is_what_keras_does_with_a_mask(float64, seed):
    keras = float64
    rng = np.random.default_rng(seed)
    B, T, d, u = 5, 6, 3, 4
    x = rng.normal(size=(B, T, d))
    mask = np.array(
        [[1] * T, [1] * 4 + [0] * 2, [0] * 3 + [1] * 3, [1, 0, 1, 1, 0, 1], [0] * T], bool
    )
    h0 = rng.normal(size=(B, u))
    layer = keras.layers.SimpleRNN(u, return_sequences=True, return_state=True)
    layer.build((None, None, d))
    W_x, W_h, b = (rng.normal(scale=0.6, size=s) for s in ((d, u), (u, u), (u,)))
    layer.set_weights([W_x, W_h, b])
    hs_keras, h_keras = (np.asarray(v) for v in layer(x, mask=mask, initial_state=h0))
    hs, h_T = masking._ref(x, mask, h0, W_x, W_h, b)
    np.testing.assert_allclose(hs, hs_keras, atol=1e-12)
    np.testing.assert_allclose(h_T, h_keras, atol=1e-12)
    # The facts the exercise's statement teaches, read off Keras itself:
    assert not hs_keras[2, :3].any()  # before the first real step: zeros, not h0
    assert not hs_keras[4].any() and np.allclose(h_keras[4], h0[4])  # all padding
    np.testing.assert_array_equal(hs_keras[1, 4], hs_keras[1, 3])  # padding repeats


@pytest.mark.keras
def test_keras_padding_and_embedding_masks_follow_the_same_rule(float64):
    """A Masking layer's mask (all-zero steps) gives what the reference gives with that mask."""
    keras = float64
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 5, 2))
    x[0, 3:] = 0.0  # post-padding
    x[1, :2] = 0.0  # pre-padding, pad_sequences' default
    x[2] = 0.0  # all padding
    rnn = keras.layers.SimpleRNN(3, return_sequences=True)
    model = keras.Sequential([keras.Input((5, 2)), keras.layers.Masking(0.0), rnn])
    W_x, W_h, b = rnn.get_weights()
    hs, _ = masking._ref(x, (x != 0).any(axis=-1), np.zeros((3, 3)), W_x, W_h, b)
    np.testing.assert_allclose(np.asarray(model(x)), hs, atol=1e-12)
