"""Plausible wrong answers to each graded exercise: every one must be rejected, most with a hint.

Each mutant is written here, independently of the hint mutants inside
rnnlib/checks.py, the way a learner might get the exercise wrong. A mutant is a
``(id, wrong function, expected hint)`` triple; the hint is a piece of text that
the report must contain, or None where only rejection is asserted.

The last test prints a summary (run pytest with ``-s`` to see it): number of
mutants, number rejected and number with the precise hint.
"""

import numpy as np
import pytest

from rnnlib import checks

SUMMARY = []  # (check, mutant id, rejected, precise hint) for the summary at the end


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def record_and_assert(check, mutant_id, result, hint):
    text = str(result)
    rejected = not result.passed and result.score < result.max_score
    precise = hint is not None and hint in text
    SUMMARY.append((check, mutant_id, rejected, precise))
    assert rejected, f"mutant {mutant_id} was accepted:\n{text}"
    if hint is not None:
        assert hint in text, f"expected the hint {hint!r} in:\n{text}"


# ==========================================================================
# rnn_step(x_t, h_prev, W_x, W_h, b)
# ==========================================================================


def step_no_bias(x_t, h_prev, W_x, W_h, b):
    return np.tanh(x_t @ W_x + h_prev @ W_h)


def step_sigmoid(x_t, h_prev, W_x, W_h, b):
    return sigmoid(x_t @ W_x + h_prev @ W_h + b)


def step_no_tanh(x_t, h_prev, W_x, W_h, b):
    return x_t @ W_x + h_prev @ W_h + b


def step_relu(x_t, h_prev, W_x, W_h, b):
    return np.maximum(0, x_t @ W_x + h_prev @ W_h + b)


def step_wx_transposed(x_t, h_prev, W_x, W_h, b):
    return np.tanh(x_t @ W_x.T + h_prev @ W_h + b)


def step_wh_transposed(x_t, h_prev, W_x, W_h, b):
    return np.tanh(x_t @ W_x + h_prev @ W_h.T + b)


def step_ignores_h_prev(x_t, h_prev, W_x, W_h, b):
    return np.tanh(x_t @ W_x + b)


def step_ignores_x(x_t, h_prev, W_x, W_h, b):
    return np.tanh(h_prev @ W_h + b)


def step_swapped_weights(x_t, h_prev, W_x, W_h, b):
    return np.tanh(x_t @ W_h + h_prev @ W_x + b)


def step_bias_after_tanh(x_t, h_prev, W_x, W_h, b):
    return np.tanh(x_t @ W_x + h_prev @ W_h) + b


def step_in_place(x_t, h_prev, W_x, W_h, b):
    h_prev[:] = np.tanh(x_t @ W_x + h_prev @ W_h + b)
    return h_prev


def step_squeezed(x_t, h_prev, W_x, W_h, b):
    return np.squeeze(np.tanh(x_t @ W_x + h_prev @ W_h + b))


def step_list(x_t, h_prev, W_x, W_h, b):
    return np.tanh(x_t @ W_x + h_prev @ W_h + b).tolist()


def step_float32(x_t, h_prev, W_x, W_h, b):
    return np.tanh(x_t @ W_x + h_prev @ W_h + b).astype(np.float32)


def step_integer_buffer(x_t, h_prev, W_x, W_h, b):
    h_t = np.zeros(h_prev.shape, dtype=int)
    h_t[:] = np.tanh(x_t @ W_x + h_prev @ W_h + b)
    return h_t


def step_no_return(x_t, h_prev, W_x, W_h, b):
    h_t = np.tanh(x_t @ W_x + h_prev @ W_h + b)  # noqa: F841 - the mistake under test


RNN_STEP_MUTANTS = [
    ("no_bias", step_no_bias, "the bias b is left out"),
    ("sigmoid", step_sigmoid, "sigmoid used instead of np.tanh"),
    ("no_tanh", step_no_tanh, "the tanh is missing"),
    ("relu", step_relu, "ReLU used instead of tanh"),
    ("W_x_transposed", step_wx_transposed, "W_x looks transposed"),
    ("W_h_transposed", step_wh_transposed, "W_h looks transposed"),
    ("ignores_h_prev", step_ignores_h_prev, "h_prev is ignored"),
    ("ignores_x_t", step_ignores_x, "x_t is ignored"),
    ("swapped_weights", step_swapped_weights, "W_x and W_h are swapped"),
    ("bias_after_tanh", step_bias_after_tanh, "b is added after the tanh"),
    ("changes_h_prev_in_place", step_in_place, "changed h_prev in place"),
    ("squeezes_batch_axis", step_squeezed, "the batch axis is gone"),
    ("returns_list", step_list, "its numbers are right, but turn it into an array"),
    ("float32_result", step_float32, "the inputs are float64 but the result is float32"),
    ("integer_buffer", step_integer_buffer, "integer array"),
    ("forgets_return", step_no_return, "did you forget `return h_t`"),
]


# ==========================================================================
# rnn_forward(x, h0, W_x, W_h, b)
# ==========================================================================


def good_step(x_t, h, W_x, W_h, b):
    return np.tanh(x_t @ W_x + h @ W_h + b)


def forward_last_only(x, h0, W_x, W_h, b):
    h = h0
    for t in range(x.shape[1]):
        h = good_step(x[:, t], h, W_x, W_h, b)
    return h


def forward_time_major(x, h0, W_x, W_h, b):
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = good_step(x[:, t], h, W_x, W_h, b)
        hs.append(h)
    return np.array(hs)


def forward_off_by_one(x, h0, W_x, W_h, b):
    batch, time, _ = x.shape
    hs = np.zeros((batch, time, h0.shape[1]))
    h = h0
    for t in range(time):
        hs[:, t] = h
        h = good_step(x[:, t], h, W_x, W_h, b)
    return hs


