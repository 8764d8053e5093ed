"""gru_gates (chapter 6's exercise): every z_t, r_t and h_t of a GRU over a sequence.

The wrong answers are written here the way a learner might write them, not
imported from the spec; each must be rejected on the public and the graded
cases, most with their precise hint. A numpy loop written here and a real
Keras GRU are the oracles.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

import rnnlib
from rnnlib import checks, gates


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def make_gru_gates(
    *,
    update="keras",
    start="h0",
    carry=True,
    order="zr",
    keys="zr",
    record_h="h_t",
    biases=(1, 1),
    reset="after",
    gate=sigmoid,
    candidate=np.tanh,
    stack_axis=1,
):
    """A learner's gru_gates with one mistake switched on; the defaults are right."""

    def gru_gates(x, h0, params):
        W_x, W_h = params["kernel"], params["recurrent_kernel"]
        b_in, b_rec = params["bias"][0] * biases[0], params["bias"][1] * biases[1]
        u = W_h.shape[0]
        h = h0 if start == "h0" else np.zeros_like(h0)
        zs, rs, hs = [], [], []
        for t in range(x.shape[1]):
            h_prev = h if carry else h0
            xw = x[:, t] @ W_x + b_in
            hw = h_prev @ W_h + b_rec
            first, second = sigmoid if gate is sigmoid else gate, gate
            a_z, a_r = xw[:, :u] + hw[:, :u], xw[:, u : 2 * u] + hw[:, u : 2 * u]
            if order == "rz":
                a_z, a_r = a_r, a_z
            z, r = first(a_z), second(a_r)
            if reset == "after":
                hh = candidate(xw[:, 2 * u :] + r * hw[:, 2 * u :])
            elif reset == "before":
                hh = candidate(xw[:, 2 * u :] + b_rec[2 * u :] + (r * h_prev) @ W_h[:, 2 * u :])
            else:  # the recurrent bias outside the reset gate
                hh = candidate(xw[:, 2 * u :] + r * (h_prev @ W_h[:, 2 * u :]) + b_rec[2 * u :])
            if update == "keras":
                h = z * h_prev + (1 - z) * hh
            else:
                h = (1 - z) * h_prev + z * hh
            zs.append(z)
            rs.append(r)
            hs.append({"h_t": h, "hh_t": hh, "h_prev": h_prev}[record_h])
        record = {"z": np.stack(zs, stack_axis), "r": np.stack(rs, stack_axis)}
        record["h"] = np.stack(hs, stack_axis)
        if keys == "rz":
            record["z"], record["r"] = record["r"], record["z"]
        return record

    return gru_gates


good = make_gru_gates()


def only_last_state(x, h0, params):
    record = good(x, h0, params)
    return {**record, "h": record["h"][:, -1]}


def gates_with_tanh(x, h0, params):
    return make_gru_gates(gate=np.tanh)(x, h0, params)


def returns_a_tuple(x, h0, params):
    record = good(x, h0, params)
    return record["z"], record["r"], record["h"]


MUTANTS = [
    ("update the other way round", make_gru_gates(update="blog"), "the update is the wrong way"),
    ("h0 ignored", make_gru_gates(start="zeros"), "h0 is ignored"),
    ("restarts from h0", make_gru_gates(carry=False), "every step restarts from h0"),
    ("z and r blocks swapped", make_gru_gates(order="rz"), "the z and r gate blocks are swapped"),
    ("z and r keys swapped", make_gru_gates(keys="rz"), "the keys are swapped"),
    ("h holds the candidate", make_gru_gates(record_h="hh_t"), "'h' holds the candidate"),
    ("h holds h_prev", make_gru_gates(record_h="h_prev"), "'h' holds the state before"),
    ("no recurrent bias", make_gru_gates(biases=(1, 0)), "the recurrent bias b_rec"),
    ("no input bias", make_gru_gates(biases=(0, 1)), "the input bias b_in"),
    ("reset before the product", make_gru_gates(reset="before"), "the reset gate acts after"),
    ("bias outside the reset", make_gru_gates(reset="outside"), "goes inside the reset gate"),
    ("tanh gates", gates_with_tanh, "use sigmoid, not tanh"),
    ("sigmoid candidate", make_gru_gates(candidate=sigmoid), "uses tanh, not sigmoid"),
    ("time-major", make_gru_gates(stack_axis=0), "time-major"),
    ("last state only", only_last_state, None),
    ("a tuple", returns_a_tuple, "returned a tuple"),
]


