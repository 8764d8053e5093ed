"""Clipping with gradient accumulation: the reference is what Keras's optimizer applies.

The mutants are written here as a learner might, independently of the check's
own. The oracle is a Keras 3 ``SGD`` optimizer with
``gradient_accumulation_steps`` and ``global_clipnorm``: after n calls to
``apply`` its variables moved by exactly minus the learning rate times the
clipped mean.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnlib import checks, optim
from rnnlib.checks.specs import accumulation


def norm(g):
    return np.sqrt(sum(np.sum(v**2) for v in g.values()))


def clip(g, max_norm):
    n = norm(g)
    scale = 1.0 if n <= max_norm else max_norm / n
    return {k: v * scale for k, v in g.items()}


def mean(micro):
    return {k: np.mean([g[k] for g in micro], axis=0) for k in micro[0]}


def good(micro_grads, max_norm):
    return clip(mean(micro_grads), max_norm)


def good_with_rnnlib_clip(micro_grads, max_norm):
    return optim.clip_by_global_norm(mean(micro_grads), max_norm)


def clips_each_micro_batch(micro_grads, max_norm):
    return mean([clip(g, max_norm) for g in micro_grads])


def sums(micro_grads, max_norm):
    return clip({k: sum(g[k] for g in micro_grads) for k in micro_grads[0]}, max_norm)


def clips_the_sum_then_divides(micro_grads, max_norm):
    total = clip({k: sum(g[k] for g in micro_grads) for k in micro_grads[0]}, max_norm)
    return {k: v / len(micro_grads) for k, v in total.items()}


def no_clip(micro_grads, max_norm):
    return mean(micro_grads)


def last_only(micro_grads, max_norm):
    return clip(micro_grads[-1], max_norm)


def first_only(micro_grads, max_norm):
    return clip(dict(micro_grads[0]), max_norm)


def mean_of_norms(micro_grads, max_norm):
    n = np.mean([norm(g) for g in micro_grads])
    return {k: v * min(1.0, max_norm / n) for k, v in mean(micro_grads).items()}


def per_array(micro_grads, max_norm):
    return {k: clip({k: v}, max_norm)[k] for k, v in mean(micro_grads).items()}


def accumulates_in_place(micro_grads, max_norm):
    total = micro_grads[0]
    for g in micro_grads[1:]:
        for k in total:
            total[k] += g[k]
    return clip({k: v / len(micro_grads) for k, v in total.items()}, max_norm)


def zero_norm_nan(micro_grads, max_norm):
    m = mean(micro_grads)
    return {k: v * (max_norm / norm(m)) if norm(m) > max_norm else v / norm(m) * norm(m)
            for k, v in m.items()}  # fmt: skip


MUTANTS = [
    ("clips_each_micro_batch", clips_each_micro_batch, "average the micro-batches first"),
    ("sums", sums, "added up, not averaged"),
    ("clips_the_sum_then_divides", clips_the_sum_then_divides, "divide first, then clip"),
    ("no_clip", no_clip, "the mean is not clipped"),
    ("last_only", last_only, "only the last micro-batch is used"),
    ("first_only", first_only, "only the first micro-batch is used"),
    ("mean_of_norms", mean_of_norms, "the mean of the micro-batches' norms"),
    ("per_array", per_array, "clipped by its own norm"),
    ("accumulates_in_place", accumulates_in_place, "changed micro_grads[0]['kernel'] in place"),
    ("zero_norm_nan", zero_norm_nan, None),
]


@pytest.mark.parametrize(("mutant_id", "fn", "hint"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_mutant_is_rejected_with_its_hint(mutant_id, fn, hint):
    result = checks.clip_accumulated(fn)
    assert not result.passed, f"{mutant_id} was accepted:\n{result}"
    if hint is not None:
        assert hint in str(result), f"expected {hint!r} in:\n{result}"
    graded = checks.run("clip_accumulated", fn, key=97)
    assert not graded.passed, f"the graded cases accept {mutant_id}:\n{graded}"


@pytest.mark.parametrize("fn", [good, good_with_rnnlib_clip])
def test_a_right_answer_passes(fn):
    assert checks.clip_accumulated(fn).passed
    assert checks.run("clip_accumulated", fn, key=97).passed


def test_the_cancelling_case_tells_clip_then_average_apart():
    text = str(checks.clip_accumulated(clips_each_micro_batch))
    assert "✓ one micro-batch" in text and "✓ two equal micro-batches" in text
    assert "✗ two large micro-batches that cancel" in text


def test_a_zero_mean_gives_no_nan():
    micro = [{"W": np.ones((2, 2))}, {"W": -np.ones((2, 2))}]
    out = accumulation._ref(micro, 1.0)
    assert np.array_equal(out["W"], np.zeros((2, 2)))


def test_calling_the_checks_reference_scores_zero():
    result = checks.clip_accumulated(accumulation._ref)
    assert result.score == 0 and "earns no marks" in str(result)


@pytest.mark.keras
@pytest.mark.parametrize(("n", "max_norm"), [(2, 1.0), (3, 0.5), (4, 100.0)])
def test_the_reference_is_what_a_keras_optimizer_applies(float64, n, max_norm):
    keras = float64
    rng = np.random.default_rng(n)
    shapes = {"kernel": (3, 4), "bias": (4,)}
    start = {k: rng.normal(size=s) for k, s in shapes.items()}
    variables = [keras.Variable(start[k]) for k in shapes]
    micro = [{k: rng.normal(scale=2.0, size=s) for k, s in shapes.items()} for _ in range(n)]
    if n == 2:  # two large micro-batches that nearly cancel: clipping each would be wrong
        micro[1] = {k: -v + 0.01 for k, v in micro[0].items()}
    sgd = keras.optimizers.SGD(
        learning_rate=1.0, global_clipnorm=max_norm, gradient_accumulation_steps=n
    )
    sgd.build(variables)
    for g in micro:
        sgd.apply([keras.ops.convert_to_tensor(g[k]) for k in shapes], variables)
    want = accumulation._ref(micro, max_norm)
    for k, v in zip(shapes, variables, strict=True):
        np.testing.assert_allclose(start[k] - np.asarray(v), want[k], atol=1e-12)
