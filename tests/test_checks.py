"""rnnlib.checks: the report object, right answers pass, and nothing a learner does makes it crash.

Wrong-but-plausible implementations and their hints are in test_checks_mutants.py.
"""

import functools
import inspect
import linecache
import re
import signal
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest

import rnnlib
from rnnlib import checks
from rnnlib.checks import CheckResult

SEEDS = [0, 1, 2024]


# ==========================================================================
# Right answers, written as a learner would (no call into rnnlib).
# ==========================================================================


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def my_rnn_step(x_t, h_prev, W_x, W_h, b):
    return np.tanh(x_t @ W_x + h_prev @ W_h + b)


def my_rnn_forward(x, h0, W_x, W_h, b):
    batch, time_steps, _ = x.shape
    hs = np.zeros((batch, time_steps, W_h.shape[0]), dtype=x.dtype)
    h = h0
    for t in range(time_steps):
        h = my_rnn_step(x[:, t, :], h, W_x, W_h, b)
        hs[:, t, :] = h
    return hs


def my_rnn_backward(x, h0, W_x, W_h, b, d_hs):
    hs = my_rnn_forward(x, h0, W_x, W_h, b)
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        da = (d_hs[:, t] + dh_next) * (1 - hs[:, t] ** 2)
        dW_x += x[:, t].T @ da
        dW_h += h_prev.T @ da
        db += da.sum(axis=0)
        dh_next = da @ W_h.T
    return {"W_x": dW_x, "W_h": dW_h, "b": db, "h0": dh_next}


def my_lstm_step(x_t, h_prev, c_prev, params):
    units = h_prev.shape[1]
    a = x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + params["bias"]
    i = sigmoid(a[:, :units])
    f = sigmoid(a[:, units : 2 * units])
    g = np.tanh(a[:, 2 * units : 3 * units])
    o = sigmoid(a[:, 3 * units :])
    c_t = f * c_prev + i * g
    return o * np.tanh(c_t), c_t


def my_gru_step(x_t, h_prev, params):
    units = h_prev.shape[1]
    W, U, bias = params["kernel"], params["recurrent_kernel"], params["bias"]
    if params["reset_after"]:
        b_x, b_h = bias[0], bias[1]
    else:
        b_x, b_h = bias, np.zeros_like(bias)
    xw = x_t @ W + b_x
    z = sigmoid(xw[:, :units] + h_prev @ U[:, :units] + b_h[:units])
    r = sigmoid(
        xw[:, units : 2 * units] + h_prev @ U[:, units : 2 * units] + b_h[units : 2 * units]
    )
    if params["reset_after"]:
        hh = np.tanh(xw[:, 2 * units :] + r * (h_prev @ U[:, 2 * units :] + b_h[2 * units :]))
    else:
        hh = np.tanh(xw[:, 2 * units :] + (r * h_prev) @ U[:, 2 * units :])
    return z * h_prev + (1 - z) * hh


REFERENCES = {
    "rnn_step": my_rnn_step,
    "rnn_forward": my_rnn_forward,
    "rnn_backward": my_rnn_backward,
    "lstm_step": my_lstm_step,
    "gru_step": my_gru_step,
}
CHECK_NAMES = list(REFERENCES)


def run(check_name, fn, **kwargs):
    return getattr(checks, check_name)(fn, **kwargs)


@pytest.mark.parametrize("key", [None, 7, 2026])
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("check_name", CHECK_NAMES)
def test_right_answers_pass_every_check(check_name, seed, key):
    result = checks.run(check_name, REFERENCES[check_name], seed=seed, key=key)
    assert result.passed, str(result)
    assert result and result.score == result.max_score == len(result.messages)
    assert all(message.startswith("✓") for message in result.messages)
    result.assert_passed()


def test_each_check_has_the_sub_checks_asked_for():
    labels = {name: " | ".join(run(name, REFERENCES[name]).messages) for name in CHECK_NAMES}
    for name in ("rnn_step", "lstm_step", "gru_step"):
        assert "bias only (x_t = 0, h_prev = 0)" in labels[name]
    assert "input term only" in labels["rnn_step"]
    assert "recurrent term only" in labels["rnn_step"]
    for name in CHECK_NAMES:
        for label in ("batch of 1", "float32 input", "input size != units", "keeps its inputs"):
            assert label in labels[name], (name, label)
    for name in ("rnn_forward", "rnn_backward"):
        assert "one time step (time = 1)" in labels[name]
    assert "reset_after=True" in labels["gru_step"] and "reset_after=False" in labels["gru_step"]


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_step_checks_one_variant_when_asked(reset_after):
    result = checks.gru_step(my_gru_step, reset_after=reset_after)
    assert result.passed and result.max_score == 6
    assert all(f"reset_after={not reset_after}" not in m for m in result.messages)


