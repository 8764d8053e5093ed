"""Specs of chapter 12's exercise: sample (temperature sampling) and bits_per_char.

Sampling is checked exactly. The statement fixes how the learner uses the
generator: one ``u = rng.random(batch)``, then row ``b`` gets the first id
whose cumulative probability exceeds ``u[b]`` (the draw ``rng.choice(vocab,
p=...)`` makes row by row). Every case hands the learner a
:class:`SeededGenerator`, which remembers its seed, so the reference and the
mutants replay the very numbers the learner drew; the seeds are chosen so
that no uniform lies within ``_MARGIN`` of a cumulative probability, and a
float32 softmax, a cumulative sum in another order or ``rng.choice``'s
renormalisation can never change an id.

A right sampler that uses the generator another way (Gumbel-max,
``rng.multinomial``, ``1 - u``, NumPy's global ``np.random``) does not get
the expected ids, so it fails; the "many draws" case then tells it apart from
a wrong distribution: it repeats three rows 2,000 times each and compares the
learner's frequencies with the probabilities (within 5 standard errors), and
the hint says either "right distribution, other draws: use rng as stated" or
which id comes up how often against its probability.
"""

from __future__ import annotations

import numpy as np

from rnnlib import text
from rnnlib.checks._compare import _fmt_shape
from rnnlib.checks._engine import Spec
from rnnlib.checks._rng import DrawNotAllowedError, NoDrawsGenerator, SeededGenerator

F64, F32 = np.float64, np.float32
_MARGIN = 1e-5  # no uniform lies closer than this to a cumulative probability
_SIGMAS = 5.0  # frequencies within this many standard errors count as right


def _fresh(rng):
    return rng.fresh() if isinstance(rng, SeededGenerator) else rng


# ==========================================================================
# sample(logits, temperature, rng)
# ==========================================================================


def _sample(logits, temperature, rng):
    return text.sample(logits, temperature, _fresh(rng))


def _inverse_cdf(p, u):
    """Row b's id: the first i whose cumulative probability exceeds u[b]."""
    return np.minimum(np.sum(np.cumsum(p, axis=-1) <= u[..., None], axis=-1), p.shape[-1] - 1)


def _drawn(probs, *, uniforms=None, pick=None):
    """A mutant sampler: ``probs(logits, temperature)``, the uniforms, the rule.

    ``uniforms(rng, batch)`` and ``pick(p, u)`` default to the statement's
    ``rng.random(batch)`` and the inverse cumulative distribution.
    """

    def mutant(logits, temperature, rng):
        if temperature == 0:
            return np.argmax(logits, axis=-1)
        p = probs(logits, temperature)
        rng = _fresh(rng)
        u = uniforms(rng, len(logits)) if uniforms else rng.random(len(logits))
        return (pick or _inverse_cdf)(p, u)

    return mutant


def _soft(logits, temperature):
    return text.softmax(logits, temperature)


def _exp(z, axis=-1):
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def _gumbel(draw):
    def mutant(logits, temperature, rng):
        if temperature == 0:
            return np.argmax(logits, axis=-1)
        return np.argmax(logits / temperature + draw(_fresh(rng), logits.shape), axis=-1)

    return mutant


def _multinomial(logits, temperature, rng):
    if temperature == 0:
        return np.argmax(logits, axis=-1)
    rng, p = _fresh(rng), _soft(logits, temperature)
    return np.array([np.argmax(rng.multinomial(1, row)) for row in p])


_OTHER_DRAW = (
    "but not the draw the statement fixes: use rng only for u = rng.random(batch), and give "
    "row b the first id whose cumulative probability exceeds u[b]"
)


def _count(p, u):
    """How many cumulative sums are <= u: the stated id, unclipped (a learner's form)."""
    return np.sum(np.cumsum(p, axis=-1) <= u[..., None], axis=-1)


def _first_above(p, u):
    """The first id whose cumulative sum exceeds u, by argmax (0 if none does)."""
    return np.argmax(np.cumsum(p, axis=-1) > u[..., None], axis=-1)


def _wrong_p(hint, probs):
    """A mistake in the probabilities, with both ways a learner reads off the id."""
    return [(hint, _drawn(probs, pick=_count)), (hint, _drawn(probs, pick=_first_above))]


_ROW_MAX = lambda s: s.max(axis=-1, keepdims=True)  # noqa: E731

