"""The lstm_step_backward check: learners' wrong answers, the reference against oracles.

Every wrong answer here is written the way a learner might write it, independently
of the known mistakes inside rnnlib/checks/specs/lstm_backward.py. Each must be
rejected on the public cases and on graded cases (``key=97``), most with their
precise hint. The reference is compared with tf.GradientTape on a Keras
``LSTMCell`` in float64 and with central finite differences (rnnlib.gradcheck).
"""

import time

import numpy as np
import pytest

import rnnlib
from rnnlib import checks
from rnnlib.checks._compare import _same
from rnnlib.checks._engine import _Case, rng_for
from rnnlib.checks.specs import lstm_backward

NAME = "lstm_step_backward"
KEYS = ("x_t", "h_prev", "c_prev", "kernel", "recurrent_kernel", "bias")


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def forward(x_t, h_prev, c_prev, params):
    """A learner's forward step, keeping what the backward step needs."""
    a = x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + params["bias"]
    a_i, a_f, a_c, a_o = np.split(a, 4, axis=1)
    i_t, f_t, g_t, o_t = sigmoid(a_i), sigmoid(a_f), np.tanh(a_c), sigmoid(a_o)
    c_t = f_t * c_prev + i_t * g_t
    return i_t, f_t, g_t, o_t, c_t


def grads_from(delta_t, dc_prev, x_t, h_prev, params):
    return {
        "x_t": delta_t @ params["kernel"].T,
        "h_prev": delta_t @ params["recurrent_kernel"].T,
        "c_prev": dc_prev,
        "kernel": x_t.T @ delta_t,
        "recurrent_kernel": h_prev.T @ delta_t,
        "bias": delta_t.sum(axis=0),
    }


def right(dh_t, dc_t, x_t, h_prev, c_prev, params):
    i_t, f_t, g_t, o_t, c_t = forward(x_t, h_prev, c_prev, params)
    tanh_c = np.tanh(c_t)
    do_t = dh_t * tanh_c
    dc = dc_t + dh_t * o_t * (1 - tanh_c**2)
    di_t, df_t, dg_t = dc * g_t, dc * c_prev, dc * i_t
    delta_t = np.concatenate(
        [di_t * i_t * (1 - i_t), df_t * f_t * (1 - f_t), dg_t * (1 - g_t**2),
         do_t * o_t * (1 - o_t)], axis=1,
    )  # fmt: skip
    return grads_from(delta_t, dc * f_t, x_t, h_prev, params)


def learner(
    *,
    tanh_on_c=True,
    h_path=True,
    upstream=True,
    forget_reads=None,
    gate_slope=lambda s: s * (1 - s),
    cand_slope=lambda g: 1 - g**2,
    swap_i_g=False,
    order=(0, 1, 2, 3),
    times_f=True,
    do_reads=None,
):
    """Learner code with one slip; written out here, not taken from rnnlib."""

    def backward(dh_t, dc_t, x_t, h_prev, c_prev, params):
        i_t, f_t, g_t, o_t, c_t = forward(x_t, h_prev, c_prev, params)
        tanh_c = np.tanh(c_t)
        do_t = dh_t * (tanh_c if tanh_on_c else c_t)
        if do_reads is not None:
            do_t = dh_t * do_reads(c_t, c_prev)
        dc = (dc_t if upstream else 0) + (dh_t * o_t * (1 - tanh_c**2) if h_path else 0)
        di_t, dg_t = (dc * i_t, dc * g_t) if swap_i_g else (dc * g_t, dc * i_t)
        df_t = forget_reads(dc, dc_t, c_t, c_prev) if forget_reads else dc * c_prev
        blocks = [
            di_t * gate_slope(i_t),
            df_t * gate_slope(f_t),
            dg_t * cand_slope(g_t),
            do_t * gate_slope(o_t),
        ]
        delta_t = np.concatenate([blocks[k] for k in order], axis=1)
        return grads_from(delta_t, dc * f_t if times_f else dc, x_t, h_prev, params)

    return backward


def dw_h_transposed(*args):
    g = right(*args)
    return {**g, "recurrent_kernel": g["recurrent_kernel"].T}


