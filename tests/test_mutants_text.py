"""Chapter 12's exercise: sample and bits_per_char against oracles; wrong answers rejected.

The oracles: for sampling, ``rng.choice(vocab, p=...)`` row by row (NumPy's own
sampler, which makes the same draw as the statement's inverse cumulative
distribution) and the frequencies of many draws against the softmax; for bits
per character, Keras's sparse categorical cross-entropy divided by ln 2, and
values worked by hand. Each mutant is written the way a learner might get the
exercise wrong; none is built from the check's own mutants.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from rnnlib import checks, text
from rnnlib.checks._rng import NoDrawsGenerator, SeededGenerator
from rnnlib.checks.specs import text as spec


def run_quietly(name, fn, **kwargs):
    with np.errstate(all="ignore"):
        return checks.run(name, fn, **kwargs)


def softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# ==========================================================================
# sample(logits, temperature, rng): right answers
# ==========================================================================


def sample_good(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits, axis=1)
    p = softmax_rows(logits / temperature)
    u = rng.random(len(logits))
    return np.sum(np.cumsum(p, axis=1) <= u[:, None], axis=1)


def sample_choice(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits, axis=1)
    p = softmax_rows(logits / temperature)
    return np.array([rng.choice(len(row), p=row) for row in p])


def sample_loop(logits, temperature, rng):
    batch, vocab = logits.shape
    ids = np.zeros(batch, dtype=int)
    for b in range(batch):
        if temperature == 0:
            ids[b] = np.argmax(logits[b])
            continue
        z = logits[b] / temperature
        p = np.exp(z - z.max())
        p = p / p.sum()
        ids[b] = np.searchsorted(np.cumsum(p), rng.random(), side="right")
    return ids


def sample_float32(logits, temperature, rng):
    """A float32 softmax and rng.uniform: the same ids, thanks to the check's margin."""
    if temperature == 0:
        return np.argmax(logits, axis=1)
    p = softmax_rows((logits / temperature).astype(np.float32))
    u = rng.uniform(size=len(logits))
    return np.argmax(np.cumsum(p, axis=1) > u[:, None], axis=1)


# ==========================================================================
# sample: wrong answers, as a learner writes them
# ==========================================================================


def draw(p, rng):
    u = rng.random(len(p))
    return np.sum(np.cumsum(p, axis=1) <= u[:, None], axis=1)


def greedy_or(logits, temperature, rng, probs):
    if temperature == 0:
        return np.argmax(logits, axis=1)
    return draw(probs(logits, temperature), rng)


def sample_no_temperature(logits, temperature, rng):
    return greedy_or(logits, temperature, rng, lambda s, t: softmax_rows(s))


def sample_times_temperature(logits, temperature, rng):
    return greedy_or(logits, temperature, rng, lambda s, t: softmax_rows(s * t))


def sample_always_greedy(logits, temperature, rng):
    return np.argmax(logits, axis=1)


def sample_one_uniform(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits, axis=1)
    p = softmax_rows(logits / temperature)
    u = rng.random()
    return np.sum(np.cumsum(p, axis=1) <= u, axis=1)


def sample_compares_p(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits, axis=1)
    p = softmax_rows(logits / temperature)
    u = rng.random(len(logits))
    return np.argmax(p > u[:, None], axis=1)


def sample_cumsum_over_batch(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits, axis=1)
    p = softmax_rows(logits / temperature)
    u = rng.random(len(logits))
    return np.sum(np.cumsum(p, axis=0) <= u[:, None], axis=1)


def sample_softmax_over_batch(logits, temperature, rng):
    def probs(s, t):
        e = np.exp((s - s.max(axis=1, keepdims=True)) / t)
        return e / e.sum(axis=0)

    return greedy_or(logits, temperature, rng, probs)


def sample_unnormalised(logits, temperature, rng):
    return greedy_or(
        logits, temperature, rng, lambda s, t: np.exp((s - s.max(axis=1, keepdims=True)) / t)
    )