def forward_includes_h0(x, h0, W_x, W_h, b):
    hs = [h0]
    for t in range(x.shape[1]):
        hs.append(good_step(x[:, t], hs[-1], W_x, W_h, b))
    return np.stack(hs, axis=1)


def forward_restarts(x, h0, W_x, W_h, b):
    return np.stack([good_step(x[:, t], h0, W_x, W_h, b) for t in range(x.shape[1])], axis=1)


def forward_ignores_h0(x, h0, W_x, W_h, b):
    h, hs = np.zeros_like(h0), []
    for t in range(x.shape[1]):
        h = good_step(x[:, t], h, W_x, W_h, b)
        hs.append(h)
    return np.stack(hs, axis=1)


def forward_same_input(x, h0, W_x, W_h, b):
    h, hs = h0, []
    for _ in range(x.shape[1]):
        h = good_step(x[:, 0], h, W_x, W_h, b)
        hs.append(h)
    return np.stack(hs, axis=1)


def forward_reversed_output(x, h0, W_x, W_h, b):
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = good_step(x[:, t], h, W_x, W_h, b)
        hs.insert(0, h)
    return np.stack(hs, axis=1)


def forward_buffer_like_x(x, h0, W_x, W_h, b):
    hs = np.zeros_like(x)
    h = h0
    for t in range(x.shape[1]):
        h = good_step(x[:, t], h, W_x, W_h, b)
        hs[:, t] = h
    return hs


def forward_step_without_bias(x, h0, W_x, W_h, b):
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_x + h @ W_h)
        hs.append(h)
    return np.stack(hs, axis=1)


def forward_skips_last_step(x, h0, W_x, W_h, b):
    batch, time, _ = x.shape
    hs = np.zeros((batch, time, h0.shape[1]))
    h = h0
    for t in range(time - 1):
        h = good_step(x[:, t], h, W_x, W_h, b)
        hs[:, t] = h
    return hs


def forward_list(x, h0, W_x, W_h, b):
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = good_step(x[:, t], h, W_x, W_h, b)
        hs.append(h)
    return hs


def forward_changes_h0(x, h0, W_x, W_h, b):
    h, hs = h0, []
    for t in range(x.shape[1]):
        h[:] = good_step(x[:, t], h, W_x, W_h, b)
        hs.append(h.copy())
    return np.stack(hs, axis=1)


RNN_FORWARD_MUTANTS = [
    ("last_state_only", forward_last_only, "returned only the last hidden state"),
    ("time_major", forward_time_major, "time-major output (time, batch, units)"),
    ("off_by_one", forward_off_by_one, "off by one in the time loop"),
    ("includes_h0", forward_includes_h0, "hs starts with h0"),
    ("restarts_from_h0", forward_restarts, "every step restarts from h0"),
    ("ignores_h0", forward_ignores_h0, "h0 is ignored"),
    ("same_input_every_step", forward_same_input, "every step reads x[:, 0]"),
    ("reversed_output", forward_reversed_output, "hs is in reverse time order"),
    ("buffer_like_x", forward_buffer_like_x, "hs must have shape (batch, time, units)"),
    ("step_without_bias", forward_step_without_bias, "each step is not: the bias b is left out"),
    ("skips_last_step", forward_skips_last_step, "is still all zeros"),
    ("returns_list", forward_list, "not a numpy array"),
    ("changes_h0_in_place", forward_changes_h0, "changed h0 in place"),
]


# ==========================================================================
# rnn_backward(x, h0, W_x, W_h, b, d_hs)
# ==========================================================================


def run_forward(x, h0, W_x, W_h, b):
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = good_step(x[:, t], h, W_x, W_h, b)
        hs.append(h)
    return np.stack(hs, axis=1)


def backward_no_tanh_derivative(x, h0, W_x, W_h, b, d_hs):
    hs = run_forward(x, h0, W_x, W_h, b)
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        da = d_hs[:, t] + dh_next  # forgot * (1 - hs[:, t] ** 2)
        dW_x += x[:, t].T @ da
        dW_h += h_prev.T @ da
        db += da.sum(axis=0)
        dh_next = da @ W_h.T
    return {"W_x": dW_x, "W_h": dW_h, "b": db, "h0": dh_next}


def backward_tanh_of_h(x, h0, W_x, W_h, b, d_hs):
    hs = run_forward(x, h0, W_x, W_h, b)
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        da = (d_hs[:, t] + dh_next) * (1 - np.tanh(hs[:, t]) ** 2)
        dW_x += x[:, t].T @ da
        dW_h += h_prev.T @ da
        db += da.sum(axis=0)
        dh_next = da @ W_h.T
    return {"W_x": dW_x, "W_h": dW_h, "b": db, "h0": dh_next}


def backward_no_carry(x, h0, W_x, W_h, b, d_hs):
    hs = run_forward(x, h0, W_x, W_h, b)
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
    dh_prev = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        da = d_hs[:, t] * (1 - hs[:, t] ** 2)  # dh_next never added
        dW_x += x[:, t].T @ da
        dW_h += h_prev.T @ da
        db += da.sum(axis=0)
        dh_prev = da @ W_h.T
    return {"W_x": dW_x, "W_h": dW_h, "b": db, "h0": dh_prev}


def backward_last_step_only(x, h0, W_x, W_h, b, d_hs):
    hs = run_forward(x, h0, W_x, W_h, b)
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
    dh = d_hs[:, -1]
    for t in reversed(range(x.shape[1])):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        da = dh * (1 - hs[:, t] ** 2)
        dW_x += x[:, t].T @ da
        dW_h += h_prev.T @ da
        db += da.sum(axis=0)
        dh = da @ W_h.T
    return {"W_x": dW_x, "W_h": dW_h, "b": db, "h0": dh}