def test_gru_that_ignores_reset_after_fails_only_the_other_variant():
    def always_reset_after(x_t, h_prev, params):
        return my_gru_step(x_t, h_prev, {**params, "reset_after": True})

    result = checks.gru_step(always_reset_after, reset_after=True)
    assert result.passed
    result = checks.gru_step(always_reset_after)
    assert not result.passed and 5 <= result.score < result.max_score


# ==========================================================================
# Shortcuts: handing the work to rnnlib's own reference earns nothing.
# ==========================================================================


def _rnn_params(W_x, W_h, b):
    return {"kernel": W_x, "recurrent_kernel": W_h, "bias": b}


def shortcut_private_helper(x_t, h_prev, W_x, W_h, b):
    from rnnlib.cells import _rnn_recurrence as step

    return step(x_t @ W_x + b, h_prev, W_h)


def shortcut_through_forward(x_t, h_prev, W_x, W_h, b):
    params = _rnn_params(W_x, W_h, b)
    return rnnlib.forward("simple_rnn", x_t[:, None], params, initial_state=h_prev)[:, 0]


def shortcut_backward(x, h0, W_x, W_h, b, d_hs):
    g = rnnlib.backward("simple_rnn", x, _rnn_params(W_x, W_h, b), d_hs, initial_state=h0)
    return {
        "W_x": g["kernel"],
        "W_h": g["recurrent_kernel"],
        "b": g["bias"],
        "h0": g["initial_state"],
    }


def shortcut_clip(grads, max_norm):
    from rnnlib.checks.specs import clipping

    return clipping._clip(grads, max_norm)


SHORTCUTS = [
    ("rnn_step", rnnlib.rnn_step, "rnnlib.rnn_step"),
    ("rnn_step", lambda *a: rnnlib.rnn_step(*a), "rnnlib.rnn_step"),
    ("rnn_step", functools.partial(rnnlib.cells.rnn_step), "rnnlib.rnn_step"),
    ("rnn_step", shortcut_private_helper, "rnnlib.cells._rnn_recurrence"),
    ("rnn_step", shortcut_through_forward, "rnnlib.forward"),
    (
        "rnn_forward",
        lambda x, h0, W_x, W_h, b: rnnlib.forward("simple_rnn", x, _rnn_params(W_x, W_h, b),
                                                  initial_state=h0),
        "rnnlib.forward",
    ),
    ("rnn_backward", shortcut_backward, "rnnlib.backward"),
    ("lstm_step", rnnlib.lstm_step, "rnnlib.lstm_step"),
    ("gru_step", lambda *a: rnnlib.gru_step(*a), "rnnlib.gru_step"),
    ("clip_by_global_norm", shortcut_clip, "the checks' own reference"),
    ("make_windows", rnnlib.data.make_windows, "rnnlib.data.make_windows"),
]  # fmt: skip


@pytest.mark.parametrize(("check_name", "fn", "called"), SHORTCUTS)
def test_a_function_that_calls_the_reference_earns_nothing(check_name, fn, called):
    for key in (None, 5):
        result = checks.run(check_name, fn, key=key)
        assert result.score == 0 and result.max_score > 1, str(result)
        assert len(result.messages) == 1
        assert f"this calls {called} (rnnlib's own reference), so it earns no marks" in str(result)
    assert sys.getprofile() is None


def test_the_exercise_may_call_what_its_spec_allows():
    def forward_on_rnnlib_steps(x, h0, W_x, W_h, b):
        h, hs = h0, []
        for t in range(x.shape[1]):
            h = rnnlib.rnn_step(x[:, t], h, W_x, W_h, b)
            hs.append(h)
        return np.stack(hs, axis=1)

    assert checks.rnn_forward(forward_on_rnnlib_steps).passed
    assert not checks.rnn_step(rnnlib.rnn_step).passed


def test_a_profiler_already_running_is_given_back():
    def profiler(frame, event, arg):
        return None

    sys.setprofile(profiler)
    try:
        checks.rnn_step(my_rnn_step)
        assert sys.getprofile() is profiler
    finally:
        sys.setprofile(None)


