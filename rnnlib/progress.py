"""Progress for long cells: shown in a live notebook, absent from saved outputs.

A training cell that runs for ten seconds should show a learner that it is
working and how long is left. Keras's own bar (``verbose=1``) prints text whose
content depends on timing, and the book's notebooks are compared output by
output by nbval, so they train with ``verbose=0``. This module draws a one-line
bar that updates in place, and only when a person is watching:

* in a live front end (JupyterLab, Jupyter Notebook, VS Code, Colab) the bar
  is displayed and updated in place;
* under batch execution (nbval, ``make outputs``, nbclient, nbconvert,
  papermill, jupyter-book) nothing is displayed, so the stored outputs are
  exactly those of the code without the bar.

How it tells them apart: every execute request carries an ``allow_stdin``
flag. A front end with a person at the keyboard can answer ``input()`` and
sends ``True``; batch runners have no one to answer and send ``False``. The
environment variable ``RNNLIB_PROGRESS`` overrides the test: ``off`` never
shows a bar, ``on`` shows one in any IPython kernel.

Example (in a plain Python process nothing is live, so nothing is drawn and
the loop runs unchanged):

>>> from rnnlib import progress
>>> progress.is_live()
False
>>> sum(progress.track(range(4), "adding"))
6
>>> progress.render(3, 4, "GRU", unit="epochs", note="loss 0.0123", elapsed=3.0)
'GRU ▕███████████████░░░░░▏ 3/4 epochs · loss 0.0123 · 3.0 s, about 1.0 s left'

With Keras, pass the callback to ``fit``:
``model.fit(x, y, epochs=10, verbose=0, callbacks=[progress.keras_callback("GRU")])``.
"""

from __future__ import annotations

import functools
import html
import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["Bar", "is_live", "keras_callback", "render", "track"]

T = TypeVar("T")

#: Environment variable that overrides the live-front-end test: ``on`` or ``off``.
ENV_VAR = "RNNLIB_PROGRESS"
#: Seconds between two redraws: enough for the eye, few messages for the front end.
MIN_INTERVAL_S = 0.2
#: Class of the HTML element, so that tests can prove no saved output holds a bar.
CSS_CLASS = "rnnlib-progress"
_WIDTH = 20  # characters in the text bar


def is_live() -> bool:
    """Whether a person is watching this cell run, so that a progress bar helps.

    Returns:
        ``True`` inside an IPython kernel whose current request came from a
        front end that accepts keyboard input (JupyterLab, Notebook, VS Code,
        Colab); ``False`` in batch execution (nbval, nbclient, papermill),
        in a plain Python process and in a terminal IPython. The environment
        variable ``RNNLIB_PROGRESS`` overrides this: ``off`` gives ``False``
        everywhere, ``on`` gives ``True`` in any IPython kernel.

    Example:

    >>> is_live()  # a doctest runs in no kernel
    False
    """
    setting = os.environ.get(ENV_VAR, "").strip().lower()
    if setting in {"0", "off", "false", "no"}:
        return False
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    kernel = getattr(shell, "kernel", None)
    if kernel is None:  # no kernel: a script or a terminal, where display() cannot update
        return False
    if setting in {"1", "on", "true", "yes"}:
        return True
    return getattr(kernel, "_allow_stdin", False) is True


def _number(x: float) -> str:
    # Whole counts as integers, fractions of an epoch to one decimal: "3", "2.4".
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


def _seconds(s: float) -> str:
    return f"{s:.1f} s" if s < 60 else f"{int(s // 60)} min {int(s % 60):02d} s"


def render(
    done: float,
    total: float | None,
    label: str,
    *,
    unit: str = "steps",
    note: str = "",
    elapsed: float = 0.0,
    finished: bool = False,
) -> str:
    """The bar as one line of text: label, bar, count, note, time and time left.

    Args:
        done: work done so far, in ``unit`` (may be fractional, e.g. 2.5 epochs).
        total: all the work, or ``None`` when it is not known (then no bar).
        label: what is running, e.g. ``"GRU"``.
        unit: what ``done`` counts, e.g. ``"epochs"``.
        note: extra text, e.g. ``"loss 0.0123"``.
        elapsed: seconds since the start.
        finished: the work is over; show the total time and no estimate.

    Returns:
        One line of text, the same on every front end.

    Example:

    >>> render(10, 10, "LSTM", unit="epochs", elapsed=4.2, finished=True)
    'LSTM ▕████████████████████▏ 10/10 epochs · 4.2 s'
    >>> render(7, None, "samples", elapsed=1.0)
    'samples 7 steps · 1.0 s'
    """
    described = _describe(done, total, unit=unit, note=note, elapsed=elapsed, finished=finished)
    return _line(label, _text_bar(done, total), described)


def _line(label: str, bar: str, described: str) -> str:
    return " ".join(filter(None, [label, bar, described]))


def _text_bar(done: float, total: float | None) -> str:
    if not total:
        return ""
    filled = min(_WIDTH, round(_WIDTH * done / total))
    return "▕" + "█" * filled + "░" * (_WIDTH - filled) + "▏"


def _describe(done, total, *, unit, note, elapsed, finished) -> str:
    # "3/4 epochs · loss 0.0123 · 3.0 s, about 1.0 s left": everything but the label and bar.
    count = f"{_number(done)}/{_number(total)}" if total else _number(done)
    line = f"{count} {unit}" + (f" · {note}" if note else "") + f" · {_seconds(elapsed)}"
    if total and not finished and 0 < done < total:
        line += f", about {_seconds(elapsed * (total - done) / done)} left"
    return line


