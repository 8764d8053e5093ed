"""Seeded toy tasks, two small real series, and leak-free windowing for the chapters.

Three kinds of helpers live here:

* synthetic tasks whose difficulty is one knob, the lag the network must bridge:
  :func:`adding_problem`, :func:`delayed_recall`, :func:`copy_task` and
  :func:`noisy_sine`;
* two real series that statsmodels ships with its package (no network):
  :func:`sunspots` and :func:`co2`;
* windowing and splitting without look-ahead: :func:`make_windows`,
  :func:`time_split` and the single entry point :func:`split_windows`;
* a text corpus that ships with rnnlib: :func:`python_source`, modules of
  CPython's standard library.

Model inputs are batch-major ``(batch, time, features)`` and float32 by default,
as Keras expects. Every random function takes an explicit ``seed`` and draws from
``np.random.default_rng(seed)``: the same seed gives identical arrays.

This module needs only numpy; pandas and statsmodels are imported inside the
two real-data functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

#: The chance baseline of the adding problem, the MSE of always predicting 1.0.
#: The target is the sum of two independent U(0, 1) values, with mean 1 and
#: variance 1/12 + 1/12 = 1/6.
ADDING_PROBLEM_BASELINE_MSE = 1.0 / 6.0


def _check_int(name, value, minimum):
    """Raise unless ``value`` is an integer (not a bool) that is at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")


# --------------------------------------------------------------------------------------
# Synthetic tasks
# --------------------------------------------------------------------------------------


def adding_problem(n, length, *, seed, dtype=np.float32):
    """The adding problem: add the two marked numbers of a long sequence.

    Hochreiter & Schmidhuber (1997), in the form of Le et al. (2015). Each
    sequence has two channels: channel 0 holds values drawn uniformly from
    ``[0, 1)``; channel 1 is a marker that is 1 at exactly two steps, one drawn
    from the first half (``t < length // 2``) and one from the second half, and 0
    elsewhere. The target is the sum of the two marked values, so the network
    has to carry a number across about ``length / 2`` steps.

    Chance baseline: always predicting 1.0 (the mean of the target) gives an MSE
    of 1/6 ≈ 0.167, the variance of a sum of two U(0, 1) values; it is stored as
    ``ADDING_PROBLEM_BASELINE_MSE``. A model has learned the task only when its
    MSE is well below that.

    Args:
        n: int, number of sequences.
        length: int >= 2, number of time steps.
        seed: int, seed for ``np.random.default_rng``.
        dtype: floating dtype of ``x`` and ``y``. Defaults to float32.

    Returns:
        Tuple ``(x, y)``: ``x`` of shape ``(n, length, 2)`` and ``y`` of shape
        ``(n, 1)`` (a Keras regression target), both of ``dtype``.

    Example:

    >>> x, y = adding_problem(4, 10, seed=0)
    >>> x.shape, y.shape, x.dtype
    ((4, 10, 2), (4, 1), dtype('float32'))
    >>> x[..., 1].sum(axis=1)
    array([2., 2., 2., 2.], dtype=float32)
    """
    _check_int("n", n, 0)
    _check_int("length", length, 2)
    rng = np.random.default_rng(seed)
    half = length // 2
    rows = np.arange(n)
    first = rng.integers(0, half, size=n)  # marker in the first half
    second = rng.integers(half, length, size=n)  # marker in the second half

    x = np.zeros((n, length, 2), dtype=dtype)
    x[..., 0] = rng.random((n, length))
    x[rows, first, 1] = 1
    x[rows, second, 1] = 1
    y = x[rows, first, 0] + x[rows, second, 0]
    return x, y[:, None]


