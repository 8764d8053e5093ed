"""Bad input raises ValueError naming the argument, the expected shape and the shape it got."""

import re

import numpy as np
import pytest

import rnnlib

B, T, D, U = 2, 4, 3, 8  # batch, time, input features, units


def gru():
    return rnnlib.init_params("gru", U, D, seed=0)


def lstm():
    return rnnlib.init_params("lstm", U, D, seed=0)


def x_ok():
    return np.zeros((B, T, D))


def with_(params, **changes):
    return {**params, **changes}


def without(params, key):
    return {k: v for k, v in params.items() if k != key}


# (call, exact message). Every message names the argument, the shape wanted and the shape got.
CASES = {
    "x_not_3d": (
        lambda: rnnlib.forward("gru", np.zeros((3, 4)), gru()),
        "x must have shape (batch, time, features), got shape (3, 4)",
    ),
    "x_wrong_features": (
        lambda: rnnlib.forward("gru", np.zeros((B, T, 5)), gru()),
        "x must have shape (batch, time, 3) to match a kernel with 3 input features, got (2, 4, 5)",
    ),
    "kind": (
        lambda: rnnlib.forward("rnn", x_ok(), gru()),
        "kind must be one of 'simple_rnn', 'gru', 'lstm', got 'rnn'",
    ),
    "missing_key": (
        lambda: rnnlib.forward("lstm", x_ok(), without(lstm(), "bias")),
        "params is missing key 'bias'; a lstm params dict needs kernel, recurrent_kernel, bias",
    ),
    "recurrent_kernel": (
        lambda: rnnlib.forward("gru", x_ok(), with_(gru(), recurrent_kernel=np.zeros((U, 16)))),
        "params['recurrent_kernel'] must have shape (8, 24) for a gru with 8 units, got (8, 16)",
    ),
    "recurrent_kernel_1d": (
        lambda: rnnlib.forward("simple_rnn", x_ok(), with_(gru(), recurrent_kernel=np.zeros(8))),
        "params['recurrent_kernel'] must have shape (units, units), got shape (8,)",
    ),
    "kernel": (
        lambda: rnnlib.forward("lstm", x_ok(), with_(lstm(), kernel=np.zeros((D, 24)))),
        "params['kernel'] must have shape (input_dim, 32) for a lstm with 8 units, got (3, 24)",
    ),
    "gru_bias_reset_after": (
        lambda: rnnlib.forward("gru", x_ok(), with_(gru(), bias=np.zeros(24))),
        "params['bias'] must have shape (2, 24) for a gru with 8 units and reset_after=True, "
        "got (24,)",
    ),
    "gru_bias_reset_before": (
        lambda: rnnlib.forward("gru", x_ok(), with_(gru(), reset_after=False)),
        "params['bias'] must have shape (24,) for a gru with 8 units and reset_after=False, "
        "got (2, 24)",
    ),
    "initial_state": (
        lambda: rnnlib.forward("gru", x_ok(), gru(), initial_state=np.zeros((B, 7))),
        "initial_state must have shape (2, 8) = (batch, units), got (2, 7)",
    ),
    "initial_state_batch": (
        lambda: rnnlib.forward("gru", x_ok(), gru(), initial_state=np.zeros((1, U))),
        "initial_state must have shape (2, 8) = (batch, units), got (1, 8)",
    ),
    "lstm_initial_state_not_pair": (
        lambda: rnnlib.forward("lstm", x_ok(), lstm(), initial_state=np.zeros((B, U))),
        "initial_state for a lstm must be a pair (h0, c0) of arrays with shape (2, 8), "
        "got ndarray of shape (2, 8)",
    ),
    "lstm_initial_state_c0": (
        lambda: rnnlib.forward(
            "lstm", x_ok(), lstm(), initial_state=(np.zeros((B, U)), np.zeros((B, 3)))
        ),
        "initial_state[1] (c0) must have shape (2, 8) = (batch, units), got (2, 3)",
    ),
    "d_hs": (
        lambda: rnnlib.backward("gru", x_ok(), gru(), np.zeros((B, T, 7))),
        "d_hs must have shape (2, 4, 8) like the hidden states (batch, time, units), got (2, 4, 7)",
    ),
    "d_cs": (
        lambda: rnnlib.backward("lstm", x_ok(), lstm(), np.zeros((B, T, U)), d_cs=np.zeros((B, U))),
        "d_cs must have shape (2, 4, 8) like the cell states (batch, time, units), got (2, 8)",
    ),
    "d_cs_not_lstm": (
        lambda: rnnlib.backward(
            "gru", x_ok(), gru(), np.zeros((B, T, U)), d_cs=np.zeros((B, T, U))
        ),
        "d_cs is only for kind='lstm' (cell states), got kind='gru'",
    ),
    "x_strings": (
        lambda: rnnlib.forward("gru", np.full((B, T, D), "a"), gru()),
        "x must be a numeric (int or float) array, got dtype <U1",
    ),
    "kernel_objects": (
        lambda: rnnlib.forward("gru", x_ok(), with_(gru(), kernel=[[None] * 24] * 3)),
        "params['kernel'] must be a numeric (int or float) array, got dtype object",
    ),
    "reset_after_not_bool": (
        lambda: rnnlib.forward("gru", x_ok(), with_(gru(), reset_after="yes")),
        "params['reset_after'] must be True or False, got 'yes'",
    ),
    "rnn_step_W_h": (
        lambda: rnnlib.rnn_step(
            np.zeros((B, D)), np.zeros((B, U)), np.zeros((D, U)), np.zeros((U, 5)), np.zeros(U)
        ),
        "W_h must have shape (8, 8) for a simple_rnn with 8 units, got (8, 5)",
    ),
    "rnn_step_x_t": (
        lambda: rnnlib.rnn_step(
            np.zeros((B, T, D)), np.zeros((B, U)), np.zeros((D, U)), np.zeros((U, U)), np.zeros(U)
        ),
        "x_t must have shape (batch, features), got shape (2, 4, 3)",
    ),
    "rnn_step_b": (
        lambda: rnnlib.rnn_step(
            np.zeros((B, D)), np.zeros((B, U)), np.zeros((D, U)), np.zeros((U, U)), np.zeros((1, U))
        ),
        "b must have shape (8,) for a simple_rnn with 8 units, got (1, 8)",
    ),
    "gru_step_h_prev": (
        lambda: rnnlib.gru_step(np.zeros((B, D)), np.zeros((B, 1)), gru()),
        "h_prev must have shape (2, 8) = (batch, units), got (2, 1)",
    ),
    "lstm_step_c_prev": (
        lambda: rnnlib.lstm_step(np.zeros((B, D)), np.zeros((B, U)), np.zeros(U), lstm()),
        "c_prev must have shape (2, 8) = (batch, units), got (8,)",
    ),
    "lstm_step_x_t_features": (
        lambda: rnnlib.lstm_step(np.zeros((B, 2)), np.zeros((B, U)), np.zeros((B, U)), lstm()),
        "x_t must have shape (batch, 3) to match a kernel with 3 input features, got (2, 2)",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_raises_clear_value_error(case):
    call, message = CASES[case]
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_ragged_input_is_a_value_error():
    with pytest.raises(ValueError, match=r"^x must be a numeric array"):
        rnnlib.forward(
            "simple_rnn", [[[1.0]], [[1.0, 2.0]]], rnnlib.init_params("simple_rnn", 2, 1, seed=0)
        )


def test_params_must_be_a_dict():
    with pytest.raises(TypeError, match="params must be a dict of arrays, got list"):
        rnnlib.forward("gru", x_ok(), [1, 2, 3])


def test_int_inputs_compute_in_float64():
    params = {
        k: (np.round(v * 10).astype(int) if isinstance(v, np.ndarray) else v)
        for k, v in rnnlib.init_params("simple_rnn", 2, 1, seed=0).items()
    }
    hs = rnnlib.forward("simple_rnn", np.ones((1, 2, 1), dtype=int), params)
    assert hs.dtype == np.float64