class Bar:
    """A one-line progress bar that updates in place in a live notebook.

    When :func:`is_live` is false (batch execution, scripts) every method does
    nothing, so a cell's saved outputs are the same with and without the bar.

    Args:
        total: all the work in ``unit``, or ``None`` when not known.
        label: what is running, shown first.
        unit: what is counted, e.g. ``"epochs"``.
        min_interval: seconds between redraws (the last one always shows).

    Example:

    >>> bar = Bar(3, "demo", unit="epochs")
    >>> for epoch in range(3):
    ...     bar.update(epoch + 1, note=f"loss {0.5 / (epoch + 1):.3f}")
    >>> bar.close()
    >>> bar.live  # no front end here: nothing was displayed
    False
    """

    def __init__(
        self,
        total: float | None,
        label: str,
        *,
        unit: str = "steps",
        min_interval: float = MIN_INTERVAL_S,
    ):
        self.total, self.label, self.unit = total, label, unit
        self.min_interval = min_interval
        self.live = is_live()
        self.start = time.perf_counter()
        self._last_draw = -float("inf")
        self._done, self._note, self._handle = 0.0, "", None
        if self.live:
            self._draw(force=True)

    def _bundle(self, finished: bool) -> dict[str, str]:
        # The same line as text (terminals, logs) and as HTML with a native <progress> bar.
        elapsed = time.perf_counter() - self.start
        described = _describe(
            self._done,
            self.total,
            unit=self.unit,
            note=self._note,
            elapsed=elapsed,
            finished=finished,
        )
        done = min(self._done, self.total or self._done)
        value = f' value="{done:g}" max="{self.total:g}"' if self.total else ""
        return {
            "text/plain": _line(self.label, _text_bar(self._done, self.total), described),
            "text/html": f'<div class="{CSS_CLASS}" style="font-family:monospace">'
            f"<b>{html.escape(self.label)}</b> "
            f'<progress{value} style="width:14em;vertical-align:middle"></progress> '
            f"{html.escape(described)}</div>",
        }

    def _draw(self, force: bool = False, finished: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self._last_draw < self.min_interval:
            return
        self._last_draw = now
        from IPython.display import display

        bundle = self._bundle(finished)
        if self._handle is None:
            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)

    def update(self, done: float, note: str = "") -> None:
        """Set the work done so far (and the note); redraw if enough time has passed."""
        if self.live:
            self._done, self._note = done, note or self._note
            self._draw()

    def close(self, note: str = "") -> None:
        """Draw the final line: the work done and the total time."""
        if self.live:
            self._note = note or self._note
            self._draw(force=True, finished=True)

    def __enter__(self) -> Bar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def track(
    iterable: Iterable[T], label: str, *, total: int | None = None, unit: str = "steps"
) -> Iterator[T]:
    """Yield the items of ``iterable`` while a :class:`Bar` counts them.

    Args:
        iterable: the loop's items.
        label: what is running.
        total: number of items; taken from ``len(iterable)`` when it has one.
        unit: what an item is, e.g. ``"runs"``.

    Yields:
        The items, unchanged. Not live: exactly ``iter(iterable)``.

    Example:

    >>> [x * x for x in track(range(3), "squares")]
    [0, 1, 4]
    """
    if not is_live():
        yield from iterable
        return
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)
    bar, done = Bar(total, label, unit=unit), 0
    try:
        for item in iterable:
            yield item
            done += 1
            bar.update(done)
    finally:  # also when the loop breaks or is interrupted: show where it stopped
        bar.close(note="" if total is None or done == total else "stopped")


@functools.cache
def _callback_class():
    import keras

    class KerasProgress(keras.callbacks.Callback):
        """Keras callback: a :class:`Bar` over the epochs of ``fit``, with the loss."""

        def __init__(self, label: str, min_interval: float):
            super().__init__()
            self.label, self.min_interval = label, min_interval
            self.bar = None

        def on_train_begin(self, logs=None):
            self.epochs = self.params.get("epochs") or 1
            self.steps = self.params.get("steps") or 0
            self.epoch = 0
            self.bar = Bar(self.epochs, self.label, unit="epochs", min_interval=self.min_interval)

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if self.steps:  # fractional epochs, so that long epochs move too
                self.bar.update(self.epoch + (batch + 1) / self.steps)

        def on_epoch_end(self, epoch, logs=None):
            loss = (logs or {}).get("loss")
            self.bar.update(epoch + 1, note="" if loss is None else f"loss {loss:.4g}")

        def on_train_end(self, logs=None):
            done = self.epoch + 1
            self.bar.close(note="" if done == self.epochs else f"stopped at epoch {done}")

    return KerasProgress


def keras_callback(label: str = "training", *, min_interval: float = MIN_INTERVAL_S):
    """A Keras callback that shows a :class:`Bar` over the epochs of ``fit``.

    Redraws as batches finish (the count moves in fractions of an epoch),
    shows the last epoch's loss and, when a callback such as ``EarlyStopping``
    ends training early, the epoch it stopped at. Not live: Keras's base
    ``Callback``, which has no hooks, so ``fit`` runs exactly as without it.

    Args:
        label: what is training, shown first, e.g. ``"GRU"``.
        min_interval: seconds between redraws (the last one always shows).

    Returns:
        A ``keras.callbacks.Callback`` for ``fit(..., callbacks=[...])``.

    Example:

    >>> import numpy as np, keras
    >>> model = keras.Sequential([keras.Input((3, 1)), keras.layers.GRU(2), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> x, y = np.zeros((4, 3, 1)), np.zeros((4, 1))
    >>> _ = model.fit(x, y, epochs=2, verbose=0, callbacks=[keras_callback("GRU")])
    """
    if not is_live():  # Keras's base class: no hooks, so fit runs exactly as without it
        import keras

        return keras.callbacks.Callback()
    return _callback_class()(label, min_interval)
