"""Spec of chapter 13's exercise: mingru_log_space, minGRU's closed form in log space."""

from __future__ import annotations

import numpy as np

from rnnlib import scan
from rnnlib.checks._compare import _batch_axis_hint
from rnnlib.checks._engine import Spec, hidden_sizes


def _log(v):
    with np.errstate(divide="ignore"):
        return np.log(v)


def _ref(x, h0, W_x, b):
    log_a, log_b = scan.mingru_log_coefficients(x, W_x, b)
    return scan.scan_log_space(log_a, log_b, _log(h0))


# --------------------------------------------------------------------------
# The known mistakes, each the reference's pieces put together wrongly.
# --------------------------------------------------------------------------


def _pre(x, W_x, b):
    u = W_x.shape[1] // 2
    pre = x @ W_x + b
    return pre[..., :u], pre[..., u:]


def _softplus(v):
    return np.logaddexp(0, v)


def _solve(log_a, log_b, h0, *, A_axis=1, lse_axis=1, exclusive=False, h0_mode="right"):
    """The closed form in log space, with one of its pieces changed."""
    log_A = np.cumsum(log_a, axis=A_axis)
    if exclusive:  # the sum stops at t - 1
        log_A = log_A - log_a
    terms = log_b - log_A
    if h0_mode == "right":
        terms = np.concatenate([_log(h0)[:, None], terms], axis=1)
        return np.exp(log_A + np.logaddexp.accumulate(terms, axis=lse_axis)[:, 1:])
    hs = np.exp(log_A + np.logaddexp.accumulate(terms, axis=lse_axis))
    if h0_mode == "no decay":
        return hs + h0[:, None]
    if h0_mode == "no alpha_1":  # h_1 = h_0 + beta_1: h_0 skips the first step's decay
        return hs + h0[:, None] * np.exp(log_A - log_a[:, :1])
    return hs  # h0 ignored


def _coefficients(x, W_x, b, *, alpha="1 - z", beta="z", cand=scan.log_phi):
    v_z, v_h = _pre(x, W_x, b)
    logs = {"1 - z": -_softplus(v_z), "z": -_softplus(-v_z), "1": 0 * v_z}
    return logs[alpha], logs[beta] + cand(v_h)


def _with(x, h0, W_x, b, coefficients=None, **solve):
    log_a, log_b = _coefficients(x, W_x, b, **(coefficients or {}))
    return _solve(log_a, log_b, h0, **solve)


def _log_sigmoid(v):
    return -_softplus(-v)


def _log_phi_no_half(v):
    return np.where(v >= 0, _log(np.maximum(v, 0)), _log_sigmoid(v))


def _one_step_late(x, h0, W_x, b):
    hs = _ref(x, h0, W_x, b)
    return np.concatenate([h0[:, None], hs[:, :-1]], axis=1)


MUTANTS = [
    ("alpha_t and beta_t use Keras's convention: in minGRU z_t is the candidate's share, "
     "so alpha_t = 1 - z_t (log(1 - z_t) = -np.logaddexp(0, v)) and beta_t = z_t * hh_t",
     lambda x, h0, W, b: _with(x, h0, W, b, {"alpha": "z", "beta": "1 - z"})),
    ("log alpha_t is log z_t: the old state's share is alpha_t = 1 - z_t, and "
     "log(1 - z_t) = -np.logaddexp(0, v) for the gate's pre-activation v",
     lambda x, h0, W, b: _with(x, h0, W, b, {"alpha": "z"})),
    ("log beta_t uses log(1 - z_t): beta_t = z_t * hh_t, so log beta_t = log z_t + log phi(...) "
     "with log z_t = -np.logaddexp(0, -v)",
     lambda x, h0, W, b: _with(x, h0, W, b, {"beta": "1 - z"})),
    ("beta_t has no gate: beta_t = z_t * hh_t, so add log z_t to the candidate's log",
     lambda x, h0, W, b: _with(x, h0, W, b, {"beta": "1"})),
    ("the candidate is sigmoid for every v: phi(v) = v + 1/2 for v >= 0, sigmoid(v) only for v < 0",
     lambda x, h0, W, b: _with(x, h0, W, b, {"cand": _log_sigmoid})),
    ("phi(v) = v + 1/2 for v >= 0: the 1/2 is missing",
     lambda x, h0, W, b: _with(x, h0, W, b, {"cand": _log_phi_no_half})),
    ("log A is one step short: log A_t sums log alpha_k up to and including step t "
     "(np.cumsum(..., axis=1) as it is, not shifted by one)",
     lambda x, h0, W, b: _with(x, h0, W, b, exclusive=True)),
    ("the running log-sum-exp runs over the batch axis: np.logaddexp.accumulate works along "
     "axis 0 unless told otherwise; pass axis=1, the time axis",
     lambda x, h0, W, b: _with(x, h0, W, b, lse_axis=0)),
    ("the running log-sum-exp runs over the units axis: pass axis=1, the time axis",
     lambda x, h0, W, b: _with(x, h0, W, b, lse_axis=2)),
    ("log A sums over the batch axis: take np.cumsum(..., axis=1), over time",
     lambda x, h0, W, b: _with(x, h0, W, b, A_axis=0)),
    ("log A sums over the units axis: take np.cumsum(..., axis=1), over time",
     lambda x, h0, W, b: _with(x, h0, W, b, A_axis=2)),
    ("h0 is ignored: h0 contributes A_t * h_0 to h_t; put log h_0 into the running "
     "log-sum-exp as the term before step 1",
     lambda x, h0, W, b: _with(x, h0, W, b, h0_mode="none")),
    ("h0 is added without decaying: its term is A_t * h_0, which shrinks with t; put log h_0 "
     "into the running log-sum-exp as the term before step 1 (A_0 = 1)",
     lambda x, h0, W, b: _with(x, h0, W, b, h0_mode="no decay")),
    ("h0 skips the first step's alpha_1: h_1 = alpha_1 * h_0 + beta_1, so h0's term is A_t * h_0",
     lambda x, h0, W, b: _with(x, h0, W, b, h0_mode="no alpha_1")),
    ("the states are one step late: hs[:, 0] must be h_1, the state after the first step, "
     "not h_0 (drop the h_0 term's own output, not the last step's)", _one_step_late),
    ("time runs backwards: the states come out in reverse order, hs[:, 0] must be h_1",
     lambda x, h0, W, b: _ref(x, h0, W, b)[:, ::-1]),
    ("the recurrence runs from the last step to the first: the prefix sums must start at t = 1",
     lambda x, h0, W, b: _ref(x[:, ::-1], h0, W, b)[:, ::-1]),
]  # fmt: skip