# ==========================================================================
# float32
# ==========================================================================


def float32_rnn_step(x_t, h_prev, W_x, W_h, b):
    """Computes in the inputs' dtype, so float32 stays float32 (with float32 rounding)."""
    return np.tanh(x_t @ W_x + h_prev @ W_h + b)


def float64_rnn_step(x_t, h_prev, W_x, W_h, b):
    x_t, h_prev, W_x, W_h, b = (np.asarray(a, dtype=np.float64) for a in (x_t, h_prev, W_x, W_h, b))
    return np.tanh(x_t @ W_x + h_prev @ W_h + b)


def float32_lstm_step(x_t, h_prev, c_prev, params):
    h_t, c_t = my_lstm_step(x_t, h_prev, c_prev, params)
    return h_t.astype(x_t.dtype), c_t.astype(x_t.dtype)


@pytest.mark.parametrize(
    ("check_name", "fn"),
    [
        ("rnn_step", float32_rnn_step),
        ("rnn_step", float64_rnn_step),
        ("lstm_step", float32_lstm_step),
    ],
)
def test_float32_answers_within_float32_rounding_pass(check_name, fn):
    result = run(check_name, fn)
    assert result.passed, str(result)


def test_float32_case_really_gets_float32_inputs():
    seen = []

    def spy(x_t, h_prev, W_x, W_h, b):
        seen.append((x_t.dtype, W_x.dtype))
        return my_rnn_step(x_t, h_prev, W_x, W_h, b)

    assert checks.rnn_step(spy)
    assert (np.float32, np.float32) in seen and (np.float64, np.float64) in seen


def test_float32_rounding_error_bigger_than_float32_fails():
    def sloppy(x_t, h_prev, W_x, W_h, b):
        return my_rnn_step(x_t, h_prev, W_x, W_h, b) * (1 + 1e-3)

    result = checks.rnn_step(sloppy)
    assert not result.passed


# ==========================================================================
# CheckResult
# ==========================================================================


def demo_result():
    result = CheckResult("demo", max_score=3)
    result.add("shape", True)
    result.add("values", False, "h_t is wrong at [0, 1]: expected 0.5, got 0.7 <b>")
    return result


def test_check_result_scores_and_truthiness():
    result = demo_result()
    assert not result and result.passed is False
    assert (result.score, result.max_score) == (1, 3)
    assert result.messages == [
        "✓ shape",
        "✗ values: h_t is wrong at [0, 1]: expected 0.5, got 0.7 <b>",
    ]
    full = CheckResult("ok").add("a", True).add("b", True)
    assert full and full.passed and (full.score, full.max_score) == (2, 2)
    assert not CheckResult("empty"), "a check with no sub-checks has not passed"


def test_check_result_plain_text():
    text = str(demo_result())
    assert text.splitlines() == [
        "demo: 1/3 checks passed",
        "  ✓ shape",
        "  ✗ values: h_t is wrong at [0, 1]: expected 0.5, got 0.7 <b>",
    ]
    assert repr(demo_result()) == text


def test_check_result_html_is_compact_and_escaped():
    result = demo_result()
    result.add("inputs", False, "changed `h_prev` in place")
    page = result._repr_html_()
    assert "demo: 1/3 checks passed" in page
    assert page.count("<li>") == 3
    assert "#1a7f37" in page and "#cf222e" in page  # green and red marks
    assert "&lt;b&gt;" in page and "<b>" not in page
    assert "<code>h_prev</code>" in page
    assert "Traceback" not in page


def test_assert_passed():
    with pytest.raises(AssertionError) as info:
        demo_result().assert_passed()
    assert str(info.value) == str(demo_result())
    ok = CheckResult("ok").add("a", True)
    assert ok.assert_passed() is ok


def test_assert_passed_shows_the_hint_to_the_learner():
    def no_bias(x_t, h_prev, W_x, W_h, b):
        return np.tanh(x_t @ W_x + h_prev @ W_h)

    with pytest.raises(AssertionError, match="the bias b is left out") as info:
        checks.rnn_step(no_bias).assert_passed()
    assert str(info.value).startswith("rnn_step: 3/8 checks passed")


# ==========================================================================
# Unwritten functions: score 0, one readable line, no crash.
# ==========================================================================


def stub_ellipsis(*args): ...


def stub_pass(*args):
    pass


def stub_docstring(*args):
    """Compute one step. YOUR CODE HERE"""


