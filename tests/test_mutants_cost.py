"""model_macs (chapter 9's count, for a whole model): the reference, right answers and mistakes.

The reference counts the multiply-adds of one forward pass of a stacked,
optionally bidirectional, recurrent model with a Dense readout. It is held
against hand-derived numbers and against a real Keras model: each weight of a
kernel or recurrent kernel is used in exactly one multiply-add per step (and
the Dense kernel's once), so the count is ``time * (kernel + recurrent_kernel
sizes)`` summed over the layers and directions, plus the Dense kernel's size.
Each mutant is written here as a learner might, never taken from the spec.
"""

from __future__ import annotations

import time as clock

import pytest

from rnnlib import checks
from rnnlib.checks.specs.cost import _ref as reference

BLOCKS = {"simple_rnn": 1, "gru": 3, "lstm": 4}
KERAS_LAYERS = {"simple_rnn": "SimpleRNN", "gru": "GRU", "lstm": "LSTM"}


def test_hand_derived_values():
    # SimpleRNN(4) on 3 features, 1 step: 4 * (3 + 4) = 28, Dense(1): 4
    assert reference("simple_rnn", (4,), 3, 1, 1, False) == 32
    # 10 steps: 280 + 4
    assert reference("simple_rnn", (4,), 3, 10, 1, False) == 284
    # LSTM(8) -> LSTM(4) on 3 features, 6 steps, Dense(1):
    # 6 * 4 * 8 * (3 + 8) + 6 * 4 * 4 * (8 + 4) + 4 = 2112 + 1152 + 4
    assert reference("lstm", (8, 4), 3, 6, 1, False) == 3268
    # Bidirectional SimpleRNN(4), 3 features, 5 steps, Dense(2):
    # 2 * 5 * 4 * (3 + 4) + 8 * 2 = 280 + 16
    assert reference("simple_rnn", (4,), 3, 5, 2, True) == 296
    # Bidirectional GRU(6) -> Bidirectional GRU(3), 2 features, 4 steps, Dense(1):
    # 2 * 4 * 3 * 6 * (2 + 6) + 2 * 4 * 3 * 3 * (12 + 3) + 6 = 1152 + 1080 + 6
    assert reference("gru", (6, 3), 2, 4, 1, True) == 2238


def keras_macs(keras, kind, units, input_dim, time, outputs, bidirectional):
    """Multiply-adds read off a real Keras model's weight shapes."""
    layers = [keras.Input((time, input_dim))]
    for i, u in enumerate(units):
        layer = getattr(keras.layers, KERAS_LAYERS[kind])(u, return_sequences=i < len(units) - 1)
        layers.append(keras.layers.Bidirectional(layer) if bidirectional else layer)
    layers.append(keras.layers.Dense(outputs))
    model = keras.Sequential(layers)
    total = 0
    for layer in model.layers:
        steps = 1 if isinstance(layer, keras.layers.Dense) else time
        for weight in layer.weights:
            if weight.path.split("/")[-1] in ("kernel", "recurrent_kernel"):
                total += steps * int(weight.numpy().size)
    return total


@pytest.mark.keras
@pytest.mark.parametrize(
    "args",
    [
        ("simple_rnn", (4,), 3, 10, 1, False),
        ("lstm", (8, 4), 3, 6, 1, False),
        ("gru", (16, 8, 4), 1, 12, 5, False),
        ("gru", (6, 3), 2, 4, 1, True),
        ("lstm", (5,), 7, 9, 3, True),
        ("simple_rnn", (3, 5, 2), 4, 2, 6, True),
    ],
)
def test_reference_matches_a_keras_model(keras, args):
    assert reference(*args) == keras_macs(keras, *args)


# ==========================================================================
# Right answers and mistakes, written as a learner would.
# ==========================================================================


def right(kind, units, input_dim, time, outputs, bidirectional):
    k = BLOCKS[kind]
    directions = 2 if bidirectional else 1
    total, d = 0, input_dim
    for u in units:
        total += directions * time * (d * k * u + u * k * u)
        d = directions * u
    return total + d * outputs


def right_in_one_line(kind, units, input_dim, time, outputs, bidirectional):
    n = 2 if bidirectional else 1
    dims = [input_dim] + [n * u for u in units]
    k = {"simple_rnn": 1, "lstm": 4, "gru": 3}[kind]
    return (
        sum(n * time * k * u * (d + u) for d, u in zip(dims[:-1], units, strict=True))
        + dims[-1] * outputs
    )


def _count(kind, units, input_dim, time, outputs, bidirectional, **change):
    k = change.get("blocks", BLOCKS)[kind]
    n = 2 if bidirectional else 1
    total, d = 0, input_dim
    for u in units:
        rec = change.get("rec", lambda k, u: k * u * u)(k, u)
        total += change.get("dirs", n) * change.get("steps", time) * (k * u * d + rec)
        d = change.get("next_d", lambda n, u: n * u)(n, u)
    head_in = change.get("head_in", d)
    return total + change.get("head_times", 1) * head_in * outputs