def backward_h_t_in_dw_h(x, h0, W_x, W_h, b, d_hs):
    hs = run_forward(x, h0, W_x, W_h, b)
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        da = (d_hs[:, t] + dh_next) * (1 - hs[:, t] ** 2)
        dW_x += x[:, t].T @ da
        dW_h += hs[:, t].T @ da
        db += da.sum(axis=0)
        dh_next = da @ W_h.T
    return {"W_x": dW_x, "W_h": dW_h, "b": db, "h0": dh_next}


def backward_dw_h_transposed(x, h0, W_x, W_h, b, d_hs):
    hs = run_forward(x, h0, W_x, W_h, b)
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        da = (d_hs[:, t] + dh_next) * (1 - hs[:, t] ** 2)
        dW_x += x[:, t].T @ da
        dW_h += da.T @ h_prev
        db += da.sum(axis=0)
        dh_next = da @ W_h.T
    return {"W_x": dW_x, "W_h": dW_h, "b": db, "h0": dh_next}


def backward_untransposed_carry(x, h0, W_x, W_h, b, d_hs):
    hs = run_forward(x, h0, W_x, W_h, b)
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        da = (d_hs[:, t] + dh_next) * (1 - hs[:, t] ** 2)
        dW_x += x[:, t].T @ da
        dW_h += h_prev.T @ da
        db += da.sum(axis=0)
        dh_next = da @ W_h
    return {"W_x": dW_x, "W_h": dW_h, "b": db, "h0": dh_next}


def backward_forward_in_time(x, h0, W_x, W_h, b, d_hs):
    hs = run_forward(x, h0, W_x, W_h, b)
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
    for t in range(x.shape[1]):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        da = (d_hs[:, t] + dh_next) * (1 - hs[:, t] ** 2)
        dW_x += x[:, t].T @ da
        dW_h += h_prev.T @ da
        db += da.sum(axis=0)
        dh_next = da @ W_h.T
    return {"W_x": dW_x, "W_h": dW_h, "b": db, "h0": dh_next}


def backward_mean_over_batch(x, h0, W_x, W_h, b, d_hs):
    hs = run_forward(x, h0, W_x, W_h, b)
    batch = x.shape[0]
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        da = (d_hs[:, t] + dh_next) * (1 - hs[:, t] ** 2)
        dW_x += x[:, t].T @ da
        dW_h += h_prev.T @ da
        db += da.sum(axis=0)
        dh_next = da @ W_h.T
    grads = {"W_x": dW_x, "W_h": dW_h, "b": db, "h0": dh_next}
    return {key: value / batch for key, value in grads.items()}


def backward_db_not_summed(x, h0, W_x, W_h, b, d_hs):
    hs = run_forward(x, h0, W_x, W_h, b)
    dW_x, dW_h = np.zeros_like(W_x), np.zeros_like(W_h)
    db = np.zeros_like(h0)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        da = (d_hs[:, t] + dh_next) * (1 - hs[:, t] ** 2)
        dW_x += x[:, t].T @ da
        dW_h += h_prev.T @ da
        db += da
        dh_next = da @ W_h.T
    return {"W_x": dW_x, "W_h": dW_h, "b": db, "h0": dh_next}


def backward_d_prefixed_keys(x, h0, W_x, W_h, b, d_hs):
    hs = run_forward(x, h0, W_x, W_h, b)
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        da = (d_hs[:, t] + dh_next) * (1 - hs[:, t] ** 2)
        dW_x += x[:, t].T @ da
        dW_h += h_prev.T @ da
        db += da.sum(axis=0)
        dh_next = da @ W_h.T
    return {"dW_x": dW_x, "dW_h": dW_h, "db": db, "dh0": dh_next}


def backward_returns_tuple(x, h0, W_x, W_h, b, d_hs):
    grads = backward_d_prefixed_keys(x, h0, W_x, W_h, b, d_hs)
    return grads["dW_x"], grads["dW_h"], grads["db"], grads["dh0"]


def backward_overwrites(x, h0, W_x, W_h, b, d_hs):
    hs = run_forward(x, h0, W_x, W_h, b)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        da = (d_hs[:, t] + dh_next) * (1 - hs[:, t] ** 2)
        dW_x = x[:, t].T @ da  # = instead of +=
        dW_h = h_prev.T @ da
        db = da.sum(axis=0)
        dh_next = da @ W_h.T
    return {"W_x": dW_x, "W_h": dW_h, "b": db, "h0": dh_next}


def backward_dh0_is_da(x, h0, W_x, W_h, b, d_hs):
    hs = run_forward(x, h0, W_x, W_h, b)
    dW_x, dW_h, db = np.zeros_like(W_x), np.zeros_like(W_h), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        da = (d_hs[:, t] + dh_next) * (1 - hs[:, t] ** 2)
        dW_x += x[:, t].T @ da
        dW_h += h_prev.T @ da
        db += da.sum(axis=0)
        dh_next = da @ W_h.T
    return {"W_x": dW_x, "W_h": dW_h, "b": db, "h0": da}


