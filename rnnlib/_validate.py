"""Input checks shared by every public function in rnnlib.

Each check raises a ``ValueError`` that names the argument, the shape it should
have and the shape it got, so that a learner can fix the call without reading
the library. All shape messages go through :func:`check_shape`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

KINDS = ("simple_rnn", "gru", "lstm")

# Number of gate blocks stacked side by side in kernel and recurrent_kernel.
GATES = {"simple_rnn": 1, "gru": 3, "lstm": 4}

PARAM_KEYS = ("kernel", "recurrent_kernel", "bias")


def format_shape(shape) -> str:
    """Format a shape like numpy, but allow named axes: ``(batch, time, 8)``."""
    inner = ", ".join(str(n) for n in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def check_kind(kind) -> str:
    """Return ``kind`` if it is one of :data:`KINDS`, else raise ``ValueError``."""
    if kind not in KINDS:
        choices = ", ".join(repr(k) for k in KINDS)
        raise ValueError(f"kind must be one of {choices}, got {kind!r}")
    return kind


def as_array(name: str, value) -> np.ndarray:
    """Turn ``value`` into a numpy array, refusing anything that is not numbers."""
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as err:  # ragged nested lists, for example
        raise ValueError(f"{name} must be a numeric array: {err}") from None
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be a numeric (int or float) array, got dtype {arr.dtype}")
    return arr


def check_shape(name: str, arr: np.ndarray, expected: tuple, context: str = "") -> None:
    """Check ``arr.shape`` against ``expected``.

    Integer entries of ``expected`` must match exactly; string entries
    (``"batch"``, ``"time"``...) are named axes of any size. ``context`` says
    where the integers come from, e.g. ``"for a gru with 8 units"``.
    """
    ok = arr.ndim == len(expected) and all(
        isinstance(want, str) or got == want for got, want in zip(arr.shape, expected, strict=True)
    )
    if not ok:
        where = f" {context}, got" if context else ", got shape"
        raise ValueError(
            f"{name} must have shape {format_shape(expected)}{where} {format_shape(arr.shape)}"
        )


def result_dtype(*arrays: np.ndarray) -> np.dtype:
    """The float dtype to compute in: numpy's result type, float64 for all-int input."""
    dtype = np.result_type(*arrays)
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


class Params(NamedTuple):
    """A checked params dict, plus the sizes read off it."""

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray
    units: int
    input_dim: int
    reset_after: bool


def bias_shape(kind: str, units: int, reset_after: bool = True) -> tuple[int, ...]:
    """Keras's bias shape: ``(2, 3u)`` for a reset_after GRU, else ``(k*u,)``."""
    if kind == "gru" and reset_after:
        return (2, 3 * units)
    return (GATES[kind] * units,)


def check_params(kind: str, params, names: Mapping[str, str] | None = None) -> Params:
    """Check a params dict against ``kind`` and return its arrays and sizes.

    Units are read off ``recurrent_kernel.shape[0]`` and the input size off
    ``kernel.shape[0]``; everything else must agree with those two numbers.
    ``names`` relabels the arrays in messages (``rnn_step`` calls them W_x, W_h, b).
    """
    check_kind(kind)
    names = names or {key: f"params[{key!r}]" for key in PARAM_KEYS}
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    for key in PARAM_KEYS:
        if key not in params:
            raise ValueError(
                f"params is missing key {key!r}; a {kind} params dict needs "
                + ", ".join(PARAM_KEYS)
            )
    k = GATES[kind]
    kernel = as_array(names["kernel"], params["kernel"])
    recurrent_kernel = as_array(names["recurrent_kernel"], params["recurrent_kernel"])
    bias = as_array(names["bias"], params["bias"])

    check_shape(
        names["recurrent_kernel"], recurrent_kernel, ("units", f"{k}*units" if k > 1 else "units")
    )
    units = recurrent_kernel.shape[0]
    for_kind = f"for a {kind} with {units} units"
    check_shape(names["recurrent_kernel"], recurrent_kernel, (units, k * units), for_kind)
    check_shape(names["kernel"], kernel, ("input_dim", k * units), for_kind)

    reset_after = True
    if kind == "gru":
        reset_after = params.get("reset_after", True)
        if not isinstance(reset_after, bool | np.bool_):
            raise ValueError(f"params['reset_after'] must be True or False, got {reset_after!r}")
        reset_after = bool(reset_after)
        for_kind += f" and reset_after={reset_after}"
    check_shape(names["bias"], bias, bias_shape(kind, units, reset_after), for_kind)
    return Params(kernel, recurrent_kernel, bias, units, kernel.shape[0], reset_after)


def check_input(name: str, x, input_dim: int, axes=("batch", "time")) -> np.ndarray:
    """Check an input, ``(batch, time, features)`` by default, against the kernel's size.

    Step functions pass ``axes=("batch",)`` for a single time step ``x_t``.
    """
    x = as_array(name, x)
    check_shape(name, x, (*axes, "features"))
    check_shape(name, x, (*axes, input_dim), f"to match a kernel with {input_dim} input features")
    return x


def check_state(name: str, value, batch: int, units: int) -> np.ndarray:
    """Check one ``(batch, units)`` state array (h_prev, c_prev, h0, ...)."""
    state = as_array(name, value)
    check_shape(name, state, (batch, units), "= (batch, units)")
    return state


def check_initial_state(kind: str, initial_state, batch: int, units: int):
    """Return ``(h0, c0)``: zeros where ``initial_state`` is None, ``c0`` None unless lstm."""
    if initial_state is None:
        zeros = np.zeros((batch, units))
        return zeros, (zeros if kind == "lstm" else None)
    if kind != "lstm":
        return check_state("initial_state", initial_state, batch, units), None
    is_sequence = isinstance(initial_state, tuple | list)
    if not (is_sequence and len(initial_state) == 2):
        got = type(initial_state).__name__
        if is_sequence:
            got += f" of length {len(initial_state)}"
        elif isinstance(initial_state, np.ndarray):
            got += f" of shape {format_shape(initial_state.shape)}"
        raise ValueError(
            f"initial_state for a lstm must be a pair (h0, c0) of arrays with shape "
            f"{format_shape((batch, units))}, got {got}"
        )
    h0, c0 = initial_state
    return (
        check_state("initial_state[0] (h0)", h0, batch, units),
        check_state("initial_state[1] (c0)", c0, batch, units),
    )


def check_size(name: str, value) -> int:
    """Return ``value`` as an int if it is a positive integer (units, input_dim)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)
