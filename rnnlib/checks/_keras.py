"""The Keras check: build_model compares a learner's model with a specification.

Unlike the numpy checks it has no reference to run: it reads the model's
layers, settings, shapes and parameter count. TensorFlow is imported only when
the check runs.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping

from rnnlib.checks._calls import _a_type, _call, _describe_exception, _error_text, _not_ready
from rnnlib.checks._report import CheckResult

_RECURRENT = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}


def _layer_spec(spec):
    """Turn ``"GRU"``, ``keras.layers.GRU`` or ``("GRU", {"units": 64})`` into (name, config)."""
    config = {}
    if isinstance(spec, tuple | list):
        if len(spec) != 2 or not isinstance(spec[1], Mapping):
            raise ValueError(f"a layer spec is a name or a (name, config dict) pair, got {spec!r}")
        spec, config = spec
    name = spec if isinstance(spec, str) else getattr(spec, "__name__", None)
    if not name:
        raise ValueError(f"a layer spec starts with a layer class or its name, got {spec!r}")
    return name, dict(config)


def _full_shape(shape):
    """Add the batch axis (None) to a shape given without it."""
    shape = tuple(shape)
    return shape if shape and shape[0] is None else (None, *shape)


def _fmt_keras_shape(shape):
    return "(" + ", ".join("None" if s is None else str(s) for s in shape) + ")"


def _shapes_fit(got, want):
    """``got`` fits ``want`` if the ranks match and every known size of ``got`` agrees."""
    return len(got) == len(want) and all(
        g is None or g == w for g, w in zip(got, want, strict=True)
    )


def _get_model(keras, model_or_fn, time_limit):
    """Return (model, None) or (None, message)."""
    if isinstance(model_or_fn, keras.Model):
        return model_or_fn, None
    problem = _not_ready(model_or_fn, "build_model")
    if problem:
        return None, problem
    if isinstance(model_or_fn, keras.layers.Layer):
        return None, (
            f"got {_a_type(model_or_fn)} layer, not a model: put the layers in "
            "`keras.Sequential([keras.Input(shape=...), ...])`"
        )
    outcome = _call(model_or_fn, (), time_limit)
    if outcome.timed_out:
        return None, f"did not finish within {time_limit:g} s: an infinite loop?"
    if outcome.exception is not None:
        return None, _describe_exception(outcome.exception, _keras_exception_hint)
    model = outcome.value
    if model is None:
        return None, "returned None: did you forget `return model`?"
    if isinstance(model, keras.Model):
        return model, None
    if isinstance(model, list | tuple):
        return None, (
            f"returned {_a_type(model)} of layers: wrap them in a model, "
            "`keras.Sequential([keras.Input(shape=...), ...])`"
        )
    if isinstance(model, keras.layers.Layer):
        return None, (
            f"returned {_a_type(model)} layer, not a model: put the layers in "
            "`keras.Sequential([keras.Input(shape=...), ...])`"
        )
    return None, f"returned {_a_type(model)}, not a keras.Model"


def _keras_exception_hint(err):
    if re.search(r"expected ndim=3, found ndim=2", _error_text(err)):
        return (
            "A recurrent layer got one vector per sequence instead of a sequence: the "
            "recurrent layer before it needs return_sequences=True."
        )
    return None


def _model_layers(model):
    return [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]


def _layers_problem(got, want) -> str | None:
    got_names = [type(layer).__name__ for layer in got]
    want_names = [name for name, _ in want]
    if [n.lower() for n in got_names] == [n.lower() for n in want_names]:
        return None
    if len(got_names) == len(want_names):
        wrong = [
            f"layer {i} is {g}, expected {w}"
            for i, (g, w) in enumerate(zip(got_names, want_names, strict=True), start=1)
            if g.lower() != w.lower()
        ]
        return "; ".join(wrong)
    message = (
        f"expected {len(want_names)} layers ({', '.join(want_names)}), "
        f"got {len(got_names)} ({', '.join(got_names) or 'none'})"
    )
    lower_got, lower_want = [n.lower() for n in got_names], [n.lower() for n in want_names]
    for i in range(len(lower_got)):
        if lower_got[:i] + lower_got[i + 1 :] == lower_want:
            return f"{message}: layer {i + 1} ({got_names[i]}) is one too many"
    for i in range(len(lower_want)):
        if lower_want[:i] + lower_want[i + 1 :] == lower_got:
            return f"{message}: the {want_names[i]} layer (layer {i + 1}) is missing"
    return message


def _config_problems(got_layers, want):
    problems = []
    for index, (layer, (name, config)) in enumerate(zip(got_layers, want, strict=False), start=1):
        if type(layer).__name__.lower() != name.lower():
            continue
        try:
            layer_config = layer.get_config()
        except Exception:  # noqa: BLE001 - a custom layer without get_config
            layer_config = {}
        for key, value in config.items():
            found = layer_config.get(key, getattr(layer, key, "(not set)"))
            if found == value:
                continue
            where = f"layer {index} ({type(layer).__name__})"
            if key == "return_sequences" and value:
                problems.append(
                    f"{where} needs return_sequences=True, to pass every time step on to "
                    "the next layer"
                )
            elif key == "return_sequences":
                problems.append(
                    f"{where} has return_sequences=True: set it to False (the default) "
                    "to keep only the last time step"
                )
            elif key == "reset_after":
                problems.append(
                    f"{where} has reset_after={found}, expected {value}"
                    + (" (Keras's default)" if value else "")
                )
            else:
                problems.append(f"{where}: {key} is {found!r}, expected {value!r}")
    return problems


def _output_shape(model, input_shape):
    with contextlib.suppress(Exception):
        return tuple(model.output_shape)
    return tuple(model.compute_output_shape(input_shape))


def _output_hint(got, want, input_shape, layers):
    if len(got) == len(want) + 1 and len(input_shape) > 1 and got[1] == input_shape[1]:
        if any(type(layer).__name__ in _RECURRENT for layer in layers):
            return (
                "the output still has the time axis: the last recurrent layer needs "
                "return_sequences=False (the default)"
            )
        return "the output still has the time axis: a recurrent layer should remove it"
    if len(got) == len(want) and got[:-1] == want[:-1] and layers:
        return (
            f"the last layer ({type(layers[-1]).__name__}) has {got[-1]} units, expected {want[-1]}"
        )
    return None


def _param_count_hint(layers, got, want):
    """Guess which setting explains a parameter count that is off."""
    for index, layer in enumerate(layers, start=1):
        name = type(layer).__name__
        where = f"layer {index} ({name})"
        if name == "GRU":
            delta = 3 * layer.units
            if not layer.reset_after and got + delta == want:
                return (
                    f"{where} has reset_after=False: Keras's default, reset_after=True, "
                    f"adds a second bias vector ({delta:,} more parameters)"
                )
            if layer.reset_after and got - delta == want:
                return (
                    f"{where} has reset_after=True (the default), which adds a second bias "
                    f"vector: the exercise wants reset_after=False"
                )
        if name in _RECURRENT and getattr(layer, "built", False):
            own = layer.count_params()
            d = layer.cell.kernel.shape[0]
            for other, k in _RECURRENT.items():
                other_count = k * layer.units * (d + layer.units + (2 if other == "GRU" else 1))
                if other != name and got - own + other_count == want:
                    return f"{where} would give the expected count as a {other}"
        if getattr(layer, "use_bias", True) is False:
            return f"{where} has use_bias=False: the exercise counts its biases"
    return "check the units of each layer"


def build_model(
    model_or_fn, *, input_shape, layers, output_shape, params=None, seed=0, time_limit=5.0
):
    """Check a Keras model from a learner's exercise: its layers, shapes and parameter count.

    Accepts the model itself or a function of no arguments that builds and
    returns it. A model built without ``keras.Input`` is built for
    ``input_shape``. The sub-checks: the model takes inputs of
    ``input_shape``; its layers have the classes of ``layers``, in order
    (``InputLayer`` aside), and the settings given there; its output shape;
    and, if ``params`` is given, its ``count_params()``. A wrong count gets a
    guess at its cause, e.g. "a GRU with reset_after=False?".

    Args:
        model_or_fn: a `keras.Model`, or a zero-argument function returning one.
        input_shape: shape of one input example, without the batch axis,
            as for `keras.Input(shape=...)`, e.g. `(10, 1)`.
        layers: the expected layers, in order. Each is a class name
            (`"GRU"`), a layer class (`keras.layers.GRU`) or a pair of a name
            and a dict of settings to check in the layer's config, e.g.
            `("GRU", {"units": 64, "reset_after": False})`.
        output_shape: expected `model.output_shape`, with the batch axis
            `None`, e.g. `(None, 1)`; a shape without it is accepted too.
        params: expected `model.count_params()`, or None not to check it.
        seed: accepted for a signature like the other checks; unused.
        time_limit: seconds `model_or_fn()` may take.

    Returns:
        A `CheckResult`; truthy if every sub-check passed.

    Example:

    >>> import keras
    >>> def my_model():
    ...     return keras.Sequential(
    ...         [keras.Input(shape=(10, 1)), keras.layers.GRU(64), keras.layers.Dense(1)]
    ...     )
    >>> build_model(my_model, input_shape=(10, 1), layers=["GRU", "Dense"],
    ...             output_shape=(None, 1), params=12929).passed
    True
    """
    import keras  # lazy: only this check needs TensorFlow

    del seed  # the model is the learner's; nothing here is random
    want_layers = [_layer_spec(spec) for spec in layers]
    want_input = _full_shape(input_shape)
    want_output = _full_shape(output_shape)
    layer_names = ", ".join(name for name, _ in want_layers)
    labels = {
        "input": f"input shape {_fmt_keras_shape(want_input)}",
        "layers": f"layers {layer_names}",
        "config": "layer settings",
        "output": f"output shape {_fmt_keras_shape(want_output)}",
        "params": f"{params:,} parameters" if params is not None else None,
    }
    if not any(config for _, config in want_layers):
        del labels["config"]
    if params is None:
        del labels["params"]
    result = CheckResult("build_model", max_score=len(labels))

    model, problem = _get_model(keras, model_or_fn, time_limit)
    if problem:
        return result.add(problem, False)

    # The input: a model without keras.Input is built here, for input_shape.
    built = model.built
    input_problem = None
    if built:
        try:
            got_input = tuple(model.input_shape)
        except Exception:  # noqa: BLE001 - a subclassed model has no input_shape
            got_input = want_input
        if not _shapes_fit(got_input, want_input):
            input_problem = (
                f"the model takes inputs of shape {_fmt_keras_shape(got_input)}: "
                f"start it with `keras.Input(shape={tuple(input_shape)})`"
            )
    else:
        outcome = _call(lambda: model.build(want_input), (), time_limit)
        built = outcome.exception is None and not outcome.timed_out and model.built
        if not built:
            reason = (
                _describe_exception(outcome.exception)
                if outcome.exception is not None
                else "it could not be built"
            )
            input_problem = f"the model could not be built for these inputs: {reason}"
    result.add(labels["input"], input_problem is None, input_problem)

    got_layers = _model_layers(model)
    layers_problem = _layers_problem(got_layers, want_layers)
    result.add(labels["layers"], layers_problem is None, layers_problem)
    if "config" in labels:
        problems = _config_problems(got_layers, want_layers)
        result.add(labels["config"], not problems, "; ".join(problems))

    if not built:
        reason = "not checked, since the model could not be built"
        result.add(labels["output"], False, reason)
        if "params" in labels:
            result.add(labels["params"], False, reason)
        return result

    try:
        got_output = _output_shape(model, want_input)
        output_problem = None
        if not _shapes_fit(got_output, want_output) or len(got_output) != len(want_output):
            output_problem = f"got {_fmt_keras_shape(got_output)}"
            hint = _output_hint(got_output, want_output, want_input, got_layers)
            if hint:
                output_problem += f": {hint}"
    except Exception as err:  # noqa: BLE001
        output_problem = f"the output shape could not be computed: {_describe_exception(err)}"
    result.add(labels["output"], output_problem is None, output_problem)

    if "params" in labels:
        params_problem = None
        try:
            got_params = int(model.count_params())
        except Exception as err:  # noqa: BLE001
            params_problem = f"the parameters could not be counted: {_describe_exception(err)}"
        else:
            if got_params != params:
                hint = _param_count_hint(got_layers, got_params, params)
                params_problem = f"got {got_params:,} parameters: {hint}"
        result.add(labels["params"], params_problem is None, params_problem)
    return result