def sample_overflows(logits, temperature, rng):
    def probs(s, t):
        e = np.exp(s / t)
        return e / e.sum(axis=1, keepdims=True)

    return greedy_or(logits, temperature, rng, probs)


def sample_global_max(logits, temperature, rng):
    def probs(s, t):
        e = np.exp((s - s.max()) / t)
        return e / e.sum(axis=1, keepdims=True)

    return greedy_or(logits, temperature, rng, probs)


def sample_one_less(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits, axis=1)
    p = softmax_rows(logits / temperature)
    u = rng.random(len(logits))
    return np.sum(np.cumsum(p, axis=1) < u[:, None], axis=1) - 1


def sample_draws_at_zero(logits, temperature, rng):
    u = rng.random(len(logits))
    if temperature == 0:
        return np.argmax(logits, axis=1)
    p = softmax_rows(logits / temperature)
    return np.sum(np.cumsum(p, axis=1) <= u[:, None], axis=1)


def sample_divides_by_zero(logits, temperature, rng):
    p = softmax_rows(logits / temperature)
    return draw(p, rng)


def sample_gumbel(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits, axis=1)
    return np.argmax(logits / temperature + rng.gumbel(size=logits.shape), axis=1)


def sample_multinomial(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits, axis=1)
    p = softmax_rows(logits / temperature)
    return np.array([np.argmax(rng.multinomial(1, row)) for row in p])


def sample_global_numpy(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits, axis=1)
    p = softmax_rows(logits / temperature)
    return np.array([np.random.choice(len(row), p=row) for row in p])


def sample_returns_p(logits, temperature, rng):
    return softmax_rows(logits / max(temperature, 1e-3))


def sample_keeps_axis(logits, temperature, rng):
    return sample_good(logits, temperature, rng)[:, None]


def sample_in_place(logits, temperature, rng):
    logits -= logits.max(axis=1, keepdims=True)
    return sample_good(logits, temperature, rng)


SAMPLE_MUTANTS = [
    ("no_temperature", sample_no_temperature, "the temperature is ignored"),
    ("times_temperature", sample_times_temperature, "multiplied by the temperature"),
    ("always_greedy", sample_always_greedy, "every row got its most likely id"),
    ("one_uniform_for_all_rows", sample_one_uniform, "one uniform number is shared"),
    ("compares_u_with_p", sample_compares_p, "compared with the probabilities themselves"),
    ("cumsum_over_batch", sample_cumsum_over_batch, "does not run along each row"),
    ("softmax_over_batch", sample_softmax_over_batch, "normalised over the batch axis"),
    ("unnormalised", sample_unnormalised, "the probabilities are not normalised"),
    ("no_max_subtracted", sample_overflows, "np.exp overflowed on the large logits"),
    ("global_max_subtracted", sample_global_max, "the largest logit of the whole batch"),
    ("off_by_one", sample_one_less, "not one less"),
    ("draws_at_temperature_0", sample_draws_at_zero, "Temperature 0 is greedy decoding"),
    ("divides_by_temperature_0", sample_divides_by_zero, "Temperature 0 is greedy decoding"),
    ("gumbel_max", sample_gumbel, "the Gumbel-max trick samples the right distribution"),
    ("multinomial", sample_multinomial, "rng.multinomial samples the right distribution"),
    ("global_np_random", sample_global_numpy, "their frequencies match"),
    ("returns_probabilities", sample_returns_p, "returned one value per id"),
    ("keeps_an_axis", sample_keeps_axis, "one id per row"),
    ("changes_logits_in_place", sample_in_place, "changed logits in place"),
]


# ==========================================================================
# bits_per_char(probs, ids): right answers and wrong ones
# ==========================================================================


def true_p(probs, ids):
    return np.take_along_axis(probs, ids[..., None], axis=-1)[..., 0]


def bits_good(probs, ids):
    return -np.mean(np.log2(true_p(probs, ids)))


