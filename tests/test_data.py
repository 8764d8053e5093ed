"""Tests for rnnlib.data: seeded tasks, real series, windowing without look-ahead.

Expected values are computed here independently (loops, hand-written arrays,
closed-form statistics), never read back from the code under test.
"""

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnlib.data import (
    ADDING_PROBLEM_BASELINE_MSE,
    PYTHON_SOURCE_MODULES,
    PYTHON_SOURCE_VERSION,
    adding_problem,
    copy_task,
    delayed_recall,
    make_windows,
    noisy_sine,
    python_source,
    split_windows,
    time_split,
)

DATA_PY = Path(__file__).resolve().parents[1] / "rnnlib" / "data.py"

# --------------------------------------------------------------------------------------
# Import hygiene
# --------------------------------------------------------------------------------------


def test_import_pulls_in_neither_tensorflow_nor_pandas_nor_statsmodels():
    # Load data.py on its own (not through rnnlib/__init__) in a fresh interpreter.
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('probe', {str(DATA_PY)!r})\n"
        "module = sys.modules['probe'] = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "heavy = ('tensorflow', 'keras', 'pandas', 'statsmodels')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------------------
# Determinism
# --------------------------------------------------------------------------------------

GENERATORS = {
    "adding_problem": lambda seed: adding_problem(8, 12, seed=seed),
    "delayed_recall": lambda seed: delayed_recall(16, 3, seed=seed),
    "copy_task": lambda seed: copy_task(8, 4, 3, seed=seed),
    "noisy_sine": lambda seed: (noisy_sine(50, seed=seed),),
}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_same_seed_same_arrays_different_seed_different_arrays(name):
    make = GENERATORS[name]
    first, again, other = make(1), make(1), make(2)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype
    assert any(not np.array_equal(a, c) for a, c in zip(first, other, strict=True))


@pytest.mark.parametrize(
    "call",
    [
        lambda: adding_problem(2, 4),
        lambda: delayed_recall(2, 3),
        lambda: copy_task(2, 3, 1),
        lambda: noisy_sine(10),
    ],
)
def test_seed_is_required(call):
    with pytest.raises(TypeError, match="seed"):
        call()


# --------------------------------------------------------------------------------------
# Adding problem
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [10, 7, 2])
def test_adding_problem_markers_and_targets(length):
    n = 300
    x, y = adding_problem(n, length, seed=3)
    assert x.shape == (n, length, 2) and y.shape == (n, 1)
    assert x.dtype == np.float32 and y.dtype == np.float32
    values, markers = x[..., 0], x[..., 1]
    assert ((values >= 0) & (values < 1)).all()
    assert set(np.unique(markers)) <= {0.0, 1.0}
    half = length // 2
    for i in range(n):
        marked = np.flatnonzero(markers[i] == 1)
        assert len(marked) == 2, f"sequence {i} has markers at {marked}"
        assert marked[0] < half <= marked[1]
        expected = np.float32(values[i, marked[0]]) + np.float32(values[i, marked[1]])
        assert y[i, 0] == pytest.approx(expected, abs=1e-6)


def test_adding_problem_markers_cover_each_half():
    length = 8
    x, _ = adding_problem(2000, length, seed=0)
    positions = [np.flatnonzero(row) for row in x[..., 1]]
    assert {p[0] for p in positions} == {0, 1, 2, 3}
    assert {p[1] for p in positions} == {4, 5, 6, 7}


def test_adding_problem_dtype_argument():
    x, y = adding_problem(3, 6, seed=0, dtype=np.float64)
    assert x.dtype == np.float64 and y.dtype == np.float64


def test_adding_problem_chance_baseline_is_one_sixth():
    assert ADDING_PROBLEM_BASELINE_MSE == pytest.approx(1 / 6)
    _, y = adding_problem(20000, 10, seed=123)
    mse_of_constant_one = float(np.mean((y.astype(np.float64) - 1.0) ** 2))
    # Standard error of this estimate is about 0.0014.
    assert mse_of_constant_one == pytest.approx(1 / 6, abs=0.01)
    assert float(y.mean()) == pytest.approx(1.0, abs=0.01)