def dx_through_recurrent_kernel(dh_t, dc_t, x_t, h_prev, c_prev, params):
    g = right(dh_t, dc_t, x_t, h_prev, c_prev, params)
    delta_t = _delta(dh_t, dc_t, x_t, h_prev, c_prev, params)
    return {**g, "x_t": delta_t @ params["recurrent_kernel"].T}


def _delta(dh_t, dc_t, x_t, h_prev, c_prev, params):
    i_t, f_t, g_t, o_t, c_t = forward(x_t, h_prev, c_prev, params)
    tanh_c = np.tanh(c_t)
    dc = dc_t + dh_t * o_t * (1 - tanh_c**2)
    return np.concatenate(
        [dc * g_t * i_t * (1 - i_t), dc * c_prev * f_t * (1 - f_t), dc * i_t * (1 - g_t**2),
         dh_t * tanh_c * o_t * (1 - o_t)], axis=1,
    )  # fmt: skip


def bias_not_summed(*args):
    d = _delta(*args)
    return {**right(*args), "bias": d}


def mean_over_batch(*args):
    return {k: v / args[2].shape[0] for k, v in right(*args).items()}


def sigmoid_of_gate(s):
    return sigmoid(s) * (1 - sigmoid(s))


MUTANTS = [
    ("forget_block_reads_c_t",
     learner(forget_reads=lambda dc, dc_t, c_t, c_prev: dc * c_t),
     "did you use c_t where c_{t-1} belongs?"),
    ("output_gate_without_tanh", learner(tanh_on_c=False), "dL/do_t is dh_t * tanh(c_t)"),
    ("no_path_through_h_t", learner(h_path=False), "dc_t misses the path through h_t"),
    ("upstream_dc_t_ignored", learner(upstream=False), "the upstream dc_t is left out"),
    ("dc_prev_without_f_t", learner(times_f=False), "dL/dc_prev is dc_total * f_t"),
    ("tanh_slope_for_the_gates", learner(gate_slope=lambda s: 1 - s**2),
     "whose derivative is s * (1 - s)"),
    ("sigmoid_slope_for_the_candidate", learner(cand_slope=lambda g: g * (1 - g)),
     "the candidate g_t is a tanh, whose derivative is 1 - g_t**2"),
    ("sigmoid_applied_to_the_gate_again", learner(gate_slope=sigmoid_of_gate),
     "not sigmoid(i_t) * (1 - sigmoid(i_t))"),
    ("input_gate_and_candidate_swapped", learner(swap_i_g=True),
     "the input-gate and candidate blocks are swapped"),
    ("blocks_concatenated_i_f_o_c", learner(order=(0, 1, 3, 2)),
     "the four blocks of delta_t are in the wrong order (yours read as i, f, o, c)"),
    ("dW_h_transposed", dw_h_transposed, "dW_h looks transposed"),
    ("dx_t_through_recurrent_kernel", dx_through_recurrent_kernel,
     "goes back through the kernel"),
    ("bias_gradient_not_summed", bias_not_summed, "must be summed over the batch"),
    ("gradients_averaged_over_the_batch", mean_over_batch, "divided by the batch size"),
    # Slips no known mistake describes: the block-by-block comparison names the gate.
    ("output_gate_reads_tanh_c_prev",
     learner(do_reads=lambda c_t, c_prev: np.tanh(c_prev)),
     "dL/d(output-gate block) is wrong"),
    ("forget_block_without_the_h_path",
     learner(forget_reads=lambda dc, dc_t, c_t, c_prev: dc_t * c_prev),
     "dL/d(forget-gate block) is wrong"),
]  # fmt: skip