def stub_not_implemented(*args):
    raise NotImplementedError


def stub_none_placeholder(*args):
    result = None  # YOUR CODE HERE
    return result


def stub_ellipsis_placeholder(*args):
    result = ...
    return result


def stub_pair_placeholder(*args):
    h_t, c_t = None, None
    return h_t, c_t


def stub_dict_placeholder(*args):
    return {"W_x": None, "W_h": None, "b": None, "h0": None}


STUBS = {
    "not_defined": (None, "is not defined yet"),
    "ellipsis_value": (..., "is not defined yet"),
    "not_callable": (np.zeros(3), "should be a function"),
    "empty_body": (stub_ellipsis, "is not written yet"),
    "pass_body": (stub_pass, "is not written yet"),
    "docstring_only": (stub_docstring, "is not written yet"),
    "lambda_none": (lambda *args: None, "is not written yet"),
    "not_implemented": (stub_not_implemented, "replace `raise NotImplementedError`"),
    "none_placeholder": (stub_none_placeholder, "returned None"),
    "ellipsis_placeholder": (stub_ellipsis_placeholder, "replace each `...` placeholder"),
}


@pytest.mark.parametrize("check_name", CHECK_NAMES)
@pytest.mark.parametrize("stub", list(STUBS))
def test_unwritten_function_scores_zero_with_one_readable_line(check_name, stub):
    fn, text = STUBS[stub]
    result = run(check_name, fn)
    assert not result and result.score == 0 and result.max_score > 1
    assert len(result.messages) == 1
    assert text in result.messages[0]
    if stub in ("not_defined", "empty_body"):
        assert check_name in result.messages[0]


def test_placeholders_in_a_pair_or_dict_are_recognised():
    result = checks.lstm_step(stub_pair_placeholder)
    assert result.messages == [
        "✗ returned (None, None): replace the placeholders with your code, then `return h_t, c_t`"
    ]
    result = checks.rnn_backward(stub_dict_placeholder)
    assert len(result.messages) == 1 and "still placeholders" in result.messages[0]


# ==========================================================================
# Exceptions in the learner's code: type, message and the learner's own line.
# ==========================================================================


def step_with_index_error(x_t, h_prev, W_x, W_h, b):
    a = x_t @ W_x + h_prev @ W_h
    return np.tanh(a + b[7])


def helper_that_fails(a):
    return a.reshape(-1, 1000)


def step_with_failing_helper(x_t, h_prev, W_x, W_h, b):
    return helper_that_fails(np.tanh(x_t @ W_x + h_prev @ W_h + b))


def step_calling_rnnlib_wrongly(x_t, h_prev, W_x, W_h, b):
    return np.tanh(x_t @ rnnlib.init_params("gru", units=0, input_dim=1, seed=0)["kernel"])


def line_of(fn, text):
    lines, first = inspect.getsourcelines(fn)
    return first + next(i for i, line in enumerate(lines) if text in line)


def test_exception_shows_type_message_and_the_learners_line():
    result = checks.rnn_step(step_with_index_error)
    assert not result and result.score == 0
    first = result.messages[0]
    line = line_of(step_with_index_error, "b[7]")
    assert "raised IndexError: index 7 is out of bounds" in first
    assert f"in step_with_index_error, line {line}: `return np.tanh(a + b[7])`" in first
    assert "same problem as above" in result.messages[1]
    assert "not checked, since the function never returned" in result.messages[-1]
    text = str(result)
    assert "Traceback" not in text and 'File "' not in text and "checks.py" not in text


def test_exception_in_a_helper_shows_the_helpers_line():
    result = checks.rnn_step(step_with_failing_helper)
    line = line_of(helper_that_fails, "reshape")
    assert f"in helper_that_fails, line {line}: `return a.reshape(-1, 1000)`" in str(result)


def test_exception_inside_rnnlib_points_at_the_learners_call():
    result = checks.rnn_step(step_calling_rnnlib_wrongly)
    text = str(result)
    assert "raised ValueError" in text
    assert '`return np.tanh(x_t @ rnnlib.init_params("gru", units=0, input_dim=1, seed=0)' in text
    assert "_validate" not in text and "params.py" not in text