SAMPLE_MUTANTS = [
    *_wrong_p("np.exp overflowed on the large logits: subtract each row's largest logit before "
              "np.exp (this leaves the softmax unchanged)", lambda s, t: _exp(s / t)),
    *_wrong_p("the largest logit of the whole batch is subtracted: subtract each row's own, "
              "s.max(axis=-1, keepdims=True), or rows far below it underflow to 0 / 0",
              lambda s, t: _exp((s - s.max()) / t)),
    ("the temperature is ignored: divide the logits by it, p = softmax(logits / temperature)",
     lambda s, t, rng: _sample(s, 1.0 if t else 0, rng)),
    ("the logits are multiplied by the temperature: divide them, softmax(logits / temperature)",
     lambda s, t, rng: _sample(s, 1.0 / t if t else 0, rng)),
    ("every row got its most likely id: only temperature 0 is greedy; above 0, draw from "
     "softmax(logits / temperature)", lambda s, t, rng: np.argmax(s, axis=-1)),
    ("one uniform number is shared by all the rows: draw one per row, u = rng.random(batch), "
     "and give row b the number u[b]",
     _drawn(_soft, uniforms=lambda rng, n: np.full(n, rng.random()))),
    ("u is compared with the probabilities themselves: compare it with their cumulative sum, "
     "np.cumsum(p, axis=-1)",
     _drawn(_soft, pick=lambda p, u: np.argmax(p > u[:, None], axis=-1))),
    ("the cumulative sum does not run along each row: take it over the ids, "
     "np.cumsum(p, axis=-1)",
     _drawn(_soft, pick=lambda p, u: _inverse_cdf(np.cumsum(p).reshape(p.shape), u))),
    ("the cumulative sum does not run along each row: take it over the ids, "
     "np.cumsum(p, axis=-1)",
     _drawn(_soft, pick=lambda p, u: np.sum(np.cumsum(p, axis=0) <= u[:, None], axis=-1))),
    *_wrong_p("the softmax is normalised over the batch axis: divide by each row's own sum, "
              "axis=-1 with keepdims=True", lambda s, t: _exp((s - _ROW_MAX(s)) / t, axis=0)),
    *_wrong_p("the probabilities are not normalised: divide exp(logits / temperature) by its "
              "row sum before the cumulative sum", lambda s, t: np.exp((s - _ROW_MAX(s)) / t)),
    *_wrong_p("the probabilities are not normalised: divide exp(logits / temperature) by its "
              "row sum before the cumulative sum", lambda s, t: np.exp(s / t)),
    ("off by one: row b's id is the first i whose cumulative probability exceeds u[b], "
     "that is the number of cumulative sums <= u[b], not one less",
     lambda s, t, rng: _sample(s, t, rng) - (t != 0)),
    ("off by one: row b's id is the first i whose cumulative probability exceeds u[b], "
     "that is the number of cumulative sums <= u[b], not one more",
     lambda s, t, rng: _sample(s, t, rng) + (t != 0)),
    (f"these ids follow softmax(logits / temperature) through 1 - u, {_OTHER_DRAW}",
     _drawn(_soft, uniforms=lambda rng, n: 1.0 - rng.random(n))),
    (f"the Gumbel-max trick samples the right distribution, {_OTHER_DRAW}",
     _gumbel(lambda rng, shape: rng.gumbel(size=shape))),
    (f"the Gumbel-max trick samples the right distribution, {_OTHER_DRAW}",
     _gumbel(lambda rng, shape: -np.log(-np.log(rng.random(shape))))),
    (f"rng.multinomial samples the right distribution, {_OTHER_DRAW}", _multinomial),
]  # fmt: skip


def _safe_seed(rng, logits, temperature):
    """A seed whose uniforms keep ``_MARGIN`` away from every cumulative probability."""
    cdf = np.cumsum(text.softmax(logits, temperature), axis=-1) if temperature else None
    for _ in range(1000):
        seed = int(rng.integers(2**32))
        if cdf is None:
            return seed
        u = np.random.default_rng(seed).random(len(logits))
        if np.abs(cdf - u[:, None]).min() > _MARGIN and u.max() < cdf[:, -1].min() - _MARGIN:
            return seed
    raise RuntimeError("no safe seed found")  # pragma: no cover - a 1 in 10^100 event


def _sample_case(rng, logits, temperature):
    logits = np.asarray(logits)
    kind = NoDrawsGenerator if temperature == 0 else SeededGenerator
    return (logits, temperature, kind(_safe_seed(rng, logits.astype(F64), temperature)))


