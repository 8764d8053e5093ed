"""rnnlib.progress: a bar for a person watching a live kernel, nothing for batch runs.

The decisive tests start a real IPython kernel and send it the same code twice:
once as a live front end does (``allow_stdin=True``) and once as nbval and
nbclient do (``allow_stdin=False``). The first must display and update a bar;
the second must display nothing at all.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest

from rnnlib import progress

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import nbcheck  # noqa: E402

# --- the text line -------------------------------------------------------------------


def test_bar_fills_in_proportion_to_the_work_done():
    for done, total in [(0, 8), (2, 8), (5, 8), (8, 8), (3.5, 7)]:
        line = progress.render(done, total, "GRU", unit="epochs")
        assert line.count("█") == round(20 * done / total), line
        assert line.count("█") + line.count("░") == 20


def test_line_reports_count_note_time_and_time_left():
    line = progress.render(3, 4, "LSTM", unit="epochs", note="loss 0.5", elapsed=6.0)
    assert line.startswith("LSTM ▕")
    assert "3/4 epochs · loss 0.5 · 6.0 s" in line
    assert line.endswith("about 2.0 s left")  # 6 s for 3 epochs: 2 s for the last one


def test_finished_line_shows_total_time_and_no_estimate():
    line = progress.render(10, 10, "GRU", unit="epochs", elapsed=75.0, finished=True)
    assert line.endswith("10/10 epochs · 1 min 15 s")
    assert "left" not in line


def test_unknown_total_shows_a_count_and_no_bar():
    line = progress.render(7, None, "samples", unit="draws", elapsed=1.0)
    assert line == "samples 7 draws · 1.0 s"


# --- when is someone watching? -----------------------------------------------------------


def _fake_ipython(monkeypatch, allow_stdin):
    """Make IPython.get_ipython() return a shell whose kernel has the given flag."""
    kernel = None if allow_stdin is None else types.SimpleNamespace(_allow_stdin=allow_stdin)
    shell = types.SimpleNamespace(kernel=kernel)
    fake = types.SimpleNamespace(get_ipython=lambda: shell)
    monkeypatch.setitem(sys.modules, "IPython", fake)


@pytest.mark.parametrize(
    ("env", "allow_stdin", "expected"),
    [
        ("", True, True),  # a front end with a keyboard
        ("", False, False),  # nbval, nbclient, papermill
        ("", None, False),  # terminal IPython: no kernel, display cannot update
        ("off", True, False),  # the learner turned it off
        ("on", False, True),  # forced on in a batch kernel
        ("on", None, False),  # but never without a kernel
    ],
)
def test_is_live_follows_allow_stdin_and_the_environment(monkeypatch, env, allow_stdin, expected):
    monkeypatch.setenv(progress.ENV_VAR, env)
    _fake_ipython(monkeypatch, allow_stdin)
    assert progress.is_live() is expected


def test_not_live_without_ipython(monkeypatch):
    monkeypatch.setenv(progress.ENV_VAR, "on")
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert progress.is_live() is False


# --- what a live bar sends to the front end --------------------------------------------


class Screen:
    """Stands in for IPython.display.display: records the first bundle and each update."""

    def __init__(self):
        self.frames = []

    def display(self, bundle, raw, display_id):
        assert raw is True and display_id is True
        self.frames.append(bundle)
        return types.SimpleNamespace(update=lambda b, raw: self.frames.append(b))


@pytest.fixture
def screen(monkeypatch):
    """A live kernel whose displays land in a Screen."""
    import IPython.display

    screen = Screen()
    monkeypatch.setattr(progress, "is_live", lambda: True)
    monkeypatch.setattr(IPython.display, "display", screen.display)
    return screen


@pytest.fixture
def no_screen(monkeypatch):
    """A batch kernel: any display is a failure."""
    import IPython.display

    def display(*args, **kwargs):
        raise AssertionError("displayed something in a batch run")

    monkeypatch.setattr(progress, "is_live", lambda: False)
    monkeypatch.setattr(IPython.display, "display", display)


def test_live_bar_draws_at_once_then_updates_in_place(screen):
    bar = progress.Bar(4, "GRU", unit="epochs", min_interval=0)
    for epoch in range(1, 5):
        bar.update(epoch, note=f"loss {1 / epoch:.2f}")
    bar.close()
    texts = [frame["text/plain"] for frame in screen.frames]
    assert len(texts) == 6  # the empty bar, four updates, the final line
    assert "0/4 epochs" in texts[0] and "2/4 epochs · loss 0.50" in texts[2]
    assert "4/4 epochs · loss 0.25" in texts[-1] and "left" not in texts[-1]
    assert all(progress.CSS_CLASS in frame["text/html"] for frame in screen.frames)
    assert '<progress value="4" max="4"' in screen.frames[-1]["text/html"]


def test_redraws_are_throttled_but_the_last_line_always_shows(screen):
    bar = progress.Bar(1000, "fast loop", min_interval=60)
    for i in range(1000):
        bar.update(i + 1)
    bar.close()
    assert len(screen.frames) == 2  # the first draw and the final one
    assert "1000/1000 steps" in screen.frames[-1]["text/plain"]


def test_label_is_escaped_in_html(screen):
    progress.Bar(1, "<b>x</b> & y").close()
    html = screen.frames[-1]["text/html"]
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in html and "<b>x</b> &" not in html


def test_track_counts_items_and_leaves_them_unchanged(screen):
    items = list(progress.track(["a", "b", "c"], "letters", unit="letters"))
    assert items == ["a", "b", "c"]
    assert "3/3 letters" in screen.frames[-1]["text/plain"]


def test_track_of_a_generator_counts_without_a_total(screen):
    assert sum(progress.track((i for i in range(5)), "gen")) == 10
    assert "▕" not in screen.frames[-1]["text/plain"]
    assert "5 steps" in screen.frames[-1]["text/plain"]


def test_fractions_of_an_epoch_show_one_decimal():
    assert "2.4/10 epochs" in progress.render(2.4375, 10, "GRU", unit="epochs")
    assert "3/10 epochs" in progress.render(3.0, 10, "GRU", unit="epochs")


def test_a_loop_that_breaks_says_where_it_stopped(screen):
    for i in progress.track(range(10), "search"):
        if i == 3:
            break
    assert "3/10 steps · stopped" in screen.frames[-1]["text/plain"]


def test_batch_run_displays_nothing(no_screen):
    assert list(progress.track(range(3), "quiet")) == [0, 1, 2]
    bar = progress.Bar(3, "quiet")
    bar.update(3)
    bar.close()
    assert bar.live is False


# --- the Keras callback ------------------------------------------------------------------


def _tiny_model():
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4, 1)), keras.layers.GRU(3), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    rng = np.random.default_rng(0)
    return model, rng.normal(size=(32, 4, 1)), rng.normal(size=(32, 1))


@pytest.mark.keras
def test_keras_callback_shows_epochs_and_the_loss(screen):
    model, x, y = _tiny_model()
    history = model.fit(
        x, y, epochs=3, batch_size=8, verbose=0, callbacks=[progress.keras_callback("GRU")]
    )
    final = screen.frames[-1]["text/plain"]
    assert final.startswith("GRU ▕" + "█" * 20)
    assert f"3/3 epochs · loss {history.history['loss'][-1]:.4g}" in final
    assert "stopped" not in final


@pytest.mark.keras
def test_keras_callback_says_where_early_stopping_stopped(screen):
    import keras

    model, x, y = _tiny_model()
    stop_after_two = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: setattr(model, "stop_training", epoch == 1)
    )
    model.fit(
        x,
        y,
        epochs=10,
        verbose=0,
        callbacks=[stop_after_two, progress.keras_callback("LSTM")],
    )
    final = screen.frames[-1]["text/plain"]
    assert "2/10 epochs" in final and "stopped at epoch 2" in final


@pytest.mark.keras
def test_keras_callback_moves_within_an_epoch(screen):
    model, x, y = _tiny_model()
    callback = progress.keras_callback("GRU", min_interval=0)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, callbacks=[callback])
    counts = [f["text/plain"].split(" · ")[0].split()[-2] for f in screen.frames]
    assert {"0.2/1", "0.5/1", "0.8/1"} <= set(counts), counts  # 4 batches: a quarter each


@pytest.mark.keras
def test_keras_callback_in_a_batch_run_changes_nothing(no_screen):
    import keras

    assert type(progress.keras_callback()) is keras.callbacks.Callback  # no hooks at all
    model, x, y = _tiny_model()
    with_cb = model.fit(x, y, epochs=2, verbose=0, callbacks=[progress.keras_callback()])
    model, x, y = _tiny_model()
    without = model.fit(x, y, epochs=2, verbose=0)
    assert with_cb.history == without.history


# --- a real kernel, as a front end and as a batch runner drive it --------------------------


def _run_in_kernel(code, allow_stdin):
    """Execute code in a fresh IPython kernel; return its iopub messages for the request."""
    # This interpreter's own kernel (as nbval --nbval-current-env starts it), whatever
    # kernelspecs the machine has.
    from nbval.kernel import CURRENT_ENV_KERNEL_NAME, start_new_kernel

    km, kc = start_new_kernel(kernel_name=CURRENT_ENV_KERNEL_NAME)
    try:
        msg_id = kc.execute(code, allow_stdin=allow_stdin)
        messages = []
        while True:
            msg = kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            messages.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return messages
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


CODE = (
    "import os; os.environ.pop('RNNLIB_PROGRESS', None)\n"
    "from rnnlib import progress\n"
    "total = 0\n"
    "for i in progress.track(range(3), 'demo', unit='runs'):\n"
    "    total += i\n"
    "print('total', total)"
)


@pytest.mark.slow
def test_a_front_end_with_a_keyboard_sees_the_bar():
    messages = _run_in_kernel(CODE, allow_stdin=True)
    kinds = [m["msg_type"] for m in messages]
    assert "display_data" in kinds and "update_display_data" in kinds, kinds
    last = [m for m in messages if m["msg_type"] == "update_display_data"][-1]
    assert "3/3 runs" in last["content"]["data"]["text/plain"]
    assert progress.CSS_CLASS in last["content"]["data"]["text/html"]


@pytest.mark.slow
def test_a_batch_runner_sees_exactly_the_outputs_without_the_bar():
    messages = _run_in_kernel(CODE, allow_stdin=False)
    outputs = [m for m in messages if m["msg_type"] not in {"status", "execute_input"}]
    assert [(m["msg_type"], m["content"].get("text")) for m in outputs] == [("stream", "total 3\n")]


def test_nbcheck_looks_for_the_bar_this_module_draws():
    assert nbcheck.PROGRESS_MARK == progress.CSS_CLASS


def test_the_example_line_in_how_to_use_is_what_render_draws():
    # how-to-use.md shows a bar to readers; it must be the line this module really draws.
    line = progress.render(5, 10, "GRU", unit="epochs", note="loss 0.0123", elapsed=2.4)
    assert line in (ROOT / "how-to-use.md").read_text(encoding="utf-8").splitlines()