def delayed_recall(n, lag, *, n_symbols=4, seed, dtype=np.float32):
    """Recall a symbol shown ``lag`` blank steps earlier.

    Each sequence has ``lag + 2`` steps and ``n_symbols + 1`` channels. At
    ``t = 0`` one of ``n_symbols`` symbols is shown one-hot in the first
    ``n_symbols`` channels; steps ``1 .. lag`` are blank (all zeros); at the last
    step the final channel, the recall cue, is 1. The target is the class of the
    first symbol, to be read from the output at the last step (use
    ``SparseCategoricalCrossentropy``).

    Chance accuracy is ``1 / n_symbols`` (cross-entropy ``log(n_symbols)``):
    the blanks and the cue carry no information about the class.

    Args:
        n: int, number of sequences.
        lag: int >= 0, number of blank steps between the symbol and the cue.
        n_symbols: int >= 2, number of classes.
        seed: int, seed for ``np.random.default_rng``.
        dtype: dtype of ``x``. Defaults to float32.

    Returns:
        Tuple ``(x, y)``: ``x`` of shape ``(n, lag + 2, n_symbols + 1)`` and
        ``dtype``; ``y`` of shape ``(n,)``, int64 class labels in
        ``[0, n_symbols)``.

    Example:

    >>> x, y = delayed_recall(3, lag=5, seed=0)
    >>> x.shape, y.shape, y.dtype
    ((3, 7, 5), (3,), dtype('int64'))
    >>> bool((x[:, 0, :4].argmax(axis=1) == y).all()), x[:, -1, -1]
    (True, array([1., 1., 1.], dtype=float32))
    """
    _check_int("n", n, 0)
    _check_int("lag", lag, 0)
    _check_int("n_symbols", n_symbols, 2)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_symbols, size=n, dtype=np.int64)

    x = np.zeros((n, lag + 2, n_symbols + 1), dtype=dtype)
    x[np.arange(n), 0, y] = 1  # the symbol, one-hot, at t = 0
    x[:, -1, -1] = 1  # the recall cue at the last step
    return x, y


def copy_task(n, length, delay, *, n_symbols=8, seed, dtype=np.float32):
    """Copy a random symbol string after a delay (sequence-to-sequence).

    Each sequence has ``2 * length + delay`` steps and ``n_symbols + 1`` input
    channels. Steps ``0 .. length-1`` show random symbols one-hot; the next
    ``delay`` steps are blank; during the last ``length`` steps the final
    channel, the "write now" cue, is 1 and the target is the string, in order.
    Before that the target is the extra class ``n_symbols`` ("blank"), so the
    output layer has ``n_symbols + 1`` classes; train with
    ``SparseCategoricalCrossentropy`` on every step (``return_sequences=True``).

    Baseline without memory: predict "blank" until the cue, then guess, for a
    per-step accuracy of ``(length + delay + length / n_symbols) / (2 * length +
    delay)``. Judge a model on the last ``length`` steps, where chance is
    ``1 / n_symbols``.

    Args:
        n: int, number of sequences.
        length: int >= 1, number of symbols to copy.
        delay: int >= 0, number of blank steps before the cue.
        n_symbols: int >= 2, size of the alphabet.
        seed: int, seed for ``np.random.default_rng``.
        dtype: dtype of ``x``. Defaults to float32.

    Returns:
        Tuple ``(x, y)``: ``x`` of shape ``(n, 2 * length + delay, n_symbols + 1)``
        and ``dtype``; ``y`` of shape ``(n, 2 * length + delay)``, int64 classes
        in ``[0, n_symbols]`` (``n_symbols`` means blank).

    Example:

    >>> x, y = copy_task(2, length=3, delay=4, n_symbols=5, seed=0)
    >>> x.shape, y.shape
    ((2, 10, 6), (2, 10))
    >>> bool((y[:, -3:] == x[:, :3, :5].argmax(axis=2)).all()), y[0, :7]
    (True, array([5, 5, 5, 5, 5, 5, 5]))
    """
    _check_int("n", n, 0)
    _check_int("length", length, 1)
    _check_int("delay", delay, 0)
    _check_int("n_symbols", n_symbols, 2)
    rng = np.random.default_rng(seed)
    steps = 2 * length + delay
    symbols = rng.integers(0, n_symbols, size=(n, length), dtype=np.int64)

    x = np.zeros((n, steps, n_symbols + 1), dtype=dtype)
    rows = np.arange(n)[:, None]
    x[rows, np.arange(length), symbols] = 1  # the string, one-hot
    x[:, length + delay :, -1] = 1  # the cue while writing

    y = np.full((n, steps), n_symbols, dtype=np.int64)  # "blank" ...
    y[:, length + delay :] = symbols  # ... then the string
    return x, y