RNN_BACKWARD_MUTANTS = [
    ("no_tanh_derivative", backward_no_tanh_derivative, "the tanh derivative is missing"),
    ("tanh_of_h", backward_tanh_of_h, "not 1 - np.tanh(h_t)**2"),
    ("no_carry_through_time", backward_no_carry, "does not flow back through time"),
    ("last_step_d_hs_only", backward_last_step_only, "only the last step's d_hs is used"),
    ("h_t_in_dW_h", backward_h_t_in_dw_h, "it needs h_{t-1}"),
    ("dW_h_transposed", backward_dw_h_transposed, "dW_h looks transposed"),
    ("carry_without_transpose", backward_untransposed_carry, "dh_prev = delta_t @ W_h.T"),
    ("loop_forward_in_time", backward_forward_in_time, "the loop runs forwards in time"),
    ("mean_over_batch", backward_mean_over_batch, "divided by the batch size"),
    ("db_not_summed", backward_db_not_summed, "db must be summed over the batch"),
    ("d_prefixed_keys", backward_d_prefixed_keys, "the keys are named after the parameters"),
    ("returns_tuple", backward_returns_tuple, "return a dict with the keys"),
    ("overwrites_instead_of_adding", backward_overwrites, "keep only one step's contribution"),
    ("dh0_is_da", backward_dh0_is_da, "dh0 = delta_1 @ W_h.T"),
]


# ==========================================================================
# lstm_step(x_t, h_prev, c_prev, params)
# ==========================================================================


def lstm_preactivations(x_t, h_prev, params):
    a = x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + params["bias"]
    return np.split(a, 4, axis=1)


def lstm_if_swapped(x_t, h_prev, c_prev, params):
    a_f, a_i, a_c, a_o = lstm_preactivations(x_t, h_prev, params)
    c_t = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_c)
    return sigmoid(a_o) * np.tanh(c_t), c_t


def lstm_co_swapped(x_t, h_prev, c_prev, params):
    a_i, a_f, a_o, a_c = lstm_preactivations(x_t, h_prev, params)
    c_t = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_c)
    return sigmoid(a_o) * np.tanh(c_t), c_t


def lstm_tf1_order(x_t, h_prev, c_prev, params):
    a_i, a_c, a_f, a_o = lstm_preactivations(x_t, h_prev, params)
    c_t = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_c)
    return sigmoid(a_o) * np.tanh(c_t), c_t


def lstm_ignores_c_prev(x_t, h_prev, c_prev, params):
    a_i, a_f, a_c, a_o = lstm_preactivations(x_t, h_prev, params)
    c_t = sigmoid(a_i) * np.tanh(a_c)
    return sigmoid(a_o) * np.tanh(c_t), c_t


def lstm_no_tanh_on_c(x_t, h_prev, c_prev, params):
    a_i, a_f, a_c, a_o = lstm_preactivations(x_t, h_prev, params)
    c_t = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_c)
    return sigmoid(a_o) * c_t, c_t


def lstm_tanh_gates(x_t, h_prev, c_prev, params):
    a_i, a_f, a_c, a_o = lstm_preactivations(x_t, h_prev, params)
    c_t = np.tanh(a_f) * c_prev + np.tanh(a_i) * np.tanh(a_c)
    return np.tanh(a_o) * np.tanh(c_t), c_t


def lstm_sigmoid_candidate(x_t, h_prev, c_prev, params):
    a_i, a_f, a_c, a_o = lstm_preactivations(x_t, h_prev, params)
    c_t = sigmoid(a_f) * c_prev + sigmoid(a_i) * sigmoid(a_c)
    return sigmoid(a_o) * np.tanh(c_t), c_t


def lstm_returns_c_h(x_t, h_prev, c_prev, params):
    a_i, a_f, a_c, a_o = lstm_preactivations(x_t, h_prev, params)
    c_t = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_c)
    return c_t, sigmoid(a_o) * np.tanh(c_t)


def lstm_returns_h_only(x_t, h_prev, c_prev, params):
    a_i, a_f, a_c, a_o = lstm_preactivations(x_t, h_prev, params)
    c_t = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_c)
    return sigmoid(a_o) * np.tanh(c_t)


def lstm_no_bias(x_t, h_prev, c_prev, params):
    a = x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"]
    a_i, a_f, a_c, a_o = np.split(a, 4, axis=1)
    c_t = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_c)
    return sigmoid(a_o) * np.tanh(c_t), c_t


def lstm_h_from_c_prev(x_t, h_prev, c_prev, params):
    a_i, a_f, a_c, a_o = lstm_preactivations(x_t, h_prev, params)
    c_t = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_c)
    return sigmoid(a_o) * np.tanh(c_prev), c_t


def lstm_changes_c_prev(x_t, h_prev, c_prev, params):
    a_i, a_f, a_c, a_o = lstm_preactivations(x_t, h_prev, params)
    c_prev *= sigmoid(a_f)
    c_t = c_prev + sigmoid(a_i) * np.tanh(a_c)
    return sigmoid(a_o) * np.tanh(c_t), c_t


def lstm_wrong_key(x_t, h_prev, c_prev, params):
    a = x_t @ params["W_x"] + h_prev @ params["W_h"] + params["b"]
    return a, a


LSTM_MUTANTS = [
    ("i_f_swapped", lstm_if_swapped, "the i and f gate blocks are swapped"),
    ("c_o_swapped", lstm_co_swapped, "the c and o gate blocks are swapped"),
    ("tensorflow1_order", lstm_tf1_order, "TensorFlow 1's order"),
    ("ignores_c_prev", lstm_ignores_c_prev, "c_prev is ignored"),
    ("no_tanh_on_c_t", lstm_no_tanh_on_c, "the tanh of c_t is missing"),
    ("tanh_gates", lstm_tanh_gates, "the gates i, f and o use sigmoid, not tanh"),
    ("sigmoid_candidate", lstm_sigmoid_candidate, "uses tanh, not sigmoid"),
    ("returns_c_then_h", lstm_returns_c_h, "`return h_t, c_t`"),
    ("returns_h_only", lstm_returns_h_only, "returned only h_t"),
    ("no_bias", lstm_no_bias, "the bias is left out"),
    ("h_from_c_prev", lstm_h_from_c_prev, "h_t uses the old cell state"),
    ("changes_c_prev_in_place", lstm_changes_c_prev, "changed c_prev in place"),
    ("wrong_param_keys", lstm_wrong_key, "params has the keys 'kernel'"),
]