def test_adding_problem_rejects_bad_length():
    with pytest.raises(ValueError, match="length"):
        adding_problem(4, 1, seed=0)


# --------------------------------------------------------------------------------------
# Delayed recall
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lag", [0, 1, 6])
def test_delayed_recall_layout(lag):
    n, k = 200, 4
    x, y = delayed_recall(n, lag, n_symbols=k, seed=5)
    assert x.shape == (n, lag + 2, k + 1) and x.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64
    first = x[:, 0]
    # t = 0: exactly one symbol channel on, cue off.
    np.testing.assert_array_equal(first[:, :k].sum(axis=1), np.ones(n))
    assert set(np.unique(first)) <= {0.0, 1.0}
    np.testing.assert_array_equal(first[:, k], np.zeros(n))
    np.testing.assert_array_equal(first[:, :k].argmax(axis=1), y)
    # 1 .. lag: blank.
    assert not x[:, 1 : lag + 1].any()
    # last step: only the cue.
    np.testing.assert_array_equal(x[:, -1, k], np.ones(n))
    assert not x[:, -1, :k].any()


def test_delayed_recall_labels_are_balanced():
    n, k = 4000, 4
    _, y = delayed_recall(n, 2, n_symbols=k, seed=11)
    counts = np.bincount(y, minlength=k)
    assert len(counts) == k
    assert (counts > 0.8 * n / k).all() and (counts < 1.2 * n / k).all()


def test_delayed_recall_more_symbols():
    x, y = delayed_recall(50, 3, n_symbols=7, seed=0)
    assert x.shape == (50, 5, 8)
    assert y.min() >= 0 and y.max() <= 6


# --------------------------------------------------------------------------------------
# Copy task
# --------------------------------------------------------------------------------------


def test_copy_task_layout():
    n, length, delay, k = 30, 5, 4, 6
    x, y = copy_task(n, length, delay, n_symbols=k, seed=2)
    steps = 2 * length + delay
    assert x.shape == (n, steps, k + 1) and y.shape == (n, steps) and y.dtype == np.int64
    for i in range(n):
        shown = [int(np.flatnonzero(x[i, t, :k])[0]) for t in range(length)]
        assert all(x[i, t].sum() == 1 for t in range(length))
        assert not x[i, length : length + delay].any()
        assert (x[i, length + delay :, k] == 1).all()
        assert not x[i, length + delay :, :k].any()
        assert list(y[i, : length + delay]) == [k] * (length + delay)  # blank class
        assert list(y[i, length + delay :]) == shown


# --------------------------------------------------------------------------------------
# Noisy sine
# --------------------------------------------------------------------------------------


def test_noisy_sine_without_noise_is_the_sine():
    s = noisy_sine(120, period=40.0, noise=0.0, seed=0)
    assert s.shape == (120,) and s.dtype == np.float32
    expected = [np.sin(2 * np.pi * t / 40.0) for t in range(120)]
    np.testing.assert_allclose(s, expected, atol=1e-6)


def test_noisy_sine_noise_level():
    s = noisy_sine(20000, period=50.0, noise=0.3, seed=1).astype(np.float64)
    residual = s - np.sin(2 * np.pi * np.arange(20000) / 50.0)
    assert residual.std() == pytest.approx(0.3, rel=0.05)
    assert abs(residual.mean()) < 0.02


# --------------------------------------------------------------------------------------
# make_windows
# --------------------------------------------------------------------------------------


def test_make_windows_by_hand_1d():
    X, y = make_windows(np.arange(10), lookback=3, horizon=2)
    expected_X = [
        [0, 1, 2],
        [1, 2, 3],
        [2, 3, 4],
        [3, 4, 5],
        [4, 5, 6],
        [5, 6, 7],
    ]
    expected_y = [[3, 4], [4, 5], [5, 6], [6, 7], [7, 8], [8, 9]]
    assert X.shape == (6, 3, 1) and y.shape == (6, 2)
    np.testing.assert_array_equal(X[..., 0], expected_X)
    np.testing.assert_array_equal(y, expected_y)


