"""gru_from_pytorch: PyTorch's GRU state dict into Keras's GRU(reset_after=True) weights.

The wrong answers are written here the way a learner might write them, not
imported from the spec; each must be rejected on the public and the graded
cases, most with their precise hint. PyTorch's cell is written here again from
its documentation (torch.nn.GRU), and a real Keras GRU proves the conversion.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from rnnlib import checks, forward
from rnnlib.checks.specs import pytorch as spec


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def zrn(a):
    """PyTorch's row blocks r, z, n -> Keras's z, r, h (= PyTorch's z, r, n)."""
    r, z, n = np.split(a, 3, axis=0)
    return np.concatenate([z, r, n], axis=0)


def good(sd):
    kernel = zrn(sd["weight_ih_l0"]).T
    recurrent_kernel = zrn(sd["weight_hh_l0"]).T
    bias = np.stack([zrn(sd["bias_ih_l0"]), zrn(sd["bias_hh_l0"])])
    return [kernel, recurrent_kernel, bias]


def pytorch_gru(x, h0, sd):
    """torch.nn.GRU's documented equations, batch-first, in numpy."""
    W_ih, W_hh, b_ih, b_hh = (sd[k] for k in spec.KEYS)
    u = W_hh.shape[1]
    h, out = h0, []
    for t in range(x.shape[1]):
        gi = x[:, t] @ W_ih.T + b_ih  # (batch, 3u): r, z, n
        gh = h @ W_hh.T + b_hh
        r = sigmoid(gi[:, :u] + gh[:, :u])
        z = sigmoid(gi[:, u : 2 * u] + gh[:, u : 2 * u])
        n = np.tanh(gi[:, 2 * u :] + r * gh[:, 2 * u :])
        h = (1 - z) * n + z * h
        out.append(h)
    return np.stack(out, axis=1)


def state_dict(seed, d, u, dtype=np.float64):
    rng = np.random.default_rng(seed)
    shapes = {"weight_ih_l0": (3 * u, d), "weight_hh_l0": (3 * u, u)}
    shapes |= {"bias_ih_l0": (3 * u,), "bias_hh_l0": (3 * u,)}
    return {k: rng.uniform(-0.8, 0.8, size=s).astype(dtype) for k, s in shapes.items()}


# ==========================================================================
# Wrong answers, as a learner would write them.
# ==========================================================================


def untransposed(sd):
    return [zrn(sd["weight_ih_l0"]), zrn(sd["weight_hh_l0"]),
            np.stack([zrn(sd["bias_ih_l0"]), zrn(sd["bias_hh_l0"])])]  # fmt: skip


def pytorch_order(sd):
    W_ih, W_hh = sd["weight_ih_l0"].T, sd["weight_hh_l0"].T
    return [W_ih, W_hh, np.stack([sd["bias_ih_l0"], sd["bias_hh_l0"]])]


def z_n_r_order(sd):
    def reorder(a):  # "z first, then the candidate": z, n, r
        r, z, n = np.split(a, 3, axis=0)
        return np.concatenate([z, n, r], axis=0)

    return [reorder(sd["weight_ih_l0"]).T, reorder(sd["weight_hh_l0"]).T,
            np.stack([reorder(sd["bias_ih_l0"]), reorder(sd["bias_hh_l0"])])]  # fmt: skip


def biases_summed_in_row0(sd):
    kernel, recurrent, _ = good(sd)
    b = zrn(sd["bias_ih_l0"] + sd["bias_hh_l0"])
    return [kernel, recurrent, np.stack([b, np.zeros_like(b)])]


def bias_rows_swapped(sd):
    kernel, recurrent, bias = good(sd)
    return [kernel, recurrent, bias[::-1]]


def z_for_one_minus_z(sd):
    def flip(a):  # "PyTorch's z is Keras's 1 - z": negate the z rows
        r, z, n = np.split(a, 3, axis=0)
        return np.concatenate([-z, r, n], axis=0)

    return [flip(sd["weight_ih_l0"]).T, flip(sd["weight_hh_l0"]).T,
            np.stack([flip(sd["bias_ih_l0"]), flip(sd["bias_hh_l0"])])]  # fmt: skip


def recurrent_transposed_only(sd):
    kernel, recurrent, bias = good(sd)
    return [kernel.T, recurrent, bias]


def reset_before_layout(sd):
    kernel, recurrent, _ = good(sd)
    return [kernel, recurrent, zrn(sd["bias_ih_l0"] + sd["bias_hh_l0"])]


def reshaped(sd):
    d, u = sd["weight_ih_l0"].shape[1], sd["weight_hh_l0"].shape[1]
    kernel = zrn(sd["weight_ih_l0"]).reshape(d, 3 * u)
    recurrent = zrn(sd["weight_hh_l0"]).reshape(u, 3 * u)
    return [kernel, recurrent, good(sd)[2]]


def no_recurrent_bias(sd):
    kernel, recurrent, bias = good(sd)
    return [kernel, recurrent, np.stack([bias[0], np.zeros_like(bias[0])])]


def biases_not_reordered(sd):
    kernel, recurrent, _ = good(sd)
    return [kernel, recurrent, np.stack([sd["bias_ih_l0"], sd["bias_hh_l0"]])]


def z_r_biases_moved(sd):
    kernel, recurrent, bias = good(sd)
    u = recurrent.shape[0]
    bias = bias.copy()
    bias[0, : 2 * u] += bias[1, : 2 * u]
    bias[1, : 2 * u] = 0.0
    return [kernel, recurrent, bias]


def weights_swapped(sd):
    kernel, recurrent, bias = good(sd)
    if kernel.shape == recurrent.shape:
        return [recurrent, kernel, bias]
    return [zrn(sd["weight_hh_l0"]).T, zrn(sd["weight_ih_l0"]).T, bias]


def as_a_dict(sd):
    return dict(zip(("kernel", "recurrent_kernel", "bias"), good(sd), strict=True))


def changes_its_input(sd):
    sd["weight_ih_l0"] *= 1.0  # harmless, but then the real mistake
    sd["bias_hh_l0"][:] = 0.0
    return good(sd)


MUTANTS = [
    ("untransposed", untransposed, "kernel looks transposed"),
    ("pytorch order r, z, n", pytorch_order, "still in PyTorch's order r, z, n"),
    ("order z, n, r", z_n_r_order, "come out as PyTorch's z, n, r"),
    ("biases summed into bias[0]", biases_summed_in_row0, "both biases are summed into bias[0]"),
    ("bias rows swapped", bias_rows_swapped, "the two bias rows are swapped"),
    ("z taken for 1 - z", z_for_one_minus_z, "z is taken for 1 - z"),
    ("recurrent transposed only", recurrent_transposed_only, "kernel looks transposed"),
    ("reset_after=False layout", reset_before_layout, "the layout of GRU(reset_after=False)"),
    ("reshape, not transpose", reshaped, "reshape is not a transpose"),
    ("no recurrent bias", no_recurrent_bias, "bias_hh_l0 is missing"),
    ("biases not reordered", biases_not_reordered, "the biases are still in PyTorch's order"),
    ("z and r biases moved", z_r_biases_moved, "these weights give PyTorch's outputs"),
    ("weights swapped", weights_swapped, None),
    ("a dict", as_a_dict, "returned a dict"),
    ("changes its input", changes_its_input, None),
]


@pytest.mark.parametrize(("mutant_id", "fn", "hint"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_mutant_is_rejected_with_its_hint(mutant_id, fn, hint):
    public = checks.gru_from_pytorch(fn)
    assert not public.passed, f"{mutant_id} passed:\n{public}"
    if hint is not None:
        assert hint in str(public), f"expected {hint!r} in:\n{public}"
    graded = checks.run("gru_from_pytorch", fn, key=97)
    assert not graded.passed, f"{mutant_id} passed the graded cases:\n{graded}"


def test_enough_independent_mutants_with_hints():
    assert len(MUTANTS) >= 8
    assert sum(hint is not None for *_, hint in MUTANTS) >= 10


# ==========================================================================
# The right answer, shortcuts and bad code.
# ==========================================================================


def test_a_right_answer_passes_quickly():
    checks.gru_from_pytorch(good)  # warm up
    start = time.perf_counter()
    result = checks.gru_from_pytorch(good)
    elapsed = time.perf_counter() - start
    assert result.passed, str(result)
    assert result.max_score == 8
    assert elapsed < 1.0
    assert checks.run("gru_from_pytorch", good, key=97).passed


def test_a_tuple_and_float64_from_float32_pass():
    def as_tuple(sd):
        return tuple(np.asarray(w, dtype=np.float64) for w in good(sd))

    assert checks.gru_from_pytorch(as_tuple).passed


def test_the_graded_cases_differ_from_the_public_ones():
    public = [line for line in checks.gru_from_pytorch(good).messages]
    graded = [line for line in checks.run("gru_from_pytorch", good, key=97).messages]
    assert public != graded
    assert any("float32" in line for line in graded)


def test_calling_the_reference_scores_zero():
    def shortcut(sd):
        return list(spec._ref(sd))

    result = checks.gru_from_pytorch(shortcut)
    assert result.score == 0
    assert "rnnlib's own reference" in str(result)


def forgets_to_return(sd):
    kernel = zrn(sd["weight_ih_l0"]).T  # noqa: F841 - the learner forgot the return


def raises(sd):
    return np.stack([sd["weight_ih_l0"], sd["weight_hh_l0"]])  # shapes that do not stack


def stub(sd):
    raise NotImplementedError


@pytest.mark.parametrize(
    ("fn", "text"),
    [
        (forgets_to_return, "returned None"),
        (None, "gru_from_pytorch"),
        (stub, "not written yet"),
        (lambda sd: sd["weight_ih"], "'weight_ih_l0', 'weight_hh_l0'"),
        (raises, "ValueError"),
    ],
    ids=["None", "no function", "stub", "key error", "exception"],
)
def test_bad_code_gets_a_kind_message(fn, text):
    result = checks.gru_from_pytorch(fn)
    assert result.score == 0
    assert text in str(result), str(result)


# ==========================================================================
# Oracles: PyTorch's equations, Keras's equations and a real Keras GRU.
# ==========================================================================


@pytest.mark.parametrize(("d", "u"), [(3, 3), (5, 2), (2, 1)])
def test_converted_weights_give_pytorchs_outputs_in_keras_equations(d, u):
    sd = state_dict(d * 10 + u, d, u)
    rng = np.random.default_rng(1)
    x, h0 = rng.normal(size=(2, 7, d)), rng.uniform(-0.9, 0.9, size=(2, u))
    kernel, recurrent, bias = spec._ref(sd)
    params = {"kernel": kernel, "recurrent_kernel": recurrent, "bias": bias}
    ours = forward("gru", x, params, initial_state=h0)
    np.testing.assert_allclose(ours, pytorch_gru(x, h0, sd), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(
        spec.torch_gru_forward(x, h0, sd), pytorch_gru(x, h0, sd), atol=1e-13
    )


@pytest.mark.keras
@pytest.mark.parametrize(("d", "u", "batch"), [(3, 3, 2), (5, 2, 1), (2, 4, 3)])
def test_a_keras_gru_with_the_converted_weights_is_pytorchs_cell(keras, d, u, batch):
    sd = state_dict(d * 10 + u, d, u)
    layer = keras.layers.GRU(u, reset_after=True, return_sequences=True, dtype="float64")
    layer.build((None, None, d))
    layer.set_weights(list(spec._ref(sd)))
    x = np.random.default_rng(2).normal(size=(batch, 6, d))
    h0 = np.random.default_rng(3).uniform(-0.9, 0.9, size=(batch, u))
    keras_out = np.asarray(layer(x, initial_state=[h0]))
    np.testing.assert_allclose(keras_out, pytorch_gru(x, h0, sd), rtol=1e-10, atol=1e-12)
    # and a wrong answer the check rejects is wrong in Keras too
    layer.set_weights(pytorch_order(sd))
    wrong = np.asarray(layer(x, initial_state=[h0]))
    assert np.abs(wrong - pytorch_gru(x, h0, sd)).max() > 1e-3


@pytest.mark.keras
def test_float32_state_dict_in_a_float32_keras_gru(keras):
    sd = state_dict(7, 4, 3, dtype=np.float32)
    layer = keras.layers.GRU(3, reset_after=True, return_sequences=True, dtype="float32")
    layer.build((None, None, 4))
    layer.set_weights(good(sd))
    x = np.random.default_rng(4).normal(size=(2, 5, 4)).astype(np.float32)
    keras_out = np.asarray(layer(x))
    want = pytorch_gru(
        x.astype(np.float64), np.zeros((2, 3)), {k: v.astype(float) for k, v in sd.items()}
    )
    np.testing.assert_allclose(keras_out, want, rtol=1e-4, atol=1e-5)