@pytest.mark.parametrize(("mutant_id", "fn", "hint"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_mutant_is_rejected_with_its_hint(mutant_id, fn, hint):
    result = checks.run(NAME, fn)
    text = str(result)
    assert not result.passed and result.score < result.max_score, text
    assert hint in text, f"expected the hint {hint!r} in:\n{text}"
    graded = checks.run(NAME, fn, key=97)
    assert not graded.passed, f"the graded cases accept mutant {mutant_id}:\n{graded}"


def test_most_mutants_get_a_precise_hint():
    assert len(MUTANTS) >= 8
    assert all(hint for _, _, hint in MUTANTS)


def test_a_right_learner_solution_passes_public_and_graded_cases():
    for key in (None, 97, 2026):
        result = checks.run(NAME, right, key=key)
        assert result.passed and result.score == result.max_score == 8, str(result)


@pytest.mark.parametrize("fn", [right, learner(do_reads=lambda c_t, c_prev: np.tanh(c_prev))])
def test_one_check_is_fast_on_a_right_and_on_an_unexplained_wrong_answer(fn):
    checks.run(NAME, fn)  # warm up
    start = time.perf_counter()
    result = checks.run(NAME, fn, key=97)
    assert time.perf_counter() - start < 1.0
    for message in result.messages:  # at most one number of the reference per line
        assert message.count("expected") <= 1, message


def test_the_graded_cases_differ_from_the_public_ones_in_more_than_the_seed():
    spec = checks.SPECS[NAME]
    public = spec.cases(rng_for(0, 1), False)
    graded = spec.cases(rng_for(97, 2), True)
    assert len(graded) >= 6
    shapes = {tuple(a.shape for a in args[:5]) for _, args in public}
    assert any(tuple(a.shape for a in args[:5]) not in shapes for _, args in graded)
    assert all("," in label for label, _ in graded)  # sizes in the label


def test_the_spec_mistakes_all_differ_from_the_reference():
    spec = checks.SPECS[NAME]
    cases = [_Case(label, args, spec) for label, args in spec.cases(rng_for(0, 3), False)]
    for case in cases:  # the right learner loop of the spec is the reference
        assert _same(lstm_backward._by_hand()(*case.args64), case.expected, case.tol)
    for hint, _ in spec.mutants:
        assert any(
            output is None or not _same(output, case.expected, case.tol)
            for case in cases
            for h, output in case.mutant_outputs()
            if h == hint
        ), hint


# --------------------------------------------------------------------------
# Bad learner code: a kind message, never an exception.
# --------------------------------------------------------------------------


def returns_none(dh_t, dc_t, x_t, h_prev, c_prev, params):
    grads = right(dh_t, dc_t, x_t, h_prev, c_prev, params)  # noqa: F841 - no return


def stub(dh_t, dc_t, x_t, h_prev, c_prev, params):
    raise NotImplementedError


def raises(dh_t, dc_t, x_t, h_prev, c_prev, params):
    delta_t = np.zeros((x_t.shape[0], 4 * h_prev.shape[1]))
    return {"x_t": delta_t @ params["kernel"]}  # kernel not transposed


def returns_a_tuple(*args):
    return tuple(right(*args).values())


def keys_named_after_the_gradients(*args):
    names = {"x_t": "dx_t", "h_prev": "dh_prev", "c_prev": "dc_prev", "kernel": "dW_x",
             "recurrent_kernel": "dW_h", "bias": "db"}  # fmt: skip
    return {names[k]: v for k, v in right(*args).items()}


def changes_dh_t_in_place(dh_t, dc_t, x_t, h_prev, c_prev, params):
    g = right(dh_t, dc_t, x_t, h_prev, c_prev, params)
    dh_t *= 0
    return g


def shortcut(dh_t, dc_t, x_t, h_prev, c_prev, params):
    g = rnnlib.backward(
        "lstm", x_t[:, None], params, dh_t[:, None],
        initial_state=(h_prev, c_prev), d_cs=dc_t[:, None],
    )  # fmt: skip
    return {**right(dh_t, dc_t, x_t, h_prev, c_prev, params), "kernel": g["kernel"]}


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (None, ""),
        (returns_none, "returned None"),
        (stub, "is not written yet"),
        (raises, "The shapes that fit"),
        (returns_a_tuple, "return a dict with the keys 'x_t', 'h_prev'"),
        (keys_named_after_the_gradients, "use 'x_t', not 'dx_t'"),
        (changes_dh_t_in_place, "changed dh_t in place"),
        (shortcut, "this calls rnnlib.backward (rnnlib's own reference), so it earns no marks"),
    ],
    ids=["None", "returns_none", "stub", "raises", "tuple", "key_names", "in_place", "shortcut"],
)
def test_bad_code_gets_a_kind_message(fn, message):
    for key in (None, 97):
        result = checks.run(NAME, fn, key=key)
        assert not result.passed
        assert message in str(result), str(result)
        if fn in (None, returns_none, stub, shortcut):
            assert result.score == 0