def test_make_windows_by_hand_horizon_one():
    X, y = make_windows(np.array([5.0, 6.0, 7.0, 8.0]), lookback=2)
    np.testing.assert_array_equal(X, [[[5.0], [6.0]], [[6.0], [7.0]]])
    np.testing.assert_array_equal(y, [[7.0], [8.0]])


def test_make_windows_by_hand_2d():
    series = np.array([[0, 10], [1, 11], [2, 12], [3, 13], [4, 14]])
    X, y = make_windows(series, lookback=2, horizon=2)
    assert X.shape == (2, 2, 2) and y.shape == (2, 2, 2)
    np.testing.assert_array_equal(X, [[[0, 10], [1, 11]], [[1, 11], [2, 12]]])
    np.testing.assert_array_equal(y, [[[2, 12], [3, 13]], [[3, 13], [4, 14]]])


def test_make_windows_exact_length_gives_one_window():
    X, y = make_windows(np.arange(4), lookback=3, horizon=1)
    np.testing.assert_array_equal(X[..., 0], [[0, 1, 2]])
    np.testing.assert_array_equal(y, [[3]])


def test_make_windows_accepts_pandas():
    pd = pytest.importorskip("pandas")
    series = pd.Series([1.0, 2.0, 3.0, 4.0], index=[2000, 2001, 2002, 2003])
    X, y = make_windows(series, lookback=2)
    np.testing.assert_array_equal(X[..., 0], [[1.0, 2.0], [2.0, 3.0]])
    np.testing.assert_array_equal(y, [[3.0], [4.0]])


@pytest.mark.parametrize(
    ("series", "lookback", "horizon", "words"),
    [
        (np.arange(10), 0, 1, ["lookback", ">= 1", "got 0"]),
        (np.arange(10), 3, 0, ["horizon", ">= 1", "got 0"]),
        (np.arange(10), -2, 1, ["lookback", "got -2"]),
        (np.arange(4), 3, 2, ["too short", "lookback=3", "horizon=2", "at least 5", "T=4"]),
        (np.zeros((2, 3, 4)), 1, 1, ["series", "(T,) or (T, features)", "(2, 3, 4)"]),
        (np.float64(3.0), 1, 1, ["series", "(T,) or (T, features)", "()"]),
    ],
)
def test_make_windows_error_messages(series, lookback, horizon, words):
    with pytest.raises(ValueError) as info:
        make_windows(series, lookback, horizon)
    for word in words:
        assert word in str(info.value)


def test_make_windows_rejects_non_integer_sizes():
    with pytest.raises(TypeError, match="lookback"):
        make_windows(np.arange(10), 2.5)
    with pytest.raises(TypeError, match="horizon"):
        make_windows(np.arange(10), 2, horizon=True)


# --------------------------------------------------------------------------------------
# time_split
# --------------------------------------------------------------------------------------


def test_time_split_numpy():
    train, val, test = time_split(np.arange(100))
    np.testing.assert_array_equal(train, np.arange(0, 70))
    np.testing.assert_array_equal(val, np.arange(70, 85))
    np.testing.assert_array_equal(test, np.arange(85, 100))


def test_time_split_custom_fractions_and_zero():
    train, val, test = time_split(np.arange(20), val_fraction=0.25, test_fraction=0.0)
    np.testing.assert_array_equal(train, np.arange(15))
    np.testing.assert_array_equal(val, np.arange(15, 20))
    assert len(test) == 0


def test_time_split_pandas_keeps_index_and_order():
    pd = pytest.importorskip("pandas")
    index = pd.date_range("2000-01-01", periods=40, freq="D")
    series = pd.Series(np.arange(40.0), index=index)
    train, val, test = time_split(series, val_fraction=0.2, test_fraction=0.1)
    assert (len(train), len(val), len(test)) == (28, 8, 4)
    assert isinstance(train, pd.Series)
    assert train.index[-1] < val.index[0] and val.index[-1] < test.index[0]
    pd.testing.assert_series_equal(pd.concat([train, val, test]), series)


def test_time_split_pandas_integer_index_is_split_by_position():
    pd = pytest.importorskip("pandas")
    series = pd.Series(np.arange(10.0), index=np.arange(1700, 1710))
    train, val, test = time_split(series, val_fraction=0.2, test_fraction=0.2)
    assert list(train.index) == [1700, 1701, 1702, 1703, 1704, 1705]
    assert list(test.index) == [1708, 1709]