@pytest.mark.parametrize(("mutant_id", "fn", "hint"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_mutant_is_rejected_with_its_hint(mutant_id, fn, hint):
    public = checks.gru_gates(fn)
    assert not public.passed, f"{mutant_id} passed:\n{public}"
    if hint is not None:
        assert hint in str(public), f"expected {hint!r} in:\n{public}"
    graded = checks.run("gru_gates", fn, key=97)
    assert not graded.passed, f"{mutant_id} passed the graded cases:\n{graded}"


def test_enough_independent_mutants_with_hints():
    assert len(MUTANTS) >= 8
    assert sum(hint is not None for *_, hint in MUTANTS) >= 10


# ==========================================================================
# The right answer, shortcuts and bad code.
# ==========================================================================


def test_a_right_answer_passes_quickly():
    checks.gru_gates(good)  # warm up
    start = time.perf_counter()
    result = checks.gru_gates(good)
    elapsed = time.perf_counter() - start
    assert result.passed, str(result)
    assert result.max_score == 8
    assert elapsed < 1.0
    assert checks.run("gru_gates", good, key=97).passed


def test_extra_keys_are_allowed():
    def with_candidate(x, h0, params):
        return {**good(x, h0, params), "hh": np.zeros(1)}

    assert checks.gru_gates(with_candidate).passed


def test_the_graded_cases_differ_from_the_public_ones():
    public = checks.gru_gates(good).messages
    graded = checks.run("gru_gates", good, key=97).messages
    assert public != graded
    assert any("float32" in line for line in graded)


@pytest.mark.parametrize(
    "shortcut",
    [
        lambda x, h0, params: gates.gru_gates(x, params, initial_state=h0),
        lambda x, h0, params: {
            "z": 0 * x[..., :1],
            "r": 0 * x[..., :1],
            "h": rnnlib.forward("gru", x, params, initial_state=h0),
        },
    ],
    ids=["rnnlib.gates.gru_gates", "rnnlib.forward"],
)
def test_calling_the_reference_scores_zero(shortcut):
    result = checks.gru_gates(shortcut)
    assert result.score == 0
    assert "rnnlib's own reference" in str(result)


def forgets_to_return(x, h0, params):
    record = good(x, h0, params)  # noqa: F841 - the learner forgot the return


def stub(x, h0, params):
    raise NotImplementedError


def changes_h0(x, h0, params):
    h0 *= 0.5  # in place
    return good(x, h0, params)


@pytest.mark.parametrize(
    ("fn", "text"),
    [
        (forgets_to_return, "returned None"),
        (None, "gru_gates"),
        (stub, "not written yet"),
        (lambda x, h0, params: good(x, h0, params["weights"]), "params has the keys"),
        (changes_h0, "changed h0 in place"),
    ],
    ids=["None", "no function", "stub", "key error", "in place"],
)
def test_bad_code_gets_a_kind_message(fn, text):
    result = checks.gru_gates(fn)
    assert not result.passed
    assert text in str(result), str(result)


# ==========================================================================
# Oracles: the reference against a loop written here, rnnlib.forward and Keras.
# ==========================================================================


def params_for(seed, d, u):
    return rnnlib.init_params("gru", units=u, input_dim=d, seed=seed)


@pytest.mark.parametrize(("batch", "time_steps", "d", "u"), [(2, 5, 3, 4), (1, 1, 2, 1)])
def test_the_reference_is_the_gru_equations(batch, time_steps, d, u):
    params = params_for(batch + d, d, u)
    rng = np.random.default_rng(0)
    params["bias"] = rng.normal(size=params["bias"].shape)  # non-zero biases
    x, h0 = rng.normal(size=(batch, time_steps, d)), rng.uniform(-0.9, 0.9, size=(batch, u))
    ref = gates.gru_gates(x, params, initial_state=h0)
    mine = good(x, h0, params)
    for key in ("z", "r", "h"):
        np.testing.assert_allclose(ref[key], mine[key], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(
        ref["h"], rnnlib.forward("gru", x, params, initial_state=h0), atol=1e-14
    )
    # the recorded gates reproduce the update h_t = z_t h_(t-1) + (1 - z_t) hh_t
    h_prev = np.concatenate([h0[:, None], ref["h"][:, :-1]], axis=1)
    np.testing.assert_allclose(ref["h"], ref["z"] * h_prev + (1 - ref["z"]) * ref["hh"], atol=1e-14)


@pytest.mark.keras
def test_a_keras_gru_gives_the_recorded_states(float64, make_layer):
    layer = make_layer("gru", 4, 3, reset_after=True)
    params = rnnlib.keras_params(layer)
    rng = np.random.default_rng(5)
    x, h0 = rng.normal(size=(3, 6, 3)), rng.uniform(-0.9, 0.9, size=(3, 4))
    keras_hs = np.asarray(layer(x, initial_state=[h0]))
    record = gates.gru_gates(x, params, initial_state=h0)
    np.testing.assert_allclose(record["h"], keras_hs, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(good(x, h0, params)["h"], keras_hs, rtol=1e-10, atol=1e-12)


@pytest.mark.keras
def test_keras_confirms_the_recorded_update_gate(float64, make_layer):
    """z_t from Keras itself: a GRU whose candidate is forced to 0 gives h_t = z_t * h_prev."""
    layer = make_layer("gru", 3, 2, reset_after=True, seed=3)
    params = rnnlib.keras_params(layer)
    kernel, recurrent, bias = layer.get_weights()
    kernel[:, 6:], recurrent[:, 6:] = 0.0, 0.0
    bias[:, 6:] = 0.0  # candidate tanh(0) = 0
    layer.set_weights([kernel, recurrent, bias])
    rng = np.random.default_rng(6)
    x, h0 = rng.normal(size=(2, 1, 2)), rng.uniform(0.2, 0.9, size=(2, 3))
    z_keras = np.asarray(layer(x, initial_state=[h0]))[:, 0] / h0
    params = rnnlib.keras_params(layer)
    record = good(x, h0, params)
    np.testing.assert_allclose(record["z"][:, 0], z_keras, rtol=1e-10)
    np.testing.assert_allclose(gates.gru_gates(x, params, initial_state=h0)["z"][:, 0], z_keras)