def noisy_sine(n_steps, *, period=50.0, noise=0.1, seed, dtype=np.float32):
    """A sine wave plus Gaussian noise: ``sin(2 pi t / period) + noise * eps``.

    Args:
        n_steps: int, length of the series; ``t = 0, 1, ..., n_steps - 1``.
        period: float > 0, period in steps.
        noise: float >= 0, standard deviation of the added N(0, 1) noise.
        seed: int, seed for ``np.random.default_rng``.
        dtype: dtype of the result. Defaults to float32.

    Returns:
        Array of shape ``(n_steps,)`` and ``dtype``.

    Example:

    >>> s = noisy_sine(200, period=50.0, noise=0.0, seed=0)
    >>> s.shape, s.dtype
    ((200,), dtype('float32'))
    >>> s[[0, 12, 25, 37]].round(2)
    array([ 0.,  1.,  0., -1.], dtype=float32)
    """
    _check_int("n_steps", n_steps, 0)
    if not period > 0:
        raise ValueError(f"period must be > 0, got {period}")
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps)
    series = np.sin(2 * np.pi * t / period) + noise * rng.standard_normal(n_steps)
    return series.astype(dtype)


# --------------------------------------------------------------------------------------
# Real series (shipped with statsmodels, read offline)
# --------------------------------------------------------------------------------------


def sunspots() -> pd.Series:
    """Yearly sunspot numbers, 1700-2008 (309 values), from statsmodels.

    Source, as ``statsmodels.datasets.sunspots`` states it: "Yearly (1700-2008)
    data on sunspots from the National Geophysical Data Center",
    http://www.ngdc.noaa.gov/stp/solar/solarda3.html. Copyright: "This data is
    public domain."

    The series has a clear cycle of about 11 years, which makes it a classic
    first real forecasting task. Values are non-negative (some years are 0).

    Returns:
        ``pandas.Series`` named ``"SUNACTIVITY"``, float64, of shape ``(309,)``,
        indexed by the year as int64 (index name ``"year"``), sorted, no NaNs.

    Example:

    >>> s = sunspots()
    >>> len(s), int(s.index[0]), int(s.index[-1]), s.name
    (309, 1700, 2008, 'SUNACTIVITY')
    """
    import pandas as pd
    from statsmodels.datasets import sunspots as dataset

    frame = dataset.load_pandas().data
    years = pd.Index(frame["YEAR"].astype(np.int64), name="year")
    series = pd.Series(frame["SUNACTIVITY"].to_numpy(np.float64), index=years)
    return series.rename("SUNACTIVITY").sort_index()


def co2(freq="MS") -> pd.Series:
    """Atmospheric CO2 at Mauna Loa (ppmv), March 1958 to December 2001, from statsmodels.

    statsmodels ships weekly values (2284 weeks ending on Saturdays, 59 of them
    missing). By default they are resampled to monthly means (``freq="MS"``,
    stamped at the start of each month; 526 months). The mean of a month skips
    its missing weeks; the 5 months with no observation at all (1958-06,
    1958-10, 1964-02 to 1964-04) are filled by linear interpolation in time.
    With ``freq=None`` the weekly series is returned, its gaps interpolated the
    same way.

    Source, as ``statsmodels.datasets.co2`` states it: "Data obtained from
    http://cdiac.ornl.gov/trends/co2/sio-keel-flask/sio-keel-flaskmlo_c.html";
    citation: Keeling, C.D. and T.P. Whorf. 2004. Atmospheric CO2 concentrations
    derived from flask air samples at sites in the SIO network. In Trends: A
    Compendium of Data on Global Change. Carbon Dioxide Information Analysis
    Center, Oak Ridge National Laboratory, U.S. Department of Energy, Oak Ridge,
    Tennessee, U.S.A. Copyright: "This is public domain."

    Args:
        freq: pandas offset alias to resample to with the mean (``"MS"``,
            ``"QS"``, ...), or ``None`` to keep the weekly values.

    Returns:
        ``pandas.Series`` named ``"co2"``, float64, with a sorted
        ``DatetimeIndex`` and no NaNs; shape ``(526,)`` for ``freq="MS"``.

    Example:

    >>> s = co2()
    >>> len(s), str(s.index[0].date()), str(s.index[-1].date()), int(s.isna().sum())
    (526, '1958-03-01', '2001-12-01', 0)
    """
    from statsmodels.datasets import co2 as dataset

    series = dataset.load_pandas().data["co2"].astype(np.float64).sort_index()
    if freq is not None:
        series = series.resample(freq).mean()
    return series.interpolate(method="time").rename("co2")