@pytest.mark.parametrize(("val", "test"), [(-0.1, 0.1), (0.1, 1.0), (0.6, 0.4), (0.5, 0.5)])
def test_time_split_rejects_bad_fractions(val, test):
    with pytest.raises(ValueError, match="fraction"):
        time_split(np.arange(10), val_fraction=val, test_fraction=test)


# --------------------------------------------------------------------------------------
# split_windows: no leakage
# --------------------------------------------------------------------------------------


def _part_lengths(T, val_fraction, test_fraction):
    """Independent copy of the split rule: val and test get round(T * fraction) steps."""
    n_val, n_test = round(T * val_fraction), round(T * test_fraction)
    return T - n_val - n_test, n_val, n_test


def _check_no_leakage(split, T, lookback, horizon, val_fraction, test_fraction):
    """All checks on a split of np.arange(T) with scale=False (value == time index)."""
    n_train, n_val, n_test = _part_lengths(T, val_fraction, test_fraction)
    a, b = n_train, n_train + n_val
    parts = {
        "train": (split.X_train, split.y_train, split.t_train),
        "val": (split.X_val, split.y_val, split.t_val),
        "test": (split.X_test, split.y_test, split.t_test),
    }
    for X, y, t in parts.values():
        assert X.shape[1:] == (lookback, 1) and y.shape[1:] == (horizon,)
        assert t.shape == y.shape and len(X) == len(y)
        # value == time index, so the targets are their own times ...
        np.testing.assert_array_equal(y, t)
        # ... and each window is `lookback` consecutive steps followed by the target steps.
        window = np.concatenate([X[..., 0], y], axis=1)
        np.testing.assert_array_equal(np.diff(window, axis=1), 1)

    # Every target of a part lies in that part; every step of the part is a target.
    assert set(split.t_train.ravel()) == set(range(lookback, a))
    assert set(split.t_val.ravel()) == set(range(a, b))
    assert set(split.t_test.ravel()) == set(range(b, T))
    assert len(split.y_train) == a - lookback - horizon + 1
    assert len(split.y_val) == n_val - horizon + 1
    assert len(split.y_test) == n_test - horizon + 1

    # Strict time order between parts; nothing in training comes from val/test.
    assert split.y_train.max() < split.y_val.min()
    assert split.y_val.max() < split.y_test.min()
    assert split.X_train.max() < split.y_val.min()
    assert split.X_train.max() < a and split.y_train.max() < a
    # Val/test inputs are the past: at most `lookback` steps back, never the future.
    assert split.X_val.min() >= a - lookback and split.X_val.max() < b
    assert split.X_test.min() >= b - lookback and split.X_test.max() < T


@pytest.mark.parametrize(("lookback", "horizon"), [(1, 1), (5, 1), (3, 4), (12, 2)])
def test_split_windows_no_leakage_on_time_index(lookback, horizon):
    T = 200
    split = split_windows(np.arange(T), lookback, horizon, scale=False)
    assert split.X_train.dtype == np.float32
    _check_no_leakage(split, T, lookback, horizon, 0.15, 0.15)


@settings(max_examples=30, deadline=None)
@given(
    T=st.integers(80, 400),
    lookback=st.integers(1, 20),
    horizon=st.integers(1, 5),
    val_fraction=st.floats(0.1, 0.3),
    test_fraction=st.floats(0.1, 0.3),
)
def test_split_windows_no_leakage_property(T, lookback, horizon, val_fraction, test_fraction):
    split = split_windows(
        np.arange(T),
        lookback,
        horizon,
        val_fraction=val_fraction,
        test_fraction=test_fraction,
        scale=False,
        dtype=np.float64,
    )
    _check_no_leakage(split, T, lookback, horizon, val_fraction, test_fraction)


