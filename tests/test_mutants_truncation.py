"""rnn_backward_chunked (ex02b): truncated BPTT chunk by chunk, its mistakes and its oracles.

Every wrong answer below is written here the way a learner might write it,
independently of the hint mutants in rnnlib/checks/specs/truncation.py; each
must be rejected on the public and on graded cases, most with their hint. The
reference is checked against finite differences of a loss whose chunk-start
states are held fixed, and against tf.GradientTape with ``stop_gradient`` on
the state at every chunk boundary.
"""

import numpy as np
import pytest

import rnnlib
from rnnlib import checks

NAME = "rnn_backward_chunked"


def learner(mistake=None):
    """A learner's rnn_backward_chunked, right unless ``mistake`` names one slip."""

    def rnn_backward_chunked(x, h0, W_x, W_h, b, d_hs, K):
        T = x.shape[1]
        size = K + 1 if mistake == "K+1" else K
        dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
        dh0 = np.zeros_like(h0)
        h = h0
        n_chunks = 0
        starts = list(range(0, T, size))
        for start in starts:
            stop = min(start + size, T)
            if mistake == "drop short" and stop - start < size:
                break
            if mistake == "reset":
                h = h0
            h_first = h
            hs = []
            for t in range(start, stop):
                h = np.tanh(x[:, t] @ W_x + h @ W_h + b)
                hs.append(h)
            h_prevs = [h_first, *hs[:-1]]
            n_chunks += 1
            dh_next = np.zeros_like(h0)
            for i in reversed(range(stop - start)):
                t = start + i
                upstream = d_hs[:, t]
                if mistake == "last of chunk" and i != stop - start - 1:
                    upstream = 0 * upstream
                dh_t = upstream + dh_next
                slope = 1.0 if mistake == "no tanh derivative" else 1 - hs[i] ** 2
                delta_t = dh_t * slope
                dW_x = dW_x + x[:, t].T @ delta_t
                dW_h = dW_h + h_prevs[i].T @ delta_t
                db = db + delta_t.sum(axis=0)
                dh_next = delta_t @ (W_h if mistake == "W_h untransposed" else W_h.T)
                if mistake == "dh0 is delta" and t == 0:
                    dh0 = delta_t
            if mistake == "dh0 every chunk":
                dh0 = dh0 + dh_next
            elif mistake == "dh0 last chunk" or (start == 0 and mistake != "dh0 is delta"):
                dh0 = dh_next
        if mistake == "mean":
            dW_x, dW_h, db = dW_x / n_chunks, dW_h / n_chunks, db / n_chunks
        grads = {"W_x": dW_x, "W_h": dW_h, "b": db, "h0": dh0}
        if mistake == "extra key":
            grads["x"] = np.zeros_like(x)
        return grads

    return rnn_backward_chunked


def full_bptt(x, h0, W_x, W_h, b, d_hs, K):
    """No truncation: the gradient crosses every chunk boundary (K is ignored)."""
    return learner()(x, h0, W_x, W_h, b, d_hs, x.shape[1])


def sliding_window(x, h0, W_x, W_h, b, d_hs, K):
    """Each loss's gradient flows back at most K steps (a window, not fixed chunks)."""
    T = x.shape[1]
    hs, h = [], h0
    for t in range(T):
        h = np.tanh(x[:, t] @ W_x + h @ W_h + b)
        hs.append(h)
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
    dh0 = np.zeros_like(h0)
    for s in range(T):  # the loss at step s
        dh = d_hs[:, s]
        for t in range(s, max(-1, s - K), -1):
            delta_t = dh * (1 - hs[t] ** 2)
            h_prev = hs[t - 1] if t else h0
            dW_x = dW_x + x[:, t].T @ delta_t
            dW_h = dW_h + h_prev.T @ delta_t
            db = db + delta_t.sum(axis=0)
            dh = delta_t @ W_h.T
            if t == 0:
                dh0 = dh0 + dh
    return {"W_x": dW_x, "W_h": dW_h, "b": db, "h0": dh0}