def test_exception_in_notebook_code_shows_the_cell_line():
    """IPython compiles a cell as a file like /tmp/ipykernel_1/2.py and caches its source."""
    source = (
        "import numpy as np\n"
        "def rnn_step(x_t, h_prev, W_x, W_h, b):\n"
        "    a_t = x_t @ W_x + h_prev @ W_h\n"
        "    return np.tanh(a_t + b.T[5])\n"
    )
    filename = "/tmp/ipykernel_4242/1234567.py"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {}
    try:
        exec(compile(source, filename, "exec"), namespace)
        result = checks.rnn_step(namespace["rnn_step"])
    finally:
        del linecache.cache[filename]
    assert "(in rnn_step, line 4: `return np.tanh(a_t + b.T[5])`)" in result.messages[0]
    assert "ipykernel" not in str(result)


def test_exceptions_that_are_not_errors_are_caught_too():
    def calls_exit(*args):
        sys.exit(1)

    result = checks.rnn_step(calls_exit)
    assert not result and "raised SystemExit" in str(result)


def test_forward_built_on_an_unwritten_step_says_so():
    def unwritten_step(x_t, h_prev, W_x, W_h, b): ...

    def stacks(x, h0, W_x, W_h, b):
        h, hs = h0, []
        for t in range(x.shape[1]):
            h = unwritten_step(x[:, t], h, W_x, W_h, b)
            hs.append(h)
        return np.stack(hs, axis=1)

    def fills(x, h0, W_x, W_h, b):
        hs = np.zeros((*x.shape[:2], h0.shape[1]))
        for t in range(x.shape[1]):
            hs[:, t] = unwritten_step(x[:, t], h0, W_x, W_h, b)
        return hs

    assert "`h` is None at that point" in str(checks.rnn_forward(stacks))
    assert "None stored into the array" in str(checks.rnn_forward(fills))


def test_name_error_gets_a_hint():
    def uses_undefined(x_t, h_prev, W_x, W_h, b):
        return np.tanh(x_t @ W_x + h_prev @ W_h + bias)  # noqa: F821

    result = checks.rnn_step(uses_undefined)
    assert "raised NameError: name 'bias' is not defined" in str(result)
    assert "Run the cells above first" in str(result)


def test_shape_mismatch_in_a_matmul_gets_a_short_message_and_hint():
    def left_multiplies(x_t, h_prev, W_x, W_h, b):
        return np.tanh(W_x @ x_t + h_prev @ W_h + b)

    text = str(checks.rnn_step(left_multiplies))
    assert "raised ValueError: matmul: the shapes do not fit" in text
    assert "gufunc" not in text
    assert "Weights multiply from the right" in text


# ==========================================================================
# Wrong kinds of answers.
# ==========================================================================


def test_none_on_a_later_case_fails_that_sub_check():
    def none_for_batch_of_one(x_t, h_prev, W_x, W_h, b):
        if x_t.shape[0] == 1:
            return None
        return my_rnn_step(x_t, h_prev, W_x, W_h, b)

    result = checks.rnn_step(none_for_batch_of_one)
    assert result.score == result.max_score - 1
    assert "✗ batch of 1: returned None: did you forget `return h_t`?" in result.messages


def test_a_list_with_the_right_numbers_fails_with_advice():
    def returns_list(x_t, h_prev, W_x, W_h, b):
        return [list(row) for row in my_rnn_step(x_t, h_prev, W_x, W_h, b)]

    result = checks.rnn_step(returns_list)
    assert result.score == 0  # keeping the inputs unchanged earns nothing on its own
    assert "returned a list, not a numpy array: its numbers are right" in result.messages[0]
    assert "np.stack(...)" in result.messages[0]