# ==========================================================================
# gru_step(x_t, h_prev, params), both reset_after values
# ==========================================================================


def gru_parts(x_t, h_prev, params):
    """Input and recurrent projections split into the z, r, h blocks, biases included."""
    bias = params["bias"]
    if params["reset_after"]:
        b_x, b_h = bias[0], bias[1]
    else:
        b_x, b_h = bias, np.zeros_like(bias)
    xs = np.split(x_t @ params["kernel"] + b_x, 3, axis=1)
    Us = np.split(params["recurrent_kernel"], 3, axis=1)
    bhs = np.split(b_h, 3)
    return xs, Us, bhs


def gru_update_inverted(x_t, h_prev, params):
    (x_z, x_r, x_h), (U_z, U_r, U_h), (b_z, b_r, b_hh) = gru_parts(x_t, h_prev, params)
    z = sigmoid(x_z + h_prev @ U_z + b_z)
    r = sigmoid(x_r + h_prev @ U_r + b_r)
    if params["reset_after"]:
        hh = np.tanh(x_h + r * (h_prev @ U_h + b_hh))
    else:
        hh = np.tanh(x_h + (r * h_prev) @ U_h)
    return (1 - z) * h_prev + z * hh


def gru_reset_before_always(x_t, h_prev, params):
    (x_z, x_r, x_h), (U_z, U_r, U_h), (b_z, b_r, b_hh) = gru_parts(x_t, h_prev, params)
    z = sigmoid(x_z + h_prev @ U_z + b_z)
    r = sigmoid(x_r + h_prev @ U_r + b_r)
    hh = np.tanh(x_h + (r * h_prev) @ U_h + b_hh)
    return z * h_prev + (1 - z) * hh


def gru_reset_after_always(x_t, h_prev, params):
    (x_z, x_r, x_h), (U_z, U_r, U_h), (b_z, b_r, b_hh) = gru_parts(x_t, h_prev, params)
    z = sigmoid(x_z + h_prev @ U_z + b_z)
    r = sigmoid(x_r + h_prev @ U_r + b_r)
    hh = np.tanh(x_h + r * (h_prev @ U_h + b_hh))
    return z * h_prev + (1 - z) * hh


def gru_ignores_recurrent_bias(x_t, h_prev, params):
    bias = params["bias"]
    b_x = bias[0] if params["reset_after"] else bias
    x_z, x_r, x_h = np.split(x_t @ params["kernel"] + b_x, 3, axis=1)
    U_z, U_r, U_h = np.split(params["recurrent_kernel"], 3, axis=1)
    z = sigmoid(x_z + h_prev @ U_z)
    r = sigmoid(x_r + h_prev @ U_r)
    if params["reset_after"]:
        hh = np.tanh(x_h + r * (h_prev @ U_h))
    else:
        hh = np.tanh(x_h + (r * h_prev) @ U_h)
    return z * h_prev + (1 - z) * hh


def gru_recurrent_bias_outside_reset(x_t, h_prev, params):
    (x_z, x_r, x_h), (U_z, U_r, U_h), (b_z, b_r, b_hh) = gru_parts(x_t, h_prev, params)
    z = sigmoid(x_z + h_prev @ U_z + b_z)
    r = sigmoid(x_r + h_prev @ U_r + b_r)
    if params["reset_after"]:
        hh = np.tanh(x_h + r * (h_prev @ U_h) + b_hh)
    else:
        hh = np.tanh(x_h + (r * h_prev) @ U_h)
    return z * h_prev + (1 - z) * hh


def gru_no_reset(x_t, h_prev, params):
    (x_z, x_r, x_h), (U_z, U_r, U_h), (b_z, b_r, b_hh) = gru_parts(x_t, h_prev, params)
    z = sigmoid(x_z + h_prev @ U_z + b_z)
    hh = np.tanh(x_h + h_prev @ U_h + b_hh)
    return z * h_prev + (1 - z) * hh


def gru_zr_swapped(x_t, h_prev, params):
    (x_r, x_z, x_h), (U_r, U_z, U_h), (b_r, b_z, b_hh) = gru_parts(x_t, h_prev, params)
    z = sigmoid(x_z + h_prev @ U_z + b_z)
    r = sigmoid(x_r + h_prev @ U_r + b_r)
    if params["reset_after"]:
        hh = np.tanh(x_h + r * (h_prev @ U_h + b_hh))
    else:
        hh = np.tanh(x_h + (r * h_prev) @ U_h)
    return z * h_prev + (1 - z) * hh


def gru_zh_swapped(x_t, h_prev, params):
    (x_h, x_r, x_z), (U_h, U_r, U_z), (b_hh, b_r, b_z) = gru_parts(x_t, h_prev, params)
    z = sigmoid(x_z + h_prev @ U_z + b_z)
    r = sigmoid(x_r + h_prev @ U_r + b_r)
    if params["reset_after"]:
        hh = np.tanh(x_h + r * (h_prev @ U_h + b_hh))
    else:
        hh = np.tanh(x_h + (r * h_prev) @ U_h)
    return z * h_prev + (1 - z) * hh


def gru_returns_candidate(x_t, h_prev, params):
    (x_z, x_r, x_h), (U_z, U_r, U_h), (b_z, b_r, b_hh) = gru_parts(x_t, h_prev, params)
    r = sigmoid(x_r + h_prev @ U_r + b_r)
    if params["reset_after"]:
        return np.tanh(x_h + r * (h_prev @ U_h + b_hh))
    return np.tanh(x_h + (r * h_prev) @ U_h)