def test_split_windows_scaling_uses_training_part_only():
    rng = np.random.default_rng(0)
    series = rng.normal(3.0, 2.0, size=300)
    a, n_val, _ = _part_lengths(300, 0.15, 0.15)
    b = a + n_val
    split = split_windows(series, lookback=10)
    assert float(split.mean) == pytest.approx(float(np.mean(series[:a])))
    assert float(split.std) == pytest.approx(float(np.std(series[:a])))
    assert float(split.mean) != pytest.approx(float(np.mean(series)))
    # First training window, scaled by hand.
    expected = (series[:10] - np.mean(series[:a])) / np.std(series[:a])
    np.testing.assert_allclose(split.X_train[0, :, 0], expected, rtol=1e-5, atol=1e-6)
    # Changing the test period changes nothing in training or validation.
    changed = series.copy()
    changed[b:] = 1e6
    other = split_windows(changed, lookback=10)
    assert float(other.mean) == float(split.mean) and float(other.std) == float(split.std)
    for name in ("X_train", "y_train", "X_val", "y_val"):
        np.testing.assert_array_equal(getattr(other, name), getattr(split, name))
    assert not np.array_equal(other.y_test, split.y_test)
    # Changing the validation period leaves training and the scaling alone.
    changed = series.copy()
    changed[a:b] = -1e6
    other = split_windows(changed, lookback=10)
    assert float(other.mean) == float(split.mean) and float(other.std) == float(split.std)
    np.testing.assert_array_equal(other.X_train, split.X_train)
    np.testing.assert_array_equal(other.y_train, split.y_train)


def test_split_windows_inverse_scale_recovers_values():
    rng = np.random.default_rng(1)
    series = 50 + 10 * rng.standard_normal(150)
    split = split_windows(series, lookback=6, horizon=2)
    np.testing.assert_allclose(split.inverse_scale(split.y_test), series[split.t_test], rtol=1e-5)
    np.testing.assert_allclose(split.scale(series[split.t_val]), split.y_val, rtol=1e-4, atol=1e-5)


def test_split_windows_multi_feature():
    T = 120
    series = np.stack([np.arange(T), 100.0 + 2 * np.arange(T)], axis=1)
    split = split_windows(series, lookback=4, horizon=3)
    assert split.X_train.shape[1:] == (4, 2) and split.y_train.shape[1:] == (3, 2)
    assert split.t_train.shape == split.y_train.shape[:2]
    a = _part_lengths(T, 0.15, 0.15)[0]
    np.testing.assert_allclose(split.mean, series[:a].mean(axis=0))
    np.testing.assert_allclose(split.std, series[:a].std(axis=0))
    restored = split.inverse_scale(split.y_val)
    np.testing.assert_allclose(restored[..., 0], split.t_val, atol=1e-3)
    np.testing.assert_allclose(restored[..., 1], 100.0 + 2 * split.t_val, atol=1e-3)


def test_split_windows_pandas_index_gives_dates():
    pd = pytest.importorskip("pandas")
    index = pd.date_range("1990-01-01", periods=100, freq="MS")
    series = pd.Series(np.linspace(0.0, 1.0, 100), index=index)
    split = split_windows(series, lookback=12)
    assert np.issubdtype(split.t_train.dtype, np.datetime64)
    assert split.t_train.max() < split.t_val.min() and split.t_val.max() < split.t_test.min()
    assert split.t_test[-1, 0] == np.datetime64(index[-1])
    assert repr(split) == "WindowedSplit(train=58, val=15, test=15, lookback=12, horizon=1)"


def test_split_windows_zero_fraction_gives_empty_part():
    split = split_windows(np.arange(50.0), lookback=5, horizon=2, val_fraction=0.0)
    assert split.X_val.shape == (0, 5, 1) and split.y_val.shape == (0, 2)
    assert split.t_val.shape == (0, 2)
    assert split.y_train.max() < split.y_test.min()


def test_split_windows_errors():
    with pytest.raises(ValueError, match="training part"):
        split_windows(np.arange(20.0), lookback=15)
    with pytest.raises(ValueError, match="val part"):
        split_windows(np.arange(20.0), lookback=2, horizon=4)
    with pytest.raises(ValueError, match="lookback"):
        split_windows(np.arange(20.0), lookback=0)


# --------------------------------------------------------------------------------------
# Real series, offline
# --------------------------------------------------------------------------------------