# --------------------------------------------------------------------------------------
# Text (shipped with rnnlib)
# --------------------------------------------------------------------------------------

#: The CPython release the shipped modules come from, unmodified (PSF-2.0 licence).
PYTHON_SOURCE_VERSION = "3.11.7"
#: The standard-library modules that ship in ``rnnlib/corpus``.
PYTHON_SOURCE_MODULES = (
    "abc.py", "bisect.py", "calendar.py", "colorsys.py", "contextlib.py", "copy.py",
    "fnmatch.py", "graphlib.py", "keyword.py", "numbers.py", "operator.py", "pprint.py",
    "queue.py", "random.py", "reprlib.py", "sched.py", "string.py", "textwrap.py",
    "weakref.py",
)  # fmt: skip


def python_source(names) -> str:
    """The source of the named standard-library modules, joined in the given order.

    The text comes from copies of CPython 3.11.7's ``Lib/`` files that ship
    with rnnlib (``rnnlib/corpus``, PSF-2.0 licence), not from the running
    interpreter, so it is the same on every Python version.

    Args:
        names: module file names from :data:`PYTHON_SOURCE_MODULES`, e.g.
            ``["abc.py", "copy.py"]``.

    Returns:
        The files' contents, concatenated into one string.

    Raises:
        ValueError: a name that is not shipped (the message lists those that are).

    Example:

    >>> text = python_source(["colorsys.py"])
    >>> len(text), "def rgb_to_hsv" in text
    (4062, True)
    """
    from importlib.resources import files

    if isinstance(names, str):
        raise ValueError(f"names must be a list of file names, such as [{names!r}]")
    unknown = [n for n in names if n not in PYTHON_SOURCE_MODULES]
    if unknown:
        raise ValueError(
            f"not shipped with rnnlib: {unknown}; available: {', '.join(PYTHON_SOURCE_MODULES)}"
        )
    corpus = files("rnnlib") / "corpus"
    return "".join((corpus / f"{name}.txt").read_text(encoding="utf-8") for name in names)


# --------------------------------------------------------------------------------------
# Windowing and splitting, without look-ahead
# --------------------------------------------------------------------------------------


def make_windows(series, lookback, horizon=1):
    """Cut a series into (input window, target window) pairs for supervised learning.

    Window ``i`` uses ``series[i : i + lookback]`` as input and
    ``series[i + lookback : i + lookback + horizon]`` as target, for
    ``i = 0 .. n - 1`` with ``n = T - lookback - horizon + 1``. Every target
    lies strictly after its input: no look-ahead inside a window. The dtype of
    the series is kept.

    Args:
        series: array-like (numpy array, pandas Series or DataFrame) of shape
            ``(T,)`` or ``(T, features)``.
        lookback: int >= 1, number of input steps per window.
        horizon: int >= 1, number of target steps per window.

    Returns:
        Tuple ``(X, y)``: ``X`` of shape ``(n, lookback, features)``
        (``features = 1`` for a 1-D series, ready for a Keras RNN); ``y`` of
        shape ``(n, horizon)`` for a 1-D series, ``(n, horizon, features)`` for
        a 2-D one.

    Raises:
        ValueError: if ``series`` is not 1-D or 2-D, if ``lookback`` or
            ``horizon`` is below 1, or if ``T < lookback + horizon``.

    Example:

    >>> X, y = make_windows(np.arange(6), lookback=3, horizon=2)
    >>> X[..., 0]
    array([[0, 1, 2],
           [1, 2, 3]])
    >>> y
    array([[3, 4],
           [4, 5]])
    """
    values = np.asarray(series)
    _check_int("lookback", lookback, 1)
    _check_int("horizon", horizon, 1)
    if values.ndim not in (1, 2):
        raise ValueError(f"series must have shape (T,) or (T, features), got shape {values.shape}")
    T = values.shape[0]
    if T < lookback + horizon:
        raise ValueError(
            f"series is too short: lookback={lookback} + horizon={horizon} needs at least "
            f"{lookback + horizon} time steps, got T={T}"
        )
    n = T - lookback - horizon + 1
    starts = np.arange(n)[:, None]
    X = values[starts + np.arange(lookback)]
    y = values[starts + lookback + np.arange(horizon)]
    if values.ndim == 1:
        X = X[..., None]
    return X, y