def as_matrix(*args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return np.asmatrix(my_rnn_step(*args))


@pytest.mark.parametrize(
    ("fn", "text"),
    [
        (lambda *args: "h_t", "returned a str, not a numpy array of shape (2, 3)"),
        (lambda *args: 0.5, "returned a single number"),
        (lambda *args: {"h_t": 1}, "returned a dict"),
        (lambda *args: np.array([["a"] * 3] * 2), "an array of dtype <U1"),
        (as_matrix, "np.matrix"),
    ],
    ids=["str", "float", "dict", "strings", "matrix"],
)
def test_other_wrong_types_are_named(fn, text):
    result = checks.rnn_step(fn)
    assert not result and text in result.messages[0]


def test_wrong_shape_names_both_shapes_and_spots_a_transpose():
    def transposed(x_t, h_prev, W_x, W_h, b):
        return my_rnn_step(x_t, h_prev, W_x, W_h, b).T

    result = checks.rnn_step(transposed)
    first = result.messages[0]
    assert "h_t has shape (3, 2), expected (2, 3)" in first
    assert "looks transposed" in first


@pytest.mark.parametrize(("bad", "word"), [(np.nan, "NaN"), (np.inf, "inf")])
def test_nan_and_inf_are_reported_with_their_place(bad, word):
    def poisoned(x_t, h_prev, W_x, W_h, b):
        h_t = my_rnn_step(x_t, h_prev, W_x, W_h, b)
        h_t[0, 1] = bad
        return h_t

    result = checks.rnn_step(poisoned)
    assert not result and result.score == 0
    assert f"h_t contains {word} at [0, 1]" in result.messages[0]


def test_nan_in_a_gradient_is_reported():
    def nan_grads(*args):
        grads = my_rnn_backward(*args)
        grads["W_h"] = grads["W_h"] / 0.0 * 0.0
        return grads

    text = str(checks.rnn_backward(nan_grads))
    assert "dW_h is wrong (dW_x, db and dh0 are right): dW_h contains NaN" in text


def test_backward_wrong_value_type_for_one_key():
    def list_grad(*args):
        grads = my_rnn_backward(*args)
        grads["b"] = list(grads["b"])
        return grads

    text = str(checks.rnn_backward(list_grad))
    assert "db is a list, not a numpy array" in text


def test_lstm_returning_one_array_or_three_values():
    def stacked(*args):
        return np.stack(my_lstm_step(*args))

    def three(*args):
        return (*my_lstm_step(*args), None)

    assert "returned one array: return the pair of states" in str(checks.lstm_step(stacked))
    assert "returned 3 values" in str(checks.lstm_step(three))


def test_lstm_list_pair_is_accepted():
    assert checks.lstm_step(lambda *args: list(my_lstm_step(*args)))


# ==========================================================================
# Inputs changed in place.
# ==========================================================================


def test_changing_an_input_in_place_fails_only_that_sub_check():
    def adds_in_place(x_t, h_prev, W_x, W_h, b):
        h_prev += 0.0
        x_t *= 2.0
        return my_rnn_step(x_t / 2.0, h_prev, W_x, W_h, b)

    result = checks.rnn_step(adds_in_place)
    assert result.score == result.max_score - 1
    assert result.messages[-1].startswith("✗ keeps its inputs unchanged: your function changed x_t")


def test_changing_the_params_dict_is_caught():
    def pops_bias(x_t, h_prev, c_prev, params):
        answer = my_lstm_step(x_t, h_prev, c_prev, params)
        params.pop("bias")
        return answer

    def scales_kernel(x_t, h_prev, c_prev, params):
        answer = my_lstm_step(x_t, h_prev, c_prev, params)
        params["kernel"] *= 2
        return answer

    assert "changed params (its keys) in place" in str(checks.lstm_step(pops_bias))
    assert "changed params['kernel'] in place" in str(checks.lstm_step(scales_kernel))


def test_the_learner_cannot_change_the_reference_answer():
    """The learner gets copies: changing them must not make a later case pass or fail."""

    def zeroes_everything(x_t, h_prev, W_x, W_h, b):
        answer = my_rnn_step(x_t, h_prev, W_x, W_h, b)
        for array in (x_t, h_prev, W_x, W_h, b):
            array[...] = 0
        return answer

    result = checks.rnn_step(zeroes_everything)
    assert result.score == result.max_score - 1


# ==========================================================================
# Time limit.
# ==========================================================================


def endless(*args):
    while True:
        pass


def stubborn(*args):
    while True:
        try:
            time.sleep(0.01)
        except Exception:  # noqa: BLE001, S110 - what a learner might write
            pass


@pytest.mark.parametrize("fn", [endless, stubborn], ids=["endless", "catches_exception"])
@pytest.mark.parametrize("check_name", CHECK_NAMES)
def test_endless_loop_stops_at_the_time_limit(check_name, fn):
    handler = signal.getsignal(signal.SIGALRM)
    start = time.perf_counter()
    result = run(check_name, fn, time_limit=0.2)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0
    assert not result and result.score == 0
    assert "did not finish within 0.2 s: an infinite loop?" in result.messages[0]
    assert len(result.messages) == 1
    assert signal.getsignal(signal.SIGALRM) is handler
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_timer_already_running_is_given_back():
    signal.signal(signal.SIGALRM, lambda *args: None)
    try:
        signal.setitimer(signal.ITIMER_REAL, 100.0)
        checks.rnn_step(endless, time_limit=0.1)
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 98 < left <= 100
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)