def _huge_rows(scale, vocab, rng):
    rows = [np.full(vocab, scale)]  # all equal: uniform, whatever the size
    spike = np.zeros(vocab)
    spike[[0, vocab - 1]] = -scale
    spike[vocab // 2] = scale  # one-hot on a middle id, the others at 0 and -scale
    rows.append(spike)
    rows.append(scale + rng.normal(size=vocab))  # a real distribution, far from 0
    ordinary = np.zeros(vocab)
    ordinary[1] = 40.0  # an ordinary row far below the others, certain to give id 1
    rows.append(ordinary)
    return np.stack(rows)


def _many_rows(rng, vocab, groups, per_group):
    base = rng.normal(scale=1.5, size=(groups, vocab))
    order = rng.permutation(np.repeat(np.arange(groups), per_group))
    return base[order]


def _sample_cases(rng, hidden):
    def logits(batch, vocab, dtype=F64, scale=1.5):
        return rng.normal(scale=scale, size=(batch, vocab)).astype(dtype)

    case = lambda s, t: _sample_case(rng, s, t)  # noqa: E731
    if hidden:
        out = []
        for _ in range(3):
            batch, vocab = int(rng.integers(2, 7)), int(rng.integers(3, 13))
            tau = float(rng.choice([0.3, 0.7, 1.0, 1.3, 2.5]))
            dtype = F32 if rng.random() < 0.4 else F64
            label = f"graded: temperature {tau}, batch {batch}, vocab {vocab}, {np.dtype(dtype)}"
            out.append((label, case(logits(batch, vocab, dtype), tau)))
        batch, vocab = int(rng.integers(2, 7)), int(rng.integers(3, 13))
        out.append(
            (f"graded: temperature 0 (greedy), vocab {vocab}", case(logits(batch, vocab), 0))
        )
        scale, vocab = float(rng.choice([3e3, 3e4, 1e5])), int(rng.integers(4, 9))
        tau = float(rng.choice([0.5, 1.0]))
        huge = _huge_rows(scale, vocab, rng)[rng.permutation(4)]
        out.append((f"graded: huge logits (±{scale:g}), temperature {tau}", case(huge, tau)))
        out.append(("graded: batch of 1, float32", case(logits(1, 9, F32), 1.3)))
        vocab, tau = int(rng.integers(3, 7)), float(rng.choice([0.6, 1.2]))
        out.append((f"graded: many draws (2 distributions, 2,500 rows each), temperature {tau}",
                    case(_many_rows(rng, vocab, 2, 2500), tau)))  # fmt: skip
        return out
    return [
        ("temperature 1", case(logits(10, 5), 1.0)),
        ("temperature 0.5 (sharper)", case(logits(10, 6), 0.5)),
        ("temperature 2 (flatter)", case(logits(10, 6), 2.0)),
        ("temperature 0: greedy, each row's argmax, nothing drawn from rng",
         case(logits(5, 6), 0.0)),
        ("huge logits (±1e4, and a row of equal logits 1e4)", case(_huge_rows(1e4, 5, rng), 1.0)),
        ("batch of 1", case(logits(1, 7), 1.0)),
        ("float32 logits", case(logits(8, 5, F32), 0.8)),
        ("many draws (3 distributions, 2,000 rows each): frequencies against the softmax",
         case(_many_rows(rng, 4, 3, 2000), 0.7)),
    ]  # fmt: skip


def _frequencies(got, case):
    """(right, text): do the ids of a "many draws" case follow softmax(logits / temperature)?"""
    logits, temperature = case.args64[0], case.args64[1]
    rows, first, members = np.unique(logits, axis=0, return_index=True, return_inverse=True)
    members = members.ravel()
    p = text.softmax(rows, temperature) if temperature else None
    worst = (0.0, None)
    for g in range(len(rows)):
        ids = got[members == g].astype(np.int64)
        n = len(ids)
        freq = np.bincount(ids, minlength=rows.shape[1])[: rows.shape[1]] / n
        se = np.sqrt(np.maximum(p[g] * (1 - p[g]), 1e-12) / n)
        z = np.abs(freq - p[g]) / se
        i = int(np.argmax(z))
        if z[i] > worst[0]:
            worst = (float(z[i]), (int(first[g]), i, freq[i], p[g][i], n))
    if worst[0] <= _SIGMAS:
        return True, None
    row, i, freq, prob, n = worst[1]
    return False, (
        f"over {n:,} rows with the logits of row {row}, id {i} came up {freq:.1%} of the time, "
        f"where its probability is {prob:.1%}"
    )


def _sample_hint(got, want, case, name=None):
    """Shape, range, overflow and frequency hints for a wrong array of ids."""
    logits, temperature = case.args64[0], case.args64[1]
    batch, vocab = logits.shape
    if got.shape == logits.shape:
        return "returned one value per id (the probabilities?): return one sampled id per row"
    if got.shape == (batch, 1):
        return f"one id per row: return shape {_fmt_shape((batch,))}, not (batch, 1)"
    if got.shape != want.shape:
        return None
    if np.any(got != np.round(got)):
        return "the ids must be whole numbers: an id is the position of a character, 0 .. vocab - 1"
    if got.min() < 0 or got.max() >= vocab:
        bad = int(got.min() if got.min() < 0 else got.max())
        return f"{bad} is not an id: every id lies in 0 .. {vocab - 1}, off by one?"
    if temperature == 0:
        return "at temperature 0 each row's id is np.argmax of its logits, nothing is drawn"
    # Rows whose softmax is one-hot give the same id under any right sampler.
    certain = text.softmax(logits, temperature).max(axis=-1) > 1 - 1e-12
    huge = np.abs(logits).max(axis=-1) / temperature > 700
    if np.any((got != want) & certain & huge):
        return (
            "a row with huge logits, whose softmax is one-hot, got another id: np.exp overflows "
            "past about 709, so subtract each row's largest logit before np.exp"
        )
    if case.label.startswith(("many draws", "graded: many draws")):
        right, numbers = _frequencies(got, case)
        if right:
            return (
                "your ids follow softmax(logits / temperature): their frequencies match, "
                + _OTHER_DRAW
                + " (rng.choice(vocab, p=p[b]) row by row is the same draw)"
            )
        return f"the ids do not follow softmax(logits / temperature): {numbers}"
    return (
        "these are not the ids of the stated draw, u = rng.random(batch), then for row b the "
        "first id whose cumulative probability exceeds u[b] (the many-draws sub-check tells "
        "whether their distribution is right)"
    )


def _sample_exception_hint(err):
    message = str(err)
    if isinstance(err, DrawNotAllowedError):
        return (
            "Temperature 0 is greedy decoding: return each row's np.argmax before anything "
            "divides by the temperature or draws from rng."
        )
    if "NaN" in message or "nan" in message:
        return (
            "NaN probabilities: np.exp overflowed (inf / inf) or the temperature was 0; "
            "subtract each row's largest logit before np.exp, and treat temperature 0 apart."
        )
    if "sum to 1" in message:
        return "Each row of p must sum to 1: divide exp(...) by its row sum (axis=-1)."
    return None


SAMPLE = Spec(
    signature="sample(logits, temperature, rng)",
    returns="ids",
    reference=_sample,
    cases=_sample_cases,
    mutants=SAMPLE_MUTANTS,
    how="an int array of shape (batch,), one id per row",
    heuristics=(_sample_hint,),
    exception_hint=_sample_exception_hint,
    tip="write the softmax and the draw yourself with numpy",
    doc="""Check a learner's ``sample(logits, temperature, rng) -> ids``.

    ``logits`` has shape `(batch, vocab)`; the function returns an int array
    of shape `(batch,)`. Above temperature 0, row ``b`` is drawn from
    ``p = softmax(logits[b] / temperature)`` (each row's largest logit
    subtracted first, so that logits of 1e4 do not overflow) with exactly one
    use of the generator: ``u = rng.random(batch)``, and row ``b`` gets the
    first id whose cumulative probability exceeds ``u[b]`` (which is what
    ``rng.choice(vocab, p=p[b])`` does row by row). At temperature 0 it
    returns each row's ``np.argmax``, draws nothing and divides by nothing.
    The sub-checks try temperatures 1, 0.5, 2 and 0, huge logits, a batch of
    1, float32 logits, and many draws whose frequencies are compared with the
    probabilities, which tells a wrong distribution from another use of rng.

    Example:

    >>> import numpy as np
    >>> def my_sample(logits, temperature, rng):
    ...     if temperature == 0:
    ...         return np.argmax(logits, axis=1)
    ...     z = logits / temperature
    ...     p = np.exp(z - z.max(axis=1, keepdims=True))
    ...     p = p / p.sum(axis=1, keepdims=True)
    ...     u = rng.random(len(logits))
    ...     return np.array([np.searchsorted(np.cumsum(row), x, side="right")
    ...                      for row, x in zip(p, u)])
    >>> sample(my_sample).passed
    True
    """,
)


# ==========================================================================
# bits_per_char(probs, ids)
# ==========================================================================


def _bits(probs, ids):
    return text.bits_per_char(probs, ids)


def _true_p(probs, ids):
    return np.take_along_axis(probs, ids[..., None], axis=-1)[..., 0]


def _entropy(probs, ids):
    with np.errstate(all="ignore"):
        terms = np.where(probs > 0, -probs * np.log2(probs), 0.0)
    return float(terms.sum(axis=-1).mean())


BITS_MUTANTS = [
    ("the logarithm is natural (np.log), which gives nats: use np.log2, or divide by np.log(2)",
     lambda p, i: float(-np.mean(np.log(_true_p(p, i))))),
    ("the logarithm is in base 10: bits use base 2, np.log2",
     lambda p, i: float(-np.mean(np.log10(_true_p(p, i))))),
    ("the minus sign is missing: bits per character are the mean of -log2 p, never negative",
     lambda p, i: -_bits(p, i)),
    ("the log is taken of the mean probability: take -log2 of each position's probability "
     "first, then the mean", lambda p, i: float(-np.log2(np.mean(_true_p(p, i))))),
    ("the bits are summed: bits per character is their mean over all batch * time positions",
     lambda p, i: _bits(p, i) * i.size),
    ("the bits are summed over time: average over the batch and time axes together, so that "
     "every position counts once", lambda p, i: _bits(p, i) * i.shape[1]),
    ("the bits are summed over the batch: average over the batch and time axes together",
     lambda p, i: _bits(p, i) * i.shape[0]),
    ("probs[..., ids] pairs every position with every id: take each position's own, "
     "probs[b, t, ids[b, t]], e.g. np.take_along_axis(probs, ids[..., None], axis=-1)",
     lambda p, i: float(-np.mean(np.log2(p[..., i])))),
    ("ids index the wrong axis: they pick along the last axis, probs[b, t, ids[b, t]], "
     "e.g. np.take_along_axis(probs, ids[..., None], axis=-1)",
     lambda p, i: float(-np.mean(np.log2(np.take_along_axis(p, i[..., None], axis=1))))),
    ("the probabilities are shifted by one position: ids[b, t] is already the character "
     "after position t, so score probs[b, t, ids[b, t]] with no shift",
     lambda p, i: _bits(p[:, 1:], i[:, :-1])),
    ("the probabilities are shifted by one position: ids[b, t] is already the character "
     "after position t, so score probs[b, t, ids[b, t]] with no shift",
     lambda p, i: _bits(p[:, :-1], i[:, 1:])),
    ("this is the entropy of the model's distribution, which ignores ids: score the true "
     "characters, -log2 probs[b, t, ids[b, t]]", _entropy),
    ("the most likely character is scored, not the true one: read the probabilities at ids",
     lambda p, i: float(-np.mean(np.log2(p.max(axis=-1))))),
    ("this is the perplexity 2**H: return the bits H themselves",
     lambda p, i: 2.0 ** _bits(p, i)),
]  # fmt: skip


def _bits_hint(got, want, case, name=None):
    try:
        value = float(got)
    except (TypeError, ValueError):
        return None
    if value < 0:
        return "bits per character are never negative (each -log2 p >= 0): a minus sign missing?"
    return None


def _bits_not_finite(got, case):
    """NaN from 0 * log2(0), inf from a zero probability read at a wrong place."""
    try:
        value = float(np.asarray(got, dtype=np.float64).ravel()[0]) if np.size(got) else 0.0
    except (TypeError, ValueError):
        return None
    if np.size(got) != 1:
        return (
            "one number is asked for: the mean of -log2 probs[b, t, ids[b, t]] over all batch "
            "and time positions"
            if np.shape(got) == np.shape(case.args[1])
            else None
        )
    if np.isnan(value):
        return (
            "0 * log2(0) gives NaN: read only the true ids' probabilities, "
            "np.take_along_axis(probs, ids[..., None], axis=-1), instead of multiplying by "
            "a one-hot vector"
        )
    if np.isinf(value):
        return (
            "a probability of 0 was scored, which is never a true id's here: is each position "
            "read at its own id, probs[b, t, ids[b, t]], without a shift?"
        )
    return None


def _bits_cases(rng, hidden):
    def softmax_probs(batch, time, vocab, scale=1.5):
        return text.softmax(rng.normal(scale=scale, size=(batch, time, vocab)))

    def ids(batch, time, vocab, dtype=np.int64):
        return rng.integers(0, vocab, size=(batch, time)).astype(dtype)

    def with_zeros(probs, true):
        """Zero about half of the probabilities that are not the true id's, renormalised."""
        keep = rng.random(probs.shape) < 0.5
        np.put_along_axis(keep, true[..., None], True, axis=-1)
        probs = probs * keep
        return probs / probs.sum(axis=-1, keepdims=True)

    def one_hot(true, vocab):
        return np.eye(vocab)[true]

    if hidden:
        out = []
        for what in ("random softmax outputs", "random softmax outputs", "zeros elsewhere"):
            batch, time, vocab = (int(rng.integers(1, 5)), int(rng.integers(2, 8)),
                                  int(rng.integers(2, 12)))  # fmt: skip
            dtype = F32 if rng.random() < 0.4 else F64
            true = ids(batch, time, vocab, np.int32)
            probs = softmax_probs(batch, time, vocab, float(rng.choice([0.5, 2.0, 4.0])))
            if what == "zeros elsewhere":
                probs = with_zeros(probs, true)
            label = f"graded: {what}, batch {batch}, time {time}, vocab {vocab}, {np.dtype(dtype)}"
            out.append((label, (probs.astype(dtype), true)))
        vocab = int(rng.integers(3, 30))
        out.append(
            (f"graded: uniform over {vocab}", (np.full((2, 3, vocab), 1 / vocab), ids(2, 3, vocab)))
        )  # noqa: E501
        true = ids(3, 2, 6, np.int32)
        out.append(("graded: a right one-hot model, int32 ids", (one_hot(true, 6), true)))
        true = ids(2, 1, 5)
        out.append(("graded: time 1", (softmax_probs(2, 1, 5), true)))
        return out
    uniform_ids = ids(2, 4, 6)
    hot = ids(2, 5, 4)
    mixed = ids(3, 6, 5)
    zeros = ids(2, 5, 6)
    single = ids(1, 6, 4)
    f32 = ids(2, 3, 5)
    return [
        ("uniform probabilities over 6 ids: log2(6) bits",
         (np.full((2, 4, 6), 1 / 6), uniform_ids)),
        ("a right one-hot model: 0 bits", (one_hot(hot, 4), hot)),
        ("mixed: softmax outputs of random logits", (softmax_probs(3, 6, 5), mixed)),
        ("batch of 1", (softmax_probs(1, 6, 4), single)),
        ("zeros where the true id is not (0 * log 0 must not give NaN)",
         (with_zeros(softmax_probs(2, 5, 6), zeros), zeros)),
        ("float32 probabilities", (softmax_probs(2, 3, 5).astype(F32), f32)),
    ]  # fmt: skip


BITS_PER_CHAR = Spec(
    signature="bits_per_char(probs, ids)",
    returns="bits",
    reference=_bits,
    cases=_bits_cases,
    mutants=BITS_MUTANTS,
    how="a single number, the mean over all positions",
    heuristics=(_bits_hint,),
    explain=(_bits_not_finite,),
    tip="gather the true ids' probabilities and average -log2 of them yourself with numpy",
    doc="""Check a learner's ``bits_per_char(probs, ids) -> bits``.

    ``probs`` has shape `(batch, time, vocab)` (softmax outputs) and ``ids``
    shape `(batch, time)`: the character that really came after each
    position. The function returns one number, the mean over all positions
    of ``-log2 probs[b, t, ids[b, t]]``. The sub-checks try uniform
    probabilities (``log2(vocab)`` bits), a right one-hot model (0 bits),
    random softmax outputs, a batch of 1, probabilities that are 0 where the
    true id is not (no NaN from 0 * log 0) and float32 probabilities.

    Example:

    >>> import numpy as np
    >>> def learner_bits(probs, ids):
    ...     p = np.take_along_axis(probs, ids[..., None], axis=-1)
    ...     return -np.mean(np.log2(p))
    >>> bits_per_char(learner_bits).passed
    True
    """,
)

SPECS = {"sample": SAMPLE, "bits_per_char": BITS_PER_CHAR}