def bits_loop(probs, ids):
    batch, time_ = ids.shape
    total = 0.0
    for b in range(batch):
        for t in range(time_):
            total -= np.log2(probs[b, t, ids[b, t]])
    return total / (batch * time_)


def bits_fancy_index(probs, ids):
    batch, time_ = ids.shape
    p = probs[np.arange(batch)[:, None], np.arange(time_)[None, :], ids]
    return float(np.mean(-np.log(p)) / np.log(2))


def bits_natural_log(probs, ids):
    return -np.mean(np.log(true_p(probs, ids)))


def bits_log10(probs, ids):
    return -np.mean(np.log10(true_p(probs, ids)))


def bits_not_negated(probs, ids):
    return np.mean(np.log2(true_p(probs, ids)))


def bits_log_of_mean(probs, ids):
    return -np.log2(np.mean(true_p(probs, ids)))


def bits_sum(probs, ids):
    return -np.sum(np.log2(true_p(probs, ids)))


def bits_sum_over_time(probs, ids):
    return np.mean(np.sum(-np.log2(true_p(probs, ids)), axis=1))


def bits_all_pairs(probs, ids):
    return -np.mean(np.log2(probs[..., ids]))


def bits_time_axis(probs, ids):
    return -np.mean(np.log2(np.take_along_axis(probs, ids[..., None], axis=1)))


def bits_next_position(probs, ids):
    return -np.mean(np.log2(true_p(probs[:, 1:], ids[:, :-1])))


def bits_entropy(probs, ids):
    terms = np.where(probs > 0, probs * np.log2(np.where(probs > 0, probs, 1.0)), 0.0)
    return -np.mean(np.sum(terms, axis=-1))


def bits_most_likely(probs, ids):
    return -np.mean(np.log2(probs.max(axis=-1)))


def bits_perplexity(probs, ids):
    return 2 ** bits_good(probs, ids)


def bits_one_hot_product(probs, ids):
    one_hot = np.eye(probs.shape[-1])[ids]
    return -np.mean(np.sum(one_hot * np.log2(probs), axis=-1))


def bits_per_position(probs, ids):
    return -np.log2(true_p(probs, ids))


BITS_MUTANTS = [
    ("natural_log", bits_natural_log, "the logarithm is natural (np.log)"),
    ("log10", bits_log10, "the logarithm is in base 10"),
    ("not_negated", bits_not_negated, "the minus sign is missing"),
    ("log_of_mean", bits_log_of_mean, "the log is taken of the mean probability"),
    ("sum_not_mean", bits_sum, "the bits are summed: bits per character is their mean"),
    ("sum_over_time", bits_sum_over_time, "the bits are summed over time"),
    ("all_pairs", bits_all_pairs, "probs[..., ids] pairs every position with every id"),
    ("ids_on_time_axis", bits_time_axis, "ids index the wrong axis"),
    ("next_position", bits_next_position, "the probabilities are shifted by one position"),
    ("entropy", bits_entropy, "this is the entropy of the model's distribution"),
    ("most_likely", bits_most_likely, "the most likely character is scored"),
    ("perplexity", bits_perplexity, "this is the perplexity 2**H"),
    ("one_hot_times_log", bits_one_hot_product, "0 * log2(0) gives NaN"),
    ("per_position_array", bits_per_position, "one number is asked for"),
]


# ==========================================================================
# The references against the oracles.
# ==========================================================================


@pytest.mark.parametrize("temperature", [0.3, 1.0, 2.5])
def test_sample_makes_the_draw_of_rng_choice_row_by_row(temperature):
    logits = np.random.default_rng(1).normal(scale=2.0, size=(3000, 7))
    p = softmax_rows(logits / temperature)
    rng = np.random.default_rng(2)
    oracle = np.array([rng.choice(7, p=row) for row in p])
    assert np.array_equal(text.sample(logits, temperature, np.random.default_rng(2)), oracle)