def test_checks_run_outside_the_main_thread_without_a_limit():
    results = []
    thread = threading.Thread(target=lambda: results.append(checks.rnn_step(my_rnn_step)))
    thread.start()
    thread.join(timeout=10)
    assert results and results[0].passed


def test_a_slow_but_finishing_function_passes():
    def slow(*args):
        time.sleep(0.02)
        return my_rnn_step(*args)

    assert checks.rnn_step(slow, time_limit=1.0)


# ==========================================================================
# The report reveals at most a few numbers of the reference.
# ==========================================================================

FLOAT = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")
EXPECTED = re.compile(r"expected (-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)")


def wrong_answers():
    def zeros_like_state(*args):
        return np.zeros_like(args[1])

    def doubled_forward(*args):
        return 2 * my_rnn_forward(*args)

    def grads_times_three(*args):
        return {key: 3 * value for key, value in my_rnn_backward(*args).items()}

    def lstm_noise(x_t, h_prev, c_prev, params):
        h_t, c_t = my_lstm_step(x_t, h_prev, c_prev, params)
        return h_t + 0.1, c_t - 0.1

    def gru_offset(*args):
        return my_gru_step(*args) + 0.05

    return {
        "rnn_step": zeros_like_state,
        "rnn_forward": doubled_forward,
        "rnn_backward": grads_times_three,
        "lstm_step": lstm_noise,
        "gru_step": gru_offset,
    }


@pytest.mark.parametrize("check_name", CHECK_NAMES)
def test_report_shows_at_most_three_numbers_of_the_reference_per_line(check_name):
    result = run(check_name, wrong_answers()[check_name])
    assert not result
    for message in result.messages:
        assert len(EXPECTED.findall(message)) <= 3, message
        assert len(FLOAT.findall(message)) <= 6, message
    assert len(EXPECTED.findall(str(result))) <= 3 * len(result.messages)


# ==========================================================================
# Speed: each check well under a second, on right and on wrong answers.
# ==========================================================================


def test_each_check_finishes_in_under_a_second(capsys):
    timings = []
    for check_name in CHECK_NAMES:
        for kind, fn in (
            ("right", REFERENCES[check_name]),
            ("wrong", wrong_answers()[check_name]),
        ):
            start = time.perf_counter()
            run(check_name, fn)
            timings.append((check_name, kind, time.perf_counter() - start))
    with capsys.disabled():
        print("\n" + "\n".join(f"{n:<14}{k:<7}{t * 1000:7.1f} ms" for n, k, t in timings))
    slow = [(n, k, t) for n, k, t in timings if t >= 1.0]
    assert not slow, slow