def gru_tanh_gates(x_t, h_prev, params):
    (x_z, x_r, x_h), (U_z, U_r, U_h), (b_z, b_r, b_hh) = gru_parts(x_t, h_prev, params)
    z = np.tanh(x_z + h_prev @ U_z + b_z)
    r = np.tanh(x_r + h_prev @ U_r + b_r)
    if params["reset_after"]:
        hh = np.tanh(x_h + r * (h_prev @ U_h + b_hh))
    else:
        hh = np.tanh(x_h + (r * h_prev) @ U_h)
    return z * h_prev + (1 - z) * hh


def gru_sigmoid_candidate(x_t, h_prev, params):
    (x_z, x_r, x_h), (U_z, U_r, U_h), (b_z, b_r, b_hh) = gru_parts(x_t, h_prev, params)
    z = sigmoid(x_z + h_prev @ U_z + b_z)
    r = sigmoid(x_r + h_prev @ U_r + b_r)
    if params["reset_after"]:
        hh = sigmoid(x_h + r * (h_prev @ U_h + b_hh))
    else:
        hh = sigmoid(x_h + (r * h_prev) @ U_h)
    return z * h_prev + (1 - z) * hh


def gru_no_bias(x_t, h_prev, params):
    x_z, x_r, x_h = np.split(x_t @ params["kernel"], 3, axis=1)
    U_z, U_r, U_h = np.split(params["recurrent_kernel"], 3, axis=1)
    z = sigmoid(x_z + h_prev @ U_z)
    r = sigmoid(x_r + h_prev @ U_r)
    if params["reset_after"]:
        hh = np.tanh(x_h + r * (h_prev @ U_h))
    else:
        hh = np.tanh(x_h + (r * h_prev) @ U_h)
    return z * h_prev + (1 - z) * hh


def gru_unpacks_two_bias_rows(x_t, h_prev, params):
    b_x, b_h = params["bias"]  # only right for reset_after=True
    xs = np.split(x_t @ params["kernel"] + b_x, 3, axis=1)
    hs = np.split(h_prev @ params["recurrent_kernel"] + b_h, 3, axis=1)
    z = sigmoid(xs[0] + hs[0])
    r = sigmoid(xs[1] + hs[1])
    hh = np.tanh(xs[2] + r * hs[2])
    return z * h_prev + (1 - z) * hh


GRU_MUTANTS = {
    True: [
        ("update_inverted", gru_update_inverted, "Keras keeps h_{t-1} with z_t"),
        ("reset_before_matmul", gru_reset_before_always, "multiplies after the matrix product"),
        ("recurrent_bias_ignored", gru_ignores_recurrent_bias, "bias[1] is ignored"),
        ("bias_outside_reset", gru_recurrent_bias_outside_reset, "goes inside the reset gate"),
        ("no_reset_gate", gru_no_reset, "the candidate ignores the reset gate"),
        ("z_r_swapped", gru_zr_swapped, "the z and r gate blocks are swapped"),
        ("z_h_swapped", gru_zh_swapped, "the z and h gate blocks are swapped"),
        ("returns_candidate", gru_returns_candidate, "h_t mixes the old state and the candidate"),
        ("tanh_gates", gru_tanh_gates, "use sigmoid, not tanh"),
        ("sigmoid_candidate", gru_sigmoid_candidate, "uses tanh, not sigmoid"),
        ("no_bias", gru_no_bias, "the bias is left out"),
    ],
    False: [
        ("update_inverted", gru_update_inverted, "Keras keeps h_{t-1} with z_t"),
        ("reset_after_matmul", gru_reset_after_always, "but with reset_after=False it acts"),
        ("no_reset_gate", gru_no_reset, "the candidate ignores the reset gate"),
        ("z_r_swapped", gru_zr_swapped, "PyTorch's order"),
        ("z_h_swapped", gru_zh_swapped, "the z and h gate blocks are swapped"),
        ("returns_candidate", gru_returns_candidate, "h_t mixes the old state and the candidate"),
        ("tanh_gates", gru_tanh_gates, "use sigmoid, not tanh"),
        ("sigmoid_candidate", gru_sigmoid_candidate, "uses tanh, not sigmoid"),
        ("no_bias", gru_no_bias, "the bias is left out"),
        ("unpacks_two_bias_rows", gru_unpacks_two_bias_rows, "only reset_after=True has two rows"),
    ],
}


# ==========================================================================
# build_model: GRU(64) on (10, 1) windows, then Dense(1): 12,929 parameters
# ==========================================================================

SPEC = {"input_shape": (10, 1), "layers": ["GRU", "Dense"], "output_shape": (None, 1)}


def keras_mutants():
    """(id, model function, hint); built lazily so that collection does not import Keras."""
    import keras

    L = keras.layers

    def seq(*layers, shape=(10, 1)):
        return lambda: keras.Sequential([keras.Input(shape=shape), *layers])

    def raises():
        return keras.Sequential([keras.Input(shape=(10, 1)), L.GRU(units=64, size=3)])

    def no_return():
        keras.Sequential([keras.Input(shape=(10, 1)), L.GRU(64), L.Dense(1)])

    return [
        (
            "lstm_instead_of_gru",
            lambda: seq(L.LSTM(64), L.Dense(1))(),
            "layer 1 is LSTM, expected GRU",
        ),
        ("simple_rnn_instead", lambda: seq(L.SimpleRNN(64), L.Dense(1))(), "layer 1 is SimpleRNN"),
        (
            "reset_after_false",
            lambda: seq(L.GRU(64, reset_after=False), L.Dense(1))(),
            "has reset_after=False: Keras's default",
        ),
        ("missing_dense", lambda: seq(L.GRU(64))(), "the Dense layer (layer 2) is missing"),
        (
            "extra_gru",
            lambda: seq(L.GRU(64, return_sequences=True), L.GRU(64), L.Dense(1))(),
            "layer 1 (GRU) is one too many",
        ),
        (
            "return_sequences_left_on",
            lambda: seq(L.GRU(64, return_sequences=True), L.Dense(1))(),
            "still has the time axis",
        ),
        ("dense_64_at_the_end", lambda: seq(L.GRU(64), L.Dense(64))(), "has 64 units, expected 1"),
        (
            "wrong_input_shape",
            lambda: seq(L.GRU(64), L.Dense(1), shape=(5, 1))(),
            "takes inputs of shape (None, 5, 1)",
        ),
        (
            "gru_32_units",
            lambda: seq(L.GRU(32), L.Dense(1))(),
            "got 3,393 parameters: check the units",
        ),
        ("raises", raises, "raised ValueError: Unrecognized keyword"),
        ("forgets_return", no_return, "did you forget `return model`"),
        ("returns_layer_list", lambda: [L.GRU(64), L.Dense(1)], "wrap them in a model"),
    ]