def test_sample_frequencies_follow_the_softmax():
    logits = np.array([2.0, 0.5, -1.0, 0.0, 1.5])
    for temperature in (0.5, 1.0, 3.0):
        n = 200_000
        ids = text.sample(np.tile(logits, (n, 1)), temperature, np.random.default_rng(7))
        p = np.exp(logits / temperature) / np.exp(logits / temperature).sum()
        freq = np.bincount(ids, minlength=5) / n
        assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / n)), (temperature, freq, p)


def test_sample_at_temperature_0_is_argmax_and_draws_nothing():
    logits = np.random.default_rng(3).normal(size=(6, 9))
    ids = text.sample(logits, 0, NoDrawsGenerator(0))
    assert np.array_equal(ids, logits.argmax(axis=1))
    small = text.sample(logits, 1e-3, np.random.default_rng(0))  # the limit tau -> 0
    assert np.array_equal(small, logits.argmax(axis=1))


def test_sample_and_softmax_do_not_overflow():
    logits = np.array([[1e4, 1e4, 1e4], [-1e4, 1e4, 0.0], [1e5, 1e5 + 1, 1e5 - 1]])
    p = text.softmax(logits)
    assert np.isfinite(p).all() and np.allclose(p[0], 1 / 3) and p[1, 1] == 1.0
    ids = text.sample(logits, 0.5, np.random.default_rng(0))
    assert ids[1] == 1 and ids.dtype.kind == "i"


@pytest.mark.parametrize("hidden", [False, True], ids=["public", "graded"])
def test_every_sample_case_is_replayable_and_far_from_a_boundary(hidden):
    """The check's cases: rng.choice and a float32 softmax both give the reference's ids."""
    for seed in (0, 97, 2026):
        rng = np.random.default_rng(seed)
        for label, (logits, temperature, gen) in spec.SAMPLE.cases(rng, hidden):
            want = spec._sample(logits.astype(np.float64), temperature, gen)
            assert np.array_equal(sample_choice(logits, temperature, gen.fresh()), want), label
            assert np.array_equal(sample_float32(logits, temperature, gen.fresh()), want), label
            assert isinstance(gen, NoDrawsGenerator) == (temperature == 0), label


def test_seeded_generator_replays_and_no_draws_generator_refuses():
    rng = SeededGenerator(11)
    first = rng.random(4)
    assert np.array_equal(rng.fresh().random(4), first)
    for method in ("random", "choice", "uniform", "gumbel", "integers", "multinomial"):
        with pytest.raises(RuntimeError, match="nothing may be drawn"):
            getattr(NoDrawsGenerator(0), method)(3)


def test_bits_per_char_by_hand():
    assert text.bits_per_char(np.full((2, 3, 8), 1 / 8), np.zeros((2, 3), int)) == 3.0
    one_hot = np.eye(4)[[[0, 3, 1]]]
    assert text.bits_per_char(one_hot, np.array([[0, 3, 1]])) == 0.0
    probs = np.array([[[0.5, 0.5, 0.0], [0.25, 0.0, 0.75]]])
    assert text.bits_per_char(probs, np.array([[0, 0]])) == pytest.approx((1 + 2) / 2)


@pytest.mark.keras
def test_bits_per_char_is_keras_cross_entropy_over_ln2(keras):
    rng = np.random.default_rng(4)
    probs = softmax_rows(rng.normal(scale=2.0, size=(3 * 7, 11))).reshape(3, 7, 11)
    ids = rng.integers(0, 11, size=(3, 7))
    loss = keras.losses.SparseCategoricalCrossentropy()(ids, probs)
    nats = float(keras.ops.convert_to_numpy(loss))
    assert text.bits_per_char(probs, ids) == pytest.approx(nats / np.log(2), rel=1e-6)


# ==========================================================================
# Right answers, speed, shortcuts and bad code.
# ==========================================================================


@pytest.mark.parametrize(
    "fn", [sample_good, sample_choice, sample_loop, sample_float32], ids=lambda f: f.__name__
)
def test_right_samplers_pass_public_and_graded_cases(fn):
    assert run_quietly("sample", fn).passed
    assert run_quietly("sample", fn, key=97).passed


