"""Spec of the cost exercise: model_macs, the multiply-adds of a whole stacked model.

Chapter 9 counts the multiply-adds of one step of one layer, ``k u (d + u)``
per example. The exercise asks for a whole forward pass of a model: a stack
of recurrent layers of one kind (each but the last with
``return_sequences=True``), each optionally wrapped in ``Bidirectional``,
over ``time`` steps, then a ``Dense(outputs)`` on the last layer's final state.
Only the matrix products count (no biases, no elementwise work), for one
example. The answer is an int, compared exactly.
"""

from __future__ import annotations

from rnnlib.checks._engine import Spec

BLOCKS = {"simple_rnn": 1, "gru": 3, "lstm": 4}


def _macs(
    kind,
    units,
    input_dim,
    time,
    outputs,
    bidirectional,
    *,
    blocks=BLOCKS,
    feed=None,
    directions=None,
    head_directions=None,
    head_steps=lambda t: 1,
    steps=lambda t: t,
    recurrent=lambda k, u: k * u * u,
    extra=0,
    factor=1,
):
    """The reference count; each keyword changes one term (for the mutants)."""
    k = blocks[kind]
    dirs = 2 if bidirectional else 1
    total, d = 0, input_dim
    for u in units:
        per_step = k * u * (d + extra) + recurrent(k, u)  # x_t @ kernel, h_prev @ recurrent_kernel
        total += (dirs if directions is None else directions) * steps(time) * per_step
        d = input_dim if feed == "first" else dirs * u if feed is None else feed(dirs, u)
    head = (dirs if head_directions is None else head_directions) * units[-1] * outputs
    return factor * (total + head_steps(time) * head)


def _ref(kind, units, input_dim, time, outputs, bidirectional=False):
    return _macs(kind, tuple(units), input_dim, time, outputs, bidirectional)


def _change(**change):
    def wrong(kind, units, input_dim, time, outputs, bidirectional=False):
        return _macs(kind, tuple(units), input_dim, time, outputs, bidirectional, **change)

    return wrong


def _for(kinds, **change):
    mutant = _change(**change)

    def wrong(kind, *args):
        return mutant(kind, *args) if kind in kinds else _ref(kind, *args)

    return wrong


# Ties (two mistakes that give the same number on every failed case) name the
# first listed: the mistakes of one kind or of one term come first.
MUTANTS = [
    ("the LSTM is counted with 3 blocks: kernel (d, 4u) and recurrent_kernel (u, 4u) hold "
     "4 (i, f, c, o), so a step costs 4u(d + u)",
     _for({"lstm"}, blocks={**BLOCKS, "lstm": 3})),
    ("the GRU is counted with 4 blocks: it has 3 (z, r, h), so a step costs 3u(d + u); "
     "reset_after changes where a product goes, not its size",
     _for({"gru"}, blocks={**BLOCKS, "gru": 4})),
    ("every kind is counted with one block: a step of a layer with k blocks costs "
     "k u (d + u), k = 1, 3, 4 for the SimpleRNN, GRU and LSTM",
     _change(blocks={"simple_rnn": 1, "gru": 1, "lstm": 1})),
    ("the recurrent product is counted as (u, u): recurrent_kernel is (u, k u), so "
     "h_prev @ recurrent_kernel costs k u u per step",
     _change(recurrent=lambda k, u: u * u)),
    ("the recurrent product is left out: each step also computes h_prev @ recurrent_kernel, "
     "k u u multiply-adds", _change(recurrent=lambda k, u: 0)),
    ("the bias is counted: adding b is elementwise, not a multiply-add; count only the "
     "matrix products x_t @ kernel and h_prev @ recurrent_kernel", _change(extra=1)),
    ("every layer reads the model's input: layer 2 and above read the states of the layer "
     "below, so their d is that layer's output size (u, or 2u if Bidirectional)",
     _change(feed="first")),
    ("a Bidirectional layer passes 2u features (both directions' states, concatenated) to "
     "the next layer and to the readout, not u",
     _change(feed=lambda dirs, u: u, head_directions=1)),
    ("a Bidirectional layer runs two layers, one forward and one backward in time: count "
     "each direction's steps", _change(directions=1)),
    ("the Dense readout of a Bidirectional model reads 2u features (the last states of both "
     "directions), so its product costs 2u times outputs", _change(head_directions=1)),
    ("the Dense readout runs once, on the last layer's final state (return_sequences=False), "
     "not at every step", _change(head_steps=lambda t: t)),
    ("the Dense readout is left out: its product adds u times outputs multiply-adds "
     "(2u times outputs for a Bidirectional model)", _change(head_steps=lambda t: 0)),
    ("one step too few: a sequence of T steps runs the cell T times",
     _change(steps=lambda t: t - 1)),
    ("the layers count one step only: a sequence of T steps runs each layer's cell T times",
     _change(steps=lambda t: 1)),
    ("every value is twice the right one: these are FLOPs; count multiply-adds, one per "
     "multiply and add pair", _change(factor=2)),
]  # fmt: skip