BUILD_MODEL_IDS = [
    "lstm_instead_of_gru",
    "simple_rnn_instead",
    "reset_after_false",
    "missing_dense",
    "extra_gru",
    "return_sequences_left_on",
    "dense_64_at_the_end",
    "wrong_input_shape",
    "gru_32_units",
    "raises",
    "forgets_return",
    "returns_layer_list",
]


@pytest.mark.keras
@pytest.mark.parametrize("mutant_id", BUILD_MODEL_IDS)
def test_build_model_mutant_is_rejected(keras, mutant_id):
    mutants = {m[0]: m[1:] for m in keras_mutants()}
    assert list(mutants) == BUILD_MODEL_IDS
    fn, hint = mutants[mutant_id]
    result = checks.build_model(fn, **SPEC, params=12929)
    record_and_assert("build_model", mutant_id, result, hint)


STACKED_SPEC = {
    "input_shape": (30, 8),
    "layers": ["Bidirectional", "GRU", "Dense"],
    "output_shape": (None, 3),
    "params": 4235,
}


@pytest.mark.keras
def test_stacked_model_without_return_sequences_gets_the_hint(keras):
    def build_model():
        return keras.Sequential(
            [
                keras.Input(shape=(30, 8)),
                keras.layers.Bidirectional(keras.layers.LSTM(16)),
                keras.layers.GRU(8),
                keras.layers.Dense(3, activation="softmax"),
            ]
        )

    result = checks.build_model(build_model, **STACKED_SPEC)
    record_and_assert("build_model", "stacked_no_return_sequences", result, "return_sequences=True")


# ==========================================================================
# Another seed: the hints do not depend on the particular random cases.
# ==========================================================================


def test_numpy_mutants_are_caught_with_another_seed():
    groups = [
        (checks.rnn_step, RNN_STEP_MUTANTS),
        (checks.rnn_forward, RNN_FORWARD_MUTANTS),
        (checks.rnn_backward, RNN_BACKWARD_MUTANTS),
        (checks.lstm_step, LSTM_MUTANTS),
    ]
    groups += [
        (lambda fn, seed, ra=ra: checks.gru_step(fn, reset_after=ra, seed=seed), GRU_MUTANTS[ra])
        for ra in (True, False)
    ]
    missed = []
    for check, mutants in groups:
        for mutant_id, fn, hint in mutants:
            result = check(fn, seed=2024)
            if result.passed or hint not in str(result):
                missed.append(mutant_id)
    assert not missed


# ==========================================================================
# clip_by_global_norm(grads, max_norm)
# ==========================================================================


def total_norm(grads):
    return float(np.sqrt(sum((g**2).sum() for g in grads.values())))


def clip_per_array(grads, max_norm):
    return {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}


def clip_values(grads, max_norm):
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}


def clip_always_rescales(grads, max_norm):
    return {k: g * max_norm / total_norm(grads) for k, g in grads.items()}


def clip_no_sqrt(grads, max_norm):
    squared = sum((g**2).sum() for g in grads.values())
    return {k: g * min(1.0, max_norm / squared) for k, g in grads.items()}


def clip_sum_of_norms(grads, max_norm):
    norm = sum(np.linalg.norm(g) for g in grads.values())
    return {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}


def clip_inverted(grads, max_norm):
    return {k: g * min(1.0, total_norm(grads) / max_norm) for k, g in grads.items()}


def clip_to_unit_norm(grads, max_norm):
    return {k: g * min(1.0, 1.0 / total_norm(grads)) for k, g in grads.items()}


def clip_max_instead_of_min(grads, max_norm):
    return {k: g * max(1.0, max_norm / total_norm(grads)) for k, g in grads.items()}


def clip_in_place(grads, max_norm):
    scale = min(1.0, max_norm / total_norm(grads))
    for g in grads.values():
        g *= scale
    return grads


def clip_drops_bias(grads, max_norm):
    scale = min(1.0, max_norm / total_norm(grads))
    return {k: g * scale for k, g in grads.items() if k != "b"}


def clip_returns_list(grads, max_norm):
    scale = min(1.0, max_norm / total_norm(grads))
    return [g * scale for g in grads.values()]


CLIP_MUTANTS = [
    ("per_array_norm", clip_per_array, "each array is clipped by its own norm"),
    ("clips_values", clip_values, "the values are clipped one by one"),
    ("always_rescales", clip_always_rescales, "small gradients are scaled up too"),
    ("no_square_root", clip_no_sqrt, "the square root is missing"),
    ("sum_of_norms", clip_sum_of_norms, "adds up the arrays' norms"),
    ("inverted_scale", clip_inverted, "the scale is upside down"),
    ("unit_norm", clip_to_unit_norm, "normalised to norm 1"),
    ("max_not_min", clip_max_instead_of_min, "max(1, ...) where min(1, ...) is needed"),
    ("in_place", clip_in_place, "changed grads['W_x'] in place"),
    ("drops_a_key", clip_drops_bias, "has no key 'b'"),
    ("returns_list", clip_returns_list, "return a dict with the same keys as grads"),
]


