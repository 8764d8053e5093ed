"""rnnlib.timing: the machine line every timing cell prints, and the small timers."""

from __future__ import annotations

import os
import subprocess
import sys

from rnnlib import timing


def test_machine_names_the_cpu_the_cores_and_python():
    text = timing.machine()
    assert f"{os.cpu_count()} cores" in text
    assert "Python " in text and "NumPy " in text


def test_machine_does_not_import_tensorflow():
    code = (
        "import sys, numpy; from rnnlib import timing; timing.machine(); "
        "print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_per_call_calls_the_function_as_often_as_asked():
    seen = []
    seconds = timing.per_call(seen.append, 1, calls=7)
    assert seen == [1] * 7 and seconds >= 0


def test_spread_is_min_median_max():
    assert timing.spread([5, 1, 3]) == (1.0, 3.0, 5.0)