def _exception_hint(err):
    if isinstance(err, KeyError):
        return 'kind is one of "simple_rnn", "lstm" and "gru": does your code handle each?'
    if isinstance(err, TypeError) and "iterable" in str(err):
        return "units is a tuple of ints, one per layer: loop over it"
    return None


def _label(kind, units, d, time, outputs, bidirectional, what=""):
    wrap = "Bidirectional " if bidirectional else ""
    layers = " + ".join(str(u) for u in units)
    heads = f"{outputs} output" + ("s" if outputs > 1 else "")
    return f"{wrap}{kind} ({layers} units), d = {d}, T = {time}, {heads}{what}"


def _cases(rng, hidden):
    def case(kind, units, d, time, outputs, bidirectional=False, what=""):
        args = (kind, tuple(units), d, time, outputs, bidirectional)
        return (_label(*args, what=what), args)

    if hidden:
        out = []
        for kind, layers, bidirectional in (
            ("simple_rnn", 1, False),
            ("lstm", 2, False),
            ("gru", 3, False),
            ("lstm", 1, True),
            ("gru", 2, True),
            ("simple_rnn", 3, True),
        ):
            units = tuple(int(u) for u in rng.integers(1, 300, size=layers))
            d, time, outputs = (int(v) for v in (rng.integers(1, 100), rng.integers(2, 500),
                                                rng.integers(1, 20)))  # fmt: skip
            out.append(case(kind, units, d, time, outputs, bidirectional))
        return out
    return [
        case("simple_rnn", (4,), 3, 1, 1, what=": one step"),
        case("simple_rnn", (4,), 3, 10, 1, what=": ten steps"),
        case("lstm", (5,), 2, 7, 3, what=": four blocks"),
        case("gru", (6,), 4, 5, 2, what=": three blocks"),
        case("lstm", (8, 4), 3, 6, 1, what=": layer 2 reads layer 1's states"),
        case("gru", (16, 8, 4), 1, 12, 5, what=": three layers"),
        case("simple_rnn", (4,), 3, 5, 2, True, what=": two directions"),
        case("lstm", (6, 3), 2, 4, 1, True, what=": stacked, two directions"),
        case("gru", (512, 512), 80, 1000, 10, what=": large"),
    ]


MODEL_MACS = Spec(
    signature="model_macs(kind, units, input_dim, time, outputs, bidirectional)",
    returns="macs",
    reference=_ref,
    cases=_cases,
    mutants=MUTANTS,
    exception_hint=_exception_hint,
    tip="count the products layer by layer yourself",
    doc="""Check a learner's ``model_macs(kind, units, input_dim, time, outputs, bidirectional)``.

    The function should return the number of multiply-adds (an int) of one
    forward pass of one example of ``time`` steps through a model: recurrent
    layers of ``kind`` with ``units[0], units[1], ...`` units, stacked (every
    layer but the last with ``return_sequences=True``), each wrapped in
    ``Bidirectional`` if ``bidirectional``, then ``Dense(outputs)`` on the last
    layer's output. Only the matrix products count: ``x_t @ kernel`` and
    ``h_prev @ recurrent_kernel`` at every step of every layer and direction,
    and the readout's product once. The sub-checks try one step, many steps,
    each kind, two and three stacked layers, two directions, one stacked and
    bidirectional model and large sizes; every answer must be exactly right.

    Example:

    >>> def my_model_macs(kind, units, input_dim, time, outputs, bidirectional):
    ...     k = {"simple_rnn": 1, "gru": 3, "lstm": 4}[kind]
    ...     dirs = 2 if bidirectional else 1
    ...     total, d = 0, input_dim
    ...     for u in units:
    ...         total += dirs * time * k * u * (d + u)
    ...         d = dirs * u
    ...     return total + d * outputs
    >>> model_macs(my_model_macs).passed
    True
    """,
)

SPECS = {"model_macs": MODEL_MACS}