def _split_points(T, val_fraction, test_fraction):
    """Return ``(a, b)``: train is ``[0, a)``, validation ``[a, b)``, test ``[b, T)``."""
    for name, fraction in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not 0 <= fraction < 1:
            raise ValueError(f"{name} must be in [0, 1), got {fraction}")
    n_val = int(round(T * val_fraction))
    n_test = int(round(T * test_fraction))
    a = T - n_val - n_test
    if a < 1:
        raise ValueError(
            f"val_fraction={val_fraction} and test_fraction={test_fraction} leave no training "
            f"data in a series of length {T}"
        )
    return a, a + n_val


def _rows(series, start, stop):
    """Positional slice of a numpy array or a pandas object."""
    return series.iloc[start:stop] if hasattr(series, "iloc") else series[start:stop]


def time_split(series, *, val_fraction=0.15, test_fraction=0.15):
    """Split a series into contiguous train, validation and test parts, in time order.

    No shuffling: the training part is the earliest stretch, the test part the
    latest, as when a forecaster is used for real. Part sizes are
    ``round(T * fraction)`` for validation and test; training gets the rest.

    Args:
        series: numpy array of shape ``(T, ...)``, or a pandas Series/DataFrame
            (split by position, index kept).
        val_fraction: float in ``[0, 1)``, share of the steps for validation.
        test_fraction: float in ``[0, 1)``, share of the steps for testing.

    Returns:
        Tuple ``(train, val, test)`` of the same type as ``series``, with
        lengths summing to ``T``.

    Raises:
        ValueError: if a fraction is outside ``[0, 1)`` or no training data is left.

    Example:

    >>> train, val, test = time_split(np.arange(20), val_fraction=0.2, test_fraction=0.1)
    >>> len(train), len(val), len(test)
    (14, 4, 2)
    >>> val
    array([14, 15, 16, 17])
    """
    a, b = _split_points(len(series), val_fraction, test_fraction)
    return _rows(series, 0, a), _rows(series, a, b), _rows(series, b, len(series))


_PARTS = ("train", "val", "test")


@dataclass(frozen=True, repr=False, eq=False)
class WindowedSplit:
    """Windows of a time-split series, scaled with training statistics.

    Attributes:
        X_train, X_val, X_test: inputs, shape ``(n_part, lookback, features)``.
        y_train, y_val, y_test: targets, shape ``(n_part, horizon)`` for a 1-D
            series, ``(n_part, horizon, features)`` for a 2-D one.
        t_train, t_val, t_test: time of every target, shape ``(n_part, horizon)``:
            the series' index values for a pandas input, positions otherwise.
        mean, std: the scaling, computed on the training part only; shape
            ``()`` for a 1-D series, ``(features,)`` for a 2-D one.
        lookback, horizon: the window sizes used.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    t_train: np.ndarray
    t_val: np.ndarray
    t_test: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    lookback: int
    horizon: int

    def scale(self, values):
        """Map values in the series' units to the scaled units: ``(values - mean) / std``."""
        return (np.asarray(values) - self.mean) / self.std

    def inverse_scale(self, values):
        """Map scaled values (e.g. predictions) back to the series' units.

        Args:
            values: array whose last axis is ``features`` (any shape for a 1-D
                series), e.g. ``model.predict(split.X_test)``.

        Returns:
            ``values * std + mean``, float64, same shape.
        """
        return np.asarray(values, dtype=np.float64) * self.std + self.mean

    def __repr__(self):
        sizes = ", ".join(f"{part}={len(getattr(self, 'y_' + part))}" for part in _PARTS)
        return f"WindowedSplit({sizes}, lookback={self.lookback}, horizon={self.horizon})"