def lstm_three(*a):
    return _count(*a, blocks={"simple_rnn": 1, "gru": 3, "lstm": 3})


def gru_four(*a):
    return _count(*a, blocks={"simple_rnn": 1, "gru": 4, "lstm": 4})


def no_blocks(*a):
    return _count(*a, blocks={"simple_rnn": 1, "gru": 1, "lstm": 1})


def square_recurrent(*a):
    return _count(*a, rec=lambda k, u: u * u)


def with_bias(kind, units, input_dim, time, outputs, bidirectional):
    k = BLOCKS[kind]
    n = 2 if bidirectional else 1
    total, d = 0, input_dim
    for u in units:
        total += n * time * k * u * (d + u + 1)
        d = n * u
    return total + d * outputs


def same_input_everywhere(kind, units, input_dim, time, outputs, bidirectional):
    k = BLOCKS[kind]
    n = 2 if bidirectional else 1
    total = sum(n * time * k * u * (input_dim + u) for u in units)
    return total + n * units[-1] * outputs


def bidirectional_not_doubled_forward(*a):
    return _count(*a, next_d=lambda n, u: u)


def one_direction_of_work(*a):
    return _count(*a, dirs=1)


def readout_every_step(kind, units, input_dim, time, outputs, bidirectional):
    return _count(kind, units, input_dim, time, outputs, bidirectional, head_times=time)


def no_readout(*a):
    return _count(*a, head_times=0)


def one_step(*a):
    return _count(*a, steps=1)


def flops(*a):
    return 2 * right(*a)


def as_float(*a):
    return float(right(*a))


def readout_one_direction(kind, units, input_dim, time, outputs, bidirectional):
    return _count(kind, units, input_dim, time, outputs, bidirectional, head_in=units[-1])


MUTANTS = [
    ("LSTM with 3 blocks", lstm_three, "the LSTM is counted with 3 blocks"),
    ("GRU with 4 blocks", gru_four, "the GRU is counted with 4 blocks"),
    ("no factor k", no_blocks, "every kind is counted with one block"),
    ("recurrent kernel (u, u)", square_recurrent, "the recurrent product is counted as (u, u)"),
    ("bias counted", with_bias, "the bias is counted"),
    ("every layer reads the input", same_input_everywhere, "every layer reads the model's input"),
    ("Bidirectional passes u", bidirectional_not_doubled_forward, "passes 2u features"),
    ("one direction's work", one_direction_of_work, "count each direction's steps"),
    ("readout of one direction", readout_one_direction, "reads 2u features"),
    ("readout at every step", readout_every_step, "the Dense readout runs once"),
    ("no readout", no_readout, "the Dense readout is left out"),
    ("one step", one_step, "the layers count one step only"),
    ("FLOPs", flops, "these are FLOPs"),
    ("a float", as_float, "return an int"),
]


@pytest.mark.parametrize(("name", "mutant", "hint"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_mutant_is_rejected_with_its_hint(name, mutant, hint):
    public = checks.model_macs(mutant)
    assert not public.passed, f"{name} passed:\n{public}"
    assert hint in str(public), f"expected {hint!r} in:\n{public}"
    assert not checks.run("model_macs", mutant, key=97).passed


@pytest.mark.parametrize("solution", [right, right_in_one_line])
def test_right_answers_pass(solution):
    assert checks.model_macs(solution).passed
    assert checks.run("model_macs", solution, key=97).passed
    assert checks.run("model_macs", solution, key=2026).passed


def test_the_check_is_fast():
    start = clock.perf_counter()
    checks.model_macs(right)
    checks.run("model_macs", right, key=97)
    assert clock.perf_counter() - start < 1.0


def test_calling_the_reference_scores_zero():
    def shortcut(*args):
        return reference(*args)

    result = checks.model_macs(shortcut)
    assert result.score == 0 and "rnnlib's own reference" in str(result)


def test_bad_code_gets_a_kind_message():
    def stub(kind, units, input_dim, time, outputs, bidirectional):
        raise NotImplementedError

    def no_return(kind, units, input_dim, time, outputs, bidirectional):
        total = 0  # noqa: F841

    def unknown_kind(kind, units, input_dim, time, outputs, bidirectional):
        return {"lstm": 4}[kind] * units[0]

    assert "not written yet" in str(checks.model_macs(stub))
    assert "returned None" in str(checks.model_macs(no_return))
    assert "raised KeyError" in str(checks.model_macs(unknown_kind))
    for fn in (stub, no_return, unknown_kind, None):
        assert checks.model_macs(fn).score == 0