def test_sunspots():
    pytest.importorskip("statsmodels")
    from rnnlib.data import sunspots

    s = sunspots()
    assert 300 <= len(s) <= 330
    assert s.dtype == np.float64
    assert s.index.is_monotonic_increasing and s.index.is_unique
    assert int(s.index[0]) == 1700 and int(s.index[-1]) >= 2008
    np.testing.assert_array_equal(np.diff(np.asarray(s.index, dtype=np.int64)), 1)
    assert not s.isna().any()
    assert (s >= 0).all() and s.max() > 150


def test_co2_monthly():
    pytest.importorskip("statsmodels")
    pd = pytest.importorskip("pandas")
    from rnnlib.data import co2

    s = co2()
    assert isinstance(s.index, pd.DatetimeIndex)
    assert 500 <= len(s) <= 560
    assert s.index.is_monotonic_increasing and s.index.is_unique
    assert (s.index.day == 1).all()
    months = s.index.year * 12 + s.index.month
    np.testing.assert_array_equal(np.diff(np.asarray(months)), 1)  # no missing month
    assert not s.isna().any()
    assert s.dtype == np.float64
    assert ((s > 300) & (s < 400)).all()
    assert s.iloc[-12:].mean() > s.iloc[:12].mean() + 40  # the Keeling curve rises


def test_co2_weekly():
    pytest.importorskip("statsmodels")
    pd = pytest.importorskip("pandas")
    from rnnlib.data import co2

    s = co2(freq=None)
    assert isinstance(s.index, pd.DatetimeIndex)
    assert 2200 <= len(s) <= 2400
    assert s.index.is_monotonic_increasing
    assert (np.diff(s.index.to_numpy()) == np.timedelta64(7, "D")).all()
    assert not s.isna().any() and (s > 300).all()


# --------------------------------------------------------------------------------------
# The Python-source corpus (chapter 12)
# --------------------------------------------------------------------------------------

CORPUS = DATA_PY.parent / "corpus"


def test_every_listed_module_ships_and_nothing_else_does():
    shipped = {p.name.removesuffix(".txt") for p in CORPUS.glob("*.py.txt")}
    assert shipped == set(PYTHON_SOURCE_MODULES)
    assert (CORPUS / "LICENSE-PSF.txt").read_text().startswith("A. HISTORY OF THE SOFTWARE")


def test_python_source_joins_the_files_in_the_order_given():
    a, b = python_source(["copy.py"]), python_source(["bisect.py"])
    assert python_source(["copy.py", "bisect.py"]) == a + b
    assert a.startswith('"""Generic (shallow and deep) copying operations.')


@pytest.mark.skipif(
    sys.version_info[:3] != (3, 11, 7), reason="compares with this interpreter's own stdlib"
)
def test_the_copies_are_unmodified_cpython_3_11_7():
    import sysconfig

    stdlib = Path(sysconfig.get_paths()["stdlib"])
    assert PYTHON_SOURCE_VERSION == "3.11.7"
    for name in PYTHON_SOURCE_MODULES:
        assert python_source([name]) == (stdlib / name).read_text(encoding="utf-8"), name


@pytest.mark.parametrize(
    ("names", "says"),
    [
        (["os.py"], "not shipped with rnnlib: ['os.py']"),
        (["abc"], "available: abc.py, bisect.py"),
        ("abc.py", "must be a list of file names, such as ['abc.py']"),
    ],
)
def test_unknown_modules_get_a_clear_message(names, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        python_source(names)


@pytest.mark.slow
def test_the_wheel_carries_the_corpus(tmp_path):
    # Colab installs rnnlib from git with pip: the text files must be in the wheel.
    root = DATA_PY.parents[1]
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, tmp_path / name)
    shutil.copytree(
        root / "rnnlib", tmp_path / "rnnlib", ignore=shutil.ignore_patterns("__pycache__")
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "."]
        + ["-w", str(tmp_path / "dist")],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("rnnlib-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"rnnlib/corpus/{m}.txt" for m in PYTHON_SOURCE_MODULES}
    assert expected | {"rnnlib/corpus/LICENSE-PSF.txt"} <= names