@pytest.mark.parametrize("fn", [bits_good, bits_loop, bits_fancy_index], ids=lambda f: f.__name__)
def test_right_bits_pass_public_and_graded_cases(fn):
    assert run_quietly("bits_per_char", fn).passed
    assert run_quietly("bits_per_char", fn, key=97).passed


@pytest.mark.parametrize(
    "name, fn", [("sample", sample_good), ("sample", sample_choice), ("bits_per_char", bits_good)]
)
def test_check_is_fast_on_a_right_answer(name, fn):
    start = time.perf_counter()
    assert run_quietly(name, fn).passed
    assert time.perf_counter() - start < 1.0


def test_check_of_numpy_code_does_not_import_tensorflow():
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from rnnlib import checks\n"
        "checks.bits_per_char(lambda p, i: 0.0)\n"
        "checks.sample(lambda s, t, rng: np.argmax(s, axis=1))\n"
        "assert 'tensorflow' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_calling_rnnlib_scores_zero():
    calls = [
        ("sample", lambda s, t, rng: text.sample(s, t, rng)),
        ("sample", lambda s, t, rng: sample_good(text.softmax(s) * 0 + s, t, rng)),
        ("bits_per_char", lambda p, i: text.bits_per_char(p, i)),
    ]
    for name, fn in calls:
        result = run_quietly(name, fn)
        assert result.score == 0 and "rnnlib's own reference" in str(result), result


def test_bad_code_gets_a_kind_message():
    def sample_stub(logits, temperature, rng): ...

    def sample_none(logits, temperature, rng):
        ids = None  # unfinished
        return ids

    def sample_raises(logits, temperature, rng):
        return logits @ logits

    def bits_stub(probs, ids): ...

    def bits_not_implemented(probs, ids):
        raise NotImplementedError

    def bits_raises(probs, ids):
        return probs[ids, ids, ids, ids]

    cases = [
        ("sample", sample_stub, "not written yet"),
        ("sample", sample_none, "returned None"),
        ("sample", sample_raises, "raised ValueError: matmul"),
        ("sample", None, "not defined yet"),
        ("bits_per_char", bits_stub, "not written yet"),
        ("bits_per_char", bits_not_implemented, "not written yet"),
        ("bits_per_char", bits_raises, "raised IndexError"),
    ]
    for name, fn, message in cases:
        result = run_quietly(name, fn)
        assert not result.passed and result.score == 0, str(result)
        assert message in str(result), str(result)


# ==========================================================================
# The mutants.
# ==========================================================================


def test_enough_mutants_with_hints():
    for mutants in (SAMPLE_MUTANTS, BITS_MUTANTS):
        assert len(mutants) >= 8
        assert sum(hint is not None for *_, hint in mutants) >= 0.75 * len(mutants)


@pytest.mark.parametrize("mutant_id, fn, hint", SAMPLE_MUTANTS, ids=[m[0] for m in SAMPLE_MUTANTS])
def test_sample_mutant_is_rejected_with_its_hint(mutant_id, fn, hint):
    result = run_quietly("sample", fn)
    assert not result.passed, f"{mutant_id} was accepted:\n{result}"
    if hint is not None:
        assert hint in str(result), f"expected {hint!r} in:\n{result}"
    graded = run_quietly("sample", fn, key=97)
    assert not graded.passed, f"{mutant_id} was accepted on the graded cases:\n{graded}"


@pytest.mark.parametrize("mutant_id, fn, hint", BITS_MUTANTS, ids=[m[0] for m in BITS_MUTANTS])
def test_bits_mutant_is_rejected_with_its_hint(mutant_id, fn, hint):
    result = run_quietly("bits_per_char", fn)
    assert not result.passed, f"{mutant_id} was accepted:\n{result}"
    if hint is not None:
        assert hint in str(result), f"expected {hint!r} in:\n{result}"
    graded = run_quietly("bits_per_char", fn, key=97)
    assert not graded.passed, f"{mutant_id} was accepted on the graded cases:\n{graded}"