def test_block_hints_name_only_the_wrong_gate():
    # only the candidate block is wrong: the hint names it and says the others are right
    text = str(checks.run(NAME, learner(cand_slope=lambda g: 1 - g)))
    assert "dL/d(candidate block) is wrong (the i, f, o blocks are right)" in text


# --------------------------------------------------------------------------
# The reference against independent oracles.
# --------------------------------------------------------------------------


def _inputs(batch=3, d=2, u=4, seed=5):
    rng = np.random.default_rng(seed)
    params = {
        "kernel": rng.normal(scale=0.5, size=(d, 4 * u)),
        "recurrent_kernel": rng.normal(scale=0.5, size=(u, 4 * u)),
        "bias": rng.normal(scale=0.5, size=4 * u),
    }
    dh_t, dc_t = rng.normal(size=(batch, u)), rng.normal(size=(batch, u))
    x_t, h_prev, c_prev = (rng.normal(size=(batch, d)), rng.uniform(-0.9, 0.9, (batch, u)),
                           rng.normal(size=(batch, u)))  # fmt: skip
    return dh_t, dc_t, x_t, h_prev, c_prev, params


@pytest.mark.parametrize("sizes", [(3, 2, 4), (1, 5, 3), (2, 3, 3)])
def test_reference_matches_finite_differences(sizes):
    dh_t, dc_t, x_t, h_prev, c_prev, params = _inputs(*sizes)
    got = lstm_backward._ref(dh_t, dc_t, x_t, h_prev, c_prev, params)
    point = {"x_t": x_t, "h_prev": h_prev, "c_prev": c_prev, **params}

    def loss(p):
        weights = {k: p[k] for k in ("kernel", "recurrent_kernel", "bias")}
        h_t, c_t = rnnlib.lstm_step(p["x_t"], p["h_prev"], p["c_prev"], weights)
        return np.sum(dh_t * h_t) + np.sum(dc_t * c_t)

    result = rnnlib.gradcheck(loss, point, got, tol=1e-6)
    assert result.passed, str(result)
    assert result.n_checked == sum(v.size for v in point.values())


def test_the_right_learner_solution_matches_finite_differences_too():
    args = _inputs(2, 3, 2, seed=11)
    got = right(*args)
    want = lstm_backward._ref(*args)
    for key in KEYS:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-10, atol=1e-12, err_msg=key)


@pytest.mark.keras
@pytest.mark.parametrize("sizes", [(3, 2, 4), (1, 4, 3)])
def test_reference_matches_gradient_tape_on_a_keras_lstm_cell(float64, sizes):
    import tensorflow as tf

    keras = float64
    dh_t, dc_t, x_t, h_prev, c_prev, params = _inputs(*sizes, seed=3)
    cell = keras.layers.LSTMCell(h_prev.shape[1], dtype="float64")
    cell.build((None, x_t.shape[1]))
    cell.set_weights([params["kernel"], params["recurrent_kernel"], params["bias"]])
    inputs = [tf.constant(a) for a in (x_t, h_prev, c_prev)]
    weights = [cell.kernel, cell.recurrent_kernel, cell.bias]
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        _, (h_t, c_t) = cell(inputs[0], [inputs[1], inputs[2]])
        loss = tf.reduce_sum(dh_t * h_t) + tf.reduce_sum(dc_t * c_t)
    want = dict(zip(KEYS, tape.gradient(loss, inputs + weights), strict=True))
    got = lstm_backward._ref(dh_t, dc_t, x_t, h_prev, c_prev, params)
    for key in KEYS:
        np.testing.assert_allclose(got[key], np.asarray(want[key]), rtol=1e-9, atol=1e-12,
                                   err_msg=key)  # fmt: skip
