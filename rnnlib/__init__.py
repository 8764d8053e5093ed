"""rnnlib: the small helper package behind the RNN course.

The numpy reference for the three recurrent cells (forward and backward), Keras
interop, seeded data for the chapters, the graded checks for the exercises, the
book's plot style and progress bars for long cells in a live notebook.

Conventions, shared with the text and with Keras:

* arrays are batch-major, ``(batch, time, features)``;
* weights multiply from the right, ``x @ W``;
* parameter dicts use Keras's names and layouts: ``kernel`` ``(d, k*u)``,
  ``recurrent_kernel`` ``(u, k*u)`` and ``bias``, with gate order
  i, f, c, o for the LSTM and z, r, h for the GRU.
"""

from rnnlib import checks, data, plots, progress, text
from rnnlib.cells import (
    KINDS,
    backward,
    forward,
    gru_step,
    lstm_step,
    rnn_step,
)
from rnnlib.gradcheck import GradcheckResult, gradcheck
from rnnlib.keras_interop import keras_params
from rnnlib.params import init_params, param_count

__version__ = "0.1.0"

__all__ = [
    "KINDS",
    "GradcheckResult",
    "backward",
    "checks",
    "data",
    "forward",
    "gradcheck",
    "gru_step",
    "init_params",
    "keras_params",
    "lstm_step",
    "param_count",
    "plots",
    "progress",
    "rnn_step",
    "text",
]