def test_importing_checks_does_not_import_tensorflow():
    code = (
        "import sys, rnnlib.checks; "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ==========================================================================
# build_model
# ==========================================================================

GRU64 = {
    "input_shape": (10, 1),
    "layers": ["GRU", "Dense"],
    "output_shape": (None, 1),
    "params": 12929,
}


@pytest.fixture
def gru64(keras):
    def build_model():
        return keras.Sequential(
            [keras.Input(shape=(10, 1)), keras.layers.GRU(64), keras.layers.Dense(1)]
        )

    return build_model


@pytest.mark.keras
def test_build_model_accepts_the_right_model_and_function(keras, gru64):
    result = checks.build_model(gru64, input_shape=(10, 1), layers=["GRU", "Dense"],
                                output_shape=(None, 1), params=12929)  # fmt: skip
    assert result.passed, str(result)
    assert result.messages == [
        "✓ input shape (None, 10, 1)",
        "✓ layers GRU, Dense",
        "✓ output shape (None, 1)",
        "✓ 12,929 parameters",
    ]
    assert checks.build_model(gru64(), **GRU64)


@pytest.mark.keras
def test_build_model_spec_with_classes_settings_and_no_batch_axis(keras, gru64):
    spec = {
        "input_shape": (10, 1),
        "layers": [("GRU", {"units": 64, "reset_after": True}), keras.layers.Dense],
        "output_shape": (1,),
    }
    result = checks.build_model(gru64, **spec)
    assert result.passed and result.max_score == 4, str(result)


@pytest.mark.keras
def test_build_model_builds_a_model_without_input(keras):
    model = keras.Sequential([keras.layers.GRU(64), keras.layers.Dense(1)])
    assert checks.build_model(model, **GRU64).passed
    assert model.built


@pytest.mark.keras
def test_build_model_functional_model(keras):
    inputs = keras.Input(shape=(None, 1))
    outputs = keras.layers.Dense(1)(keras.layers.GRU(64)(inputs))
    assert checks.build_model(keras.Model(inputs, outputs), **GRU64).passed


@pytest.mark.keras
def test_build_model_names_the_wrong_layer_and_setting(keras):
    def lstm_model():
        return keras.Sequential(
            [keras.Input(shape=(10, 1)), keras.layers.LSTM(64), keras.layers.Dense(1)]
        )

    result = checks.build_model(lstm_model, **GRU64)
    assert "✗ layers GRU, Dense: layer 1 is LSTM, expected GRU" in result.messages
    spec = {**GRU64, "layers": [("LSTM", {"units": 32}), "Dense"], "params": None}
    result = checks.build_model(lstm_model, **spec)
    assert "✗ layer settings: layer 1 (LSTM): units is 64, expected 32" in result.messages


@pytest.mark.keras
def test_build_model_parameter_count_hint(keras):
    def reset_before():
        return keras.Sequential(
            [
                keras.Input(shape=(10, 1)),
                keras.layers.GRU(64, reset_after=False),
                keras.layers.Dense(1),
            ]
        )

    result = checks.build_model(reset_before, **GRU64)
    assert result.score == 3
    assert result.messages[-1].startswith(
        "✗ 12,929 parameters: got 12,737 parameters: layer 1 (GRU) has reset_after=False"
    )


@pytest.mark.keras
def test_build_model_output_shape_hint(keras):
    def sequences():
        return keras.Sequential(
            [
                keras.Input(shape=(10, 1)),
                keras.layers.GRU(64, return_sequences=True),
                keras.layers.Dense(1),
            ]
        )

    result = checks.build_model(sequences, **GRU64)
    assert (
        "✗ output shape (None, 1): got (None, 10, 1): the output still has the time axis"
        in (result.messages[2])
    )


@pytest.mark.keras
def test_build_model_function_that_raises(keras):
    def broken():
        layer = keras.layers.GRU(64)
        return keras.Sequential([keras.Input(shape=(10, 1)), layer, keras.layers.Dense(units=-1)])

    result = checks.build_model(broken, **GRU64)
    assert not result and result.score == 0 and len(result.messages) == 1
    line = line_of(broken, "units=-1")
    assert "raised ValueError" in result.messages[0]
    assert f"in broken, line {line}" in result.messages[0]


@pytest.mark.keras
def test_build_model_not_a_model(keras):
    for value, text in [
        (None, "build_model is not defined yet"),
        (keras.layers.GRU(4), "got a GRU layer, not a model"),
        (lambda: "model", "returned a str, not a keras.Model"),
        (endless, "did not finish within 0.2 s"),
    ]:
        result = checks.build_model(value, **GRU64, time_limit=0.2)
        assert not result and text in result.messages[0], str(result)


@pytest.mark.keras
def test_build_model_is_fast(keras, gru64, capsys):
    checks.build_model(gru64, **GRU64)  # warm up TensorFlow
    start = time.perf_counter()
    checks.build_model(gru64, **GRU64)
    elapsed = time.perf_counter() - start
    with capsys.disabled():
        print(f"\nbuild_model   right  {elapsed * 1000:7.1f} ms")
    assert elapsed < 1.0


# ==========================================================================
# clip_by_global_norm
# ==========================================================================


def _clip_solution(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    return {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}


def test_clip_by_global_norm_accepts_a_solution_with_any_seed():
    for seed in (0, 1, 2026):
        assert checks.clip_by_global_norm(_clip_solution, seed=seed).passed


def test_clip_by_global_norm_explains_an_exception_and_nan():
    def raises(grads, max_norm):
        return {k: g / undefined_name for k, g in grads.items()}  # noqa: F821

    def nans(grads, max_norm):
        return {k: g * np.nan for k, g in grads.items()}

    text = str(checks.clip_by_global_norm(raises))
    assert "NameError" in text and "Traceback" not in text
    assert "NaN" in str(checks.clip_by_global_norm(nans))


def test_an_answer_that_is_always_wrong_earns_nothing_for_keeping_its_inputs():
    result = checks.rnn_step(lambda x_t, h_prev, W_x, W_h, b: np.zeros_like(h_prev))
    assert result.score == 0
    assert "not counted until an answer is right" in result.messages[-1]