# ==========================================================================
# make_windows(series, lookback, horizon)
# ==========================================================================


def windows_loop(series, lookback, horizon, *, start_shift=0, count_shift=0, feature=True):
    n = len(series) - lookback - horizon + 1 + count_shift
    X = np.stack([series[i : i + lookback] for i in range(n)])
    y = np.stack(
        [
            series[i + lookback + start_shift : i + lookback + start_shift + horizon]
            for i in range(n)
        ]
    )
    return (X[..., None] if feature else X), y


def win_target_too_early(series, lookback, horizon):
    return windows_loop(series, lookback, horizon, start_shift=-1)


def win_gap(series, lookback, horizon):
    n = len(series) - lookback - horizon
    X = np.stack([series[i : i + lookback] for i in range(n)])[..., None]
    y = np.stack([series[i + lookback + 1 : i + lookback + 1 + horizon] for i in range(n)])
    return X, y


def win_last_missing(series, lookback, horizon):
    return windows_loop(series, lookback, horizon, count_shift=-1)


def win_no_feature_axis(series, lookback, horizon):
    return windows_loop(series, lookback, horizon, feature=False)


def win_reversed(series, lookback, horizon):
    X, y = windows_loop(series, lookback, horizon)
    return X[:, ::-1], y


def win_inputs_include_target(series, lookback, horizon):
    n = len(series) - lookback - horizon + 1
    X = np.stack([series[i + horizon : i + lookback + horizon] for i in range(n)])[..., None]
    _, y = windows_loop(series, lookback, horizon)
    return X, y


def win_y_extra_axis(series, lookback, horizon):
    X, y = windows_loop(series, lookback, horizon)
    return X, y[..., None]


def win_returns_dict(series, lookback, horizon):
    X, y = windows_loop(series, lookback, horizon)
    return {"X": X, "y": y}


def win_shuffled(series, lookback, horizon):
    X, y = windows_loop(series, lookback, horizon)
    order = np.random.default_rng(0).permutation(len(X))
    return X[order], y[order]


WINDOW_MUTANTS = [
    (
        "target_one_step_early",
        win_target_too_early,
        "look-ahead: the target starts one step too early",
    ),
    ("gap_before_target", win_gap, "a gap of one step between each window and its target"),
    ("last_window_missing", win_last_missing, "the last window is missing"),
    ("no_feature_axis", win_no_feature_axis, "X has no feature axis"),
    ("reversed_in_time", win_reversed, "the windows run backwards in time"),
    ("inputs_include_target", win_inputs_include_target, "look-ahead: window 0's inputs reach"),
    ("y_extra_axis", win_y_extra_axis, "y has an extra axis"),
    ("returns_dict", win_returns_dict, "return the pair (X, y)"),
    ("shuffled_windows", win_shuffled, None),
]


# ==========================================================================
# One table: every check's mutants, on the public and on the graded cases.
# ==========================================================================

TABLES = {  # report name -> (check name, options, mutants)
    "rnn_step": ("rnn_step", {}, RNN_STEP_MUTANTS),
    "rnn_forward": ("rnn_forward", {}, RNN_FORWARD_MUTANTS),
    "rnn_backward": ("rnn_backward", {}, RNN_BACKWARD_MUTANTS),
    "lstm_step": ("lstm_step", {}, LSTM_MUTANTS),
    "gru_step reset_after=True": ("gru_step", {"reset_after": True}, GRU_MUTANTS[True]),
    "gru_step reset_after=False": ("gru_step", {"reset_after": False}, GRU_MUTANTS[False]),
    "clip_by_global_norm": ("clip_by_global_norm", {}, CLIP_MUTANTS),
    "make_windows": ("make_windows", {}, WINDOW_MUTANTS),
}
ROWS = [(table, *mutant) for table, (_, _, mutants) in TABLES.items() for mutant in mutants]


@pytest.mark.parametrize(
    ("table", "mutant_id", "fn", "hint"), ROWS, ids=[f"{r[0]}-{r[1]}" for r in ROWS]
)
def test_mutant_is_rejected_with_its_hint(table, mutant_id, fn, hint):
    check_name, options, _ = TABLES[table]
    record_and_assert(table, mutant_id, checks.run(check_name, fn, **options), hint)
    graded = checks.run(check_name, fn, key=97, **options)
    assert not graded.passed, f"the graded cases accept mutant {mutant_id}:\n{graded}"


# ==========================================================================
# Summary
# ==========================================================================


def test_mutant_summary(capsys):
    """Print mutants / rejected / precise hint per check (visible with ``pytest -s``)."""
    if not SUMMARY:
        pytest.skip("no mutant test ran in this session")
    by_check = {}
    for check, _, rejected, precise in SUMMARY:
        counts = by_check.setdefault(check, [0, 0, 0])
        counts[0] += 1
        counts[1] += rejected
        counts[2] += precise
    lines = [f"{'check':<28}{'mutants':>8}{'rejected':>10}{'precise hint':>14}"]
    lines += [f"{c:<28}{n:>8}{r:>10}{p:>14}" for c, (n, r, p) in by_check.items()]
    totals = [sum(v[i] for v in by_check.values()) for i in range(3)]
    lines.append(f"{'total':<28}{totals[0]:>8}{totals[1]:>10}{totals[2]:>14}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert totals[0] == totals[1]