MUTANTS = [
    ("state reset", learner("reset"), "the forward pass starts every chunk from h0"),
    ("full BPTT", full_bptt, "this is full BPTT"),
    ("short chunk dropped", learner("drop short"), "the last, shorter chunk is left out"),
    ("chunks of K + 1", learner("K+1"), "the chunks have K + 1 steps"),
    ("dh0 over every chunk", learner("dh0 every chunk"), "dh0 adds up every chunk's gradient"),
    ("dh0 of the last chunk", learner("dh0 last chunk"), "dh0 comes from the last chunk"),
    ("mean over chunks", learner("mean"), "the gradients are averaged over the chunks"),
    ("d_hs of the chunk's last step", learner("last of chunk"), "only the last step of each"),
    ("sliding window", sliding_window, "this is a sliding window"),
    ("no tanh derivative", learner("no tanh derivative"), "the tanh derivative is missing"),
    ("W_h untransposed", learner("W_h untransposed"), "through the transposed W_h"),
    ("dh0 = delta_t", learner("dh0 is delta"), "dh0 is the gradient that flows out"),
    ("an extra key", learner("extra key"), "the dict has a key 'x' that is not asked for"),
]


@pytest.mark.parametrize(("mutant_id", "fn", "hint"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_mutant_is_rejected_with_its_hint(mutant_id, fn, hint):
    public = checks.rnn_backward_chunked(fn)
    assert not public.passed, f"{mutant_id} passed:\n{public}"
    assert hint in str(public), f"expected {hint!r} in:\n{public}"
    graded = checks.run(NAME, fn, key=97)
    assert not graded.passed, f"{mutant_id} passed the graded cases:\n{graded}"


def test_a_right_solution_passes_public_and_graded_cases():
    assert checks.rnn_backward_chunked(learner()).passed
    assert checks.run(NAME, learner(), key=97).passed
    assert checks.run(NAME, learner(), key=2026).passed


def test_the_sub_checks_isolate_the_cases_the_exercise_names():
    text = str(checks.rnn_backward_chunked(learner()))
    for part in ("same as full BPTT", "K = 1", "K divides", "short last chunk",
                 "last step only", "batch of 1", "float32"):  # fmt: skip
        assert part in text


def test_graded_cases_differ_from_the_public_ones():
    public = str(checks.rnn_backward_chunked(learner())).splitlines()[1:-1]
    graded = str(checks.run(NAME, learner(), key=97)).splitlines()[1:-1]
    assert public and graded and not set(public) & set(graded)


def test_calling_rnnlib_scores_zero():
    def shortcut(x, h0, W_x, W_h, b, d_hs, K):
        p = {"kernel": W_x, "recurrent_kernel": W_h, "bias": b}
        g = rnnlib.backward("simple_rnn", x, p, d_hs, initial_state=h0)
        return {"W_x": g["kernel"], "W_h": g["recurrent_kernel"], "b": g["bias"],
                "h0": g["initial_state"]}  # fmt: skip

    result = checks.rnn_backward_chunked(shortcut)
    assert result.score == 0 and "rnnlib's own reference" in str(result)


def test_bad_code_gets_a_kind_message():
    def stub(x, h0, W_x, W_h, b, d_hs, K):
        raise NotImplementedError

    def nothing(x, h0, W_x, W_h, b, d_hs, K):
        grads = {"W_x": 0 * W_x}  # noqa: F841 - a learner who forgot the return
        return None

    def broken(x, h0, W_x, W_h, b, d_hs, K):
        return x[:, 0] @ W_h  # a shape error

    assert "not written yet" in str(checks.rnn_backward_chunked(stub))
    assert "returned None" in str(checks.rnn_backward_chunked(nothing))
    text = str(checks.rnn_backward_chunked(broken))
    assert "dW_x += x_t.T @ delta_t" in text, text
    assert checks.rnn_backward_chunked(None).score == 0


def test_rnn_backward_names_an_extra_key():
    def with_inputs(x, h0, W_x, W_h, b, d_hs):
        g = learner()(x, h0, W_x, W_h, b, d_hs, x.shape[1])
        return {**g, "x": 0 * x}

    result = checks.rnn_backward(with_inputs)
    assert not result.passed
    assert "the dict has a key 'x' that is not asked for" in str(result)
    assert checks.rnn_backward(lambda *a: learner()(*a, a[0].shape[1])).passed


# --------------------------------------------------------------------------
# The reference against oracles.
# --------------------------------------------------------------------------


def problem(seed, batch=2, time=7, d=3, u=4):
    rng = np.random.default_rng(seed)
    W_x, W_h = rng.normal(scale=0.6, size=(d, u)), rng.normal(scale=0.6, size=(u, u))
    b = rng.normal(scale=0.3, size=u)
    x = rng.normal(size=(batch, time, d))
    h0 = rng.uniform(-0.9, 0.9, size=(batch, u))
    d_hs = rng.normal(size=(batch, time, u))
    return x, h0, W_x, W_h, b, d_hs


def reference(*args):
    return checks.SPECS[NAME].reference(*args)


@pytest.mark.parametrize("K", [1, 2, 3, 7, 9])
def test_reference_matches_finite_differences_with_fixed_chunk_states(K):
    """Truncated BPTT is the exact gradient of a loss whose chunk-start states are constants."""
    x, h0, W_x, W_h, b, d_hs = problem(K)
    T = x.shape[1]
    starts = list(range(0, T, K))
    hs = rnnlib.forward("simple_rnn", x, {"kernel": W_x, "recurrent_kernel": W_h, "bias": b},
                        initial_state=h0)  # fmt: skip
    fixed = [hs[:, s - 1] for s in starts[1:]]  # the states entering chunks 2, 3, ...

    def loss(q):
        cell = {"kernel": q["W_x"], "recurrent_kernel": q["W_h"], "bias": q["b"]}
        total = 0.0
        for i, s in enumerate(starts):
            h_start = q["h0"] if i == 0 else fixed[i - 1]
            part = rnnlib.forward("simple_rnn", x[:, s : s + K], cell, initial_state=h_start)
            total += np.sum(d_hs[:, s : s + K] * part)
        return total

    q = {"W_x": W_x, "W_h": W_h, "b": b, "h0": h0}
    result = rnnlib.gradcheck(loss, q, reference(x, h0, W_x, W_h, b, d_hs, K))
    assert result.passed, result


def test_reference_with_one_chunk_is_full_bptt():
    x, h0, W_x, W_h, b, d_hs = problem(5)
    full = checks.SPECS["rnn_backward"].reference(x, h0, W_x, W_h, b, d_hs)
    chunked = reference(x, h0, W_x, W_h, b, d_hs, 20)
    for key in full:
        np.testing.assert_allclose(chunked[key], full[key], rtol=1e-12, atol=1e-12)


@pytest.mark.keras
@pytest.mark.parametrize("K", [1, 3, 4])
def test_reference_matches_gradient_tape_with_stop_gradient(keras, K):
    import tensorflow as tf
    from keras import ops

    x, h0, W_x, W_h, b, d_hs = problem(10 + K, batch=3, time=8)
    v = {k: tf.Variable(a) for k, a in {"W_x": W_x, "W_h": W_h, "b": b, "h0": h0}.items()}
    with tf.GradientTape() as tape:
        h, total = v["h0"], 0.0
        for t in range(x.shape[1]):
            if t and t % K == 0:
                h = ops.stop_gradient(h)  # a chunk boundary: the state goes on, no gradient
            h = ops.tanh(x[:, t] @ v["W_x"] + h @ v["W_h"] + v["b"])
            total = total + ops.sum(d_hs[:, t] * h)
    tape_grads = tape.gradient(total, v)
    ours = reference(x, h0, W_x, W_h, b, d_hs, K)
    for key, g in tape_grads.items():
        np.testing.assert_allclose(ours[key], g.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.keras
def test_backward_input_grads_match_gradient_tape(keras):
    import tensorflow as tf

    x, h0, W_x, W_h, b, d_hs = problem(3)
    xv = tf.Variable(x)
    with tf.GradientTape() as tape:
        h, total = tf.constant(h0), 0.0
        for t in range(x.shape[1]):
            h = tf.tanh(xv[:, t] @ W_x + h @ W_h + b)
            total = total + tf.reduce_sum(d_hs[:, t] * h)
    want = tape.gradient(total, xv).numpy()
    p = {"kernel": W_x, "recurrent_kernel": W_h, "bias": b}
    got = rnnlib.backward("simple_rnn", x, p, d_hs, initial_state=h0, input_grads=True)
    np.testing.assert_allclose(got["inputs"], want, rtol=1e-10, atol=1e-12)