# --------------------------------------------------------------------------
# NaN and inf: which computation overflowed.
# --------------------------------------------------------------------------


def _plain_closed_form(x, h0, W_x, b):
    """h_t = A_t * (h_0 + cumsum(beta_k / A_k)) without logs: underflows, then overflows."""
    v_z, v_h = _pre(x, W_x, b)
    z = 1 / (1 + np.exp(-v_z))
    A = np.cumprod(1 - z, axis=1)
    return A * (h0[:, None] + np.cumsum(z * np.exp(scan.log_phi(v_h)) / A, axis=1))


def _naive_log_gate(x, h0, W_x, b):
    """log(1 - z_t) as np.log(1 - sigmoid(v)): -inf once the gate saturates."""
    v_z, v_h = _pre(x, W_x, b)
    z = 1 / (1 + np.exp(-v_z))
    return _solve(np.log(1 - z), np.log(z) + scan.log_phi(v_h), h0)


def _first_bad_step(hs):
    bad = np.flatnonzero(~np.isfinite(hs).all(axis=(0, 2)))
    return int(bad[0]) + 1 if len(bad) else None


def _overflow_hint(got, case):
    """Name the computation whose NaN or inf the learner's answer shows."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if got.shape != case.expected.shape or np.isfinite(got).all():
        return None
    bad = ~np.isfinite(got)

    def same_mask(wrong):  # the wrong computation, in the inputs' dtype or in float64
        for args in (case.args, case.args64):
            with np.errstate(all="ignore"):
                out = wrong(*args)
            if not np.isfinite(out).all() and np.array_equal(bad, ~np.isfinite(out)):
                return out
        return None

    plain = same_mask(_plain_closed_form)
    like_naive, like_plain = same_mask(_naive_log_gate) is not None, plain is not None
    v_h = _pre(case.args64[0], case.args64[2], case.args64[3])[1]
    if like_naive:
        return (
            "1 - z_t rounds to 0 where the update gate saturates (1 - sigmoid(v) is 0.0 for "
            "v > 37 in float64), so np.log(1 - z_t) is -inf"
            + (" and 1 / A_t is inf" if like_plain else "")
            + ": compute the log from the pre-activation, log(1 - z_t) = -np.logaddexp(0, v)"
        )
    if like_plain:
        return (
            "the closed form without logs overflows: A_t = cumprod(1 - z_t) underflows to 0 and "
            f"1 / A_t overflows, here from step {_first_bad_step(plain)} on; work with logarithms, "
            "log A_t = np.cumsum(log(1 - z_t), axis=1), and add the terms with "
            "np.logaddexp.accumulate(..., axis=1), taking np.exp only at the end"
        )
    if (v_h < 0).any() and np.isnan(got).any():
        return (
            "a log of a negative number? The log-space form needs beta_t > 0: the candidate "
            "is hh_t = phi(v) (v + 1/2 for v >= 0, sigmoid(v) for v < 0), never v itself"
        )
    return (
        "in log space nothing should overflow: form no product of many alpha_t and no "
        "1 / A_t, and take np.exp only of log h_t at the end"
    )


# --------------------------------------------------------------------------
# Cases.
# --------------------------------------------------------------------------


def _case(rng, batch, time, d, u, *, h0="positive", gate_bias=0.0, scale=1.0, dtype=np.float64):
    x = rng.normal(size=(batch, time, d))
    W_x = scale * rng.normal(size=(d, 2 * u)) / np.sqrt(d)
    b = np.concatenate([gate_bias + 0.5 * rng.normal(size=u), rng.normal(size=u)])
    h_0 = rng.uniform(0.2, 2.0, size=(batch, u)) if h0 == "positive" else np.zeros((batch, u))
    return tuple(a.astype(dtype) for a in (x, h_0, W_x, b))


def _saturated(rng, batch, time, d, u, dtype=np.float64):
    """Update-gate pre-activations near +40 at some steps: 1 - sigmoid(v) rounds to 0."""
    x, h_0, W_x, b = _case(rng, batch, time, d, u, dtype=dtype)
    b = b.copy()
    b[:u] = np.where(np.arange(u) % 2 == 0, 40.0, -3.0)  # every other unit saturated
    return x, h_0, W_x, b.astype(dtype)


def _cases(rng, hidden):
    if not hidden:
        return [
            ("one step (T = 1), h0 = 0: h_1 = beta_1", _case(rng, 2, 1, 3, 4, h0="zero")),
            ("T = 6, h0 = 0", _case(rng, 2, 6, 3, 4, h0="zero")),
            ("T = 6, positive h0", _case(rng, 2, 6, 3, 4)),
            ("batch of 1", _case(rng, 1, 8, 2, 3)),
            ("5 features, 2 units", _case(rng, 3, 7, 5, 2)),
            ("saturated update gate (1 - sigmoid(v) rounds to 0)", _saturated(rng, 2, 10, 3, 4)),
            ("T = 1,000, where the closed form without logs overflows",
             _case(rng, 2, 1000, 3, 4, gate_bias=1.0)),
            ("float32 input, T = 200", _case(rng, 3, 200, 2, 4, gate_bias=1.0, dtype=np.float32)),
        ]  # fmt: skip
    out = []
    for what, extra in [
        ("h0 = 0", {"h0": "zero"}),
        ("positive h0", {}),
        ("positive h0", {}),
        ("long sequence", {"time": int(rng.integers(600, 1300)), "gate_bias": 1.5}),
    ]:
        s = hidden_sizes(rng, time=(2, 12))
        time = extra.pop("time", s["time"])
        dtype = np.float64 if time > 100 else s["dtype"]
        label = f"graded: {what}, batch {s['batch']}, T = {time}, {s['d']} features, "
        label += f"{s['u']} units, {np.dtype(dtype).name}"
        out.append((label, _case(rng, s["batch"], time, s["d"], s["u"], dtype=dtype, **extra)))
    s = hidden_sizes(rng, time=(3, 12))
    out.append(("graded: saturated update gate", _saturated(rng, s["batch"], s["time"], s["d"],
                                                            s["u"])))  # fmt: skip
    return out


MINGRU_LOG_SPACE = Spec(
    signature="mingru_log_space(x, h0, W_x, b)",
    returns="hs",
    reference=_ref,
    cases=_cases,
    mutants=MUTANTS,
    heuristics=(_batch_axis_hint,),
    explain=(_overflow_hint,),
    tip="write the closed form yourself, with np.cumsum and np.logaddexp.accumulate",
    doc="""Check a learner's ``mingru_log_space(x, h0, W_x, b) -> hs``.

    The function should return every state of log-space minGRU (Feng et al.,
    2024), ``h_t = (1 - z_t) * h_{t-1} + z_t * hh_t`` with
    ``z_t = sigmoid(x_t W_x^(z) + b^(z))`` and the positive candidate
    ``hh_t = phi(x_t W_x^(h) + b^(h))``, ``phi(v) = v + 1/2`` for ``v >= 0``
    and ``sigmoid(v)`` for ``v < 0``. ``x`` is `(batch, time, d)`, ``h0``
    `(batch, units)` with entries >= 0, ``W_x`` `(d, 2*units)` with the
    blocks z then h, ``b`` `(2*units,)`; ``hs`` is `(batch, time, units)`,
    ``hs[:, 0]`` being ``h_1``. It is meant to be the closed form in log
    space: ``log A_t`` by a cumulative sum over time and the sum by a running
    log-sum-exp (``np.logaddexp.accumulate``). The sub-checks try one step,
    ``h0 = 0`` and a positive ``h0``, a batch of 1, other sizes, a saturated
    update gate, ``T = 1000`` (where the closed form without logs overflows)
    and float32 inputs. The check compares numbers only: a loop over time
    that gets them right passes too.

    Example:

    >>> import numpy as np
    >>> def my_mingru(x, h0, W_x, b):
    ...     u = h0.shape[1]
    ...     pre = x @ W_x + b
    ...     v = pre[..., u:]
    ...     hh = np.where(v >= 0, v + 0.5, 1 / (1 + np.exp(-v)))
    ...     z = 1 / (1 + np.exp(-pre[..., :u]))
    ...     h, hs = h0, np.empty(pre[..., :u].shape)
    ...     for t in range(x.shape[1]):  # the loop: right numbers, not the exercise's way
    ...         h = hs[:, t] = (1 - z[:, t]) * h + z[:, t] * hh[:, t]
    ...     return hs
    >>> mingru_log_space(my_mingru).passed
    True
    """,
)

SPECS = {"mingru_log_space": MINGRU_LOG_SPACE}