def split_windows(
    series,
    lookback,
    horizon=1,
    *,
    val_fraction=0.15,
    test_fraction=0.15,
    scale=True,
    dtype=np.float32,
):
    """Time-split a series, scale it with training statistics and cut it into windows.

    The one call a forecasting chapter needs. The steps are split as in
    :func:`time_split` into train ``[0, a)``, validation ``[a, b)`` and test
    ``[b, T)``. Then:

    * mean and std (numpy's, ddof=0) are computed on the training steps only, per feature;
    * training windows lie entirely in ``[0, a)``, inputs and targets;
    * validation windows have every target in ``[a, b)``; test windows every
      target in ``[b, T)``.

    So every training target is strictly before the first validation target,
    and every validation target strictly before the first test target; no
    training input or target comes from the validation or test period. A
    validation (test) window MAY take its input from the last ``lookback``
    steps of the part before it: that is the past, available at forecast time,
    not look-ahead, and it means no target step is wasted at the boundaries.

    Args:
        series: numpy array or pandas Series/DataFrame of shape ``(T,)`` or
            ``(T, features)``.
        lookback: int >= 1, number of input steps per window.
        horizon: int >= 1, number of target steps per window.
        val_fraction: float in ``[0, 1)``, share of the steps for validation.
        test_fraction: float in ``[0, 1)``, share of the steps for testing.
        scale: bool; if False, ``mean = 0`` and ``std = 1`` (no scaling).
        dtype: dtype of the X and y arrays. Defaults to float32.

    Returns:
        A :class:`WindowedSplit` with ``X_train, y_train, X_val, y_val, X_test,
        y_test`` (shapes as in :func:`make_windows`), ``t_train, t_val,
        t_test`` of shape ``(n_part, horizon)``, ``mean`` and ``std``, and the
        methods ``scale`` and ``inverse_scale``. A part with fraction 0 has
        0 windows.

    Raises:
        ValueError: as :func:`make_windows` and :func:`time_split`, and if the
            training part is shorter than ``lookback + horizon`` or a validation
            or test part with a fraction above 0 is shorter than ``horizon``.

    Example:

    >>> split = split_windows(np.arange(100.0), lookback=5, val_fraction=0.2,
    ...                       test_fraction=0.1)
    >>> split
    WindowedSplit(train=65, val=20, test=10, lookback=5, horizon=1)
    >>> split.X_val.shape, int(split.t_train.max()), int(split.t_val.min())
    ((20, 5, 1), 69, 70)
    >>> split.inverse_scale(split.X_val[0, :, 0]).round(3)
    array([65., 66., 67., 68., 69.])
    """
    values = np.asarray(series, dtype=np.float64)
    _check_int("lookback", lookback, 1)
    _check_int("horizon", horizon, 1)
    T = len(values)
    a, b = _split_points(T, val_fraction, test_fraction)
    if a < lookback + horizon:
        raise ValueError(
            f"the training part has {a} time steps, fewer than lookback={lookback} + "
            f"horizon={horizon}; use a longer series or smaller val/test fractions"
        )
    times = np.asarray(series.index) if hasattr(series, "index") else np.arange(T)

    if scale:
        mean = values[:a].mean(axis=0)
        std = values[:a].std(axis=0)
        std = np.where(std > 0, std, 1.0)  # a constant feature is left unscaled
    else:
        mean, std = np.zeros(values.shape[1:]), np.ones(values.shape[1:])
    scaled = ((values - mean) / std).astype(dtype)

    # Targets stay inside their part; val/test inputs may reach `lookback` steps back.
    parts = {
        "train": (0, a, 1.0),
        "val": (a - lookback, b, val_fraction),
        "test": (b - lookback, T, test_fraction),
    }
    arrays = {}
    for part, (start, stop, fraction) in parts.items():
        if stop - start >= lookback + horizon:
            windows = _windows(scaled, times, start, stop, lookback, horizon)
        elif fraction == 0:  # no such part: zero windows, with the right shapes
            windows = [w[:0] for w in _windows(scaled, times, 0, a, lookback, horizon)]
        else:
            raise ValueError(
                f"the {part} part has {stop - start - lookback} time steps, fewer than "
                f"horizon={horizon}; use a longer series or a larger {part}_fraction"
            )
        arrays["X_" + part], arrays["y_" + part], arrays["t_" + part] = windows
    return WindowedSplit(
        **arrays, mean=np.asarray(mean), std=np.asarray(std), lookback=lookback, horizon=horizon
    )


def _windows(values, times, start, stop, lookback, horizon):
    """Windows of ``values[start:stop]`` and the times of their targets."""
    X, y = make_windows(values[start:stop], lookback, horizon)
    _, t = make_windows(times[start:stop], lookback, horizon)
    return X, y, t
