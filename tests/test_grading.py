"""The grading plumbing: shipped public tests, fresh checks, partial credit, the otter configs.

What the graded (otter) tests rely on, proven fast and without running otter:

* ``rnnlib.grading.public_tests`` finds every exercise's public tests inside
  rnnlib, and the module imports neither otter nor TensorFlow;
* ``grade`` runs a fresh copy of the checks: a notebook that rebinds
  ``rnnlib.checks.rnn_step``, ``CheckResult.passed`` or the module itself
  does not change a grade, and its modules are the same objects afterwards;
* the partial-credit plugin scores a question as the sum of points times the
  share of sub-checks passed, parsed from the report's title line;
* every exercise's ASSIGNMENT CONFIG takes otter's Colab route, ships the
  rnnlib wheel with exact pins from environment.yml, and names Python 3.11.

tests/test_exercises.py runs otter itself (slow).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import nbformat
import numpy as np
import pytest

import rnnlib
import rnnlib.checks
from rnnlib import grading

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from assign import PUBLIC_TESTS, assignment_config, exercise_sources  # noqa: E402
from pins import pins as course_pins  # noqa: E402

SOURCES = exercise_sources()
IDS = [p.stem for p in SOURCES]


def right_step(x_t, h_prev, W_x, W_h, b):
    return np.tanh(x_t @ W_x + h_prev @ W_h + b)


def no_bias_step(x_t, h_prev, W_x, W_h, b):
    return np.tanh(x_t @ W_x + h_prev @ W_h)


# --------------------------------------------------------------------------
# public_tests: the public otter tests ship inside rnnlib
# --------------------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_public_tests_of_every_exercise_ship_inside_rnnlib(source):
    folder = Path(grading.public_tests(source.stem))
    assert folder == PUBLIC_TESTS / source.stem
    questions = sorted(p.stem for p in folder.glob("*.py"))
    assert questions, f"no public tests in {folder}: run `make assignments`"
    for path in folder.glob("*.py"):
        text = path.read_text()
        assert "from rnnlib.grading import grade" in text and "hidden=True" not in text


def test_public_tests_lists_the_exercises_in_its_error():
    assert grading.exercises() == IDS
    with pytest.raises(ValueError, match=r"exercise must be one of .*ex01_recurrent_step.*'ex99'"):
        grading.public_tests("ex99")


def test_the_package_data_pattern_covers_the_public_tests():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["rnnlib"]
    assert "otter_tests/*/*.py" in patterns


def test_grading_imports_neither_otter_nor_tensorflow():
    code = (
        "import sys, rnnlib.grading as g; g.public_tests('ex01_recurrent_step'); "
        "print(sorted(m for m in ('otter', 'tensorflow', 'keras') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------
# grade: a fresh copy of the checks
# --------------------------------------------------------------------------


def test_grade_returns_the_result_of_a_right_function():
    result = grading.grade("rnn_step", right_step)
    assert result.passed and result.score == result.max_score
    assert grading.grade("rnn_step", right_step, key=2026).passed


def test_grade_raises_the_report_for_a_wrong_function():
    with pytest.raises(AssertionError) as err:
        grading.grade("rnn_step", no_bias_step)
    title = str(err.value).splitlines()[0]
    assert re.fullmatch(r"rnn_step: \d+/\d+ checks passed", title), title
    assert 0 < grading.passed_fraction(f"AssertionError: {err.value}") < 1


def test_grade_names_an_unknown_check():
    with pytest.raises(ValueError, match="no check called 'no_such_check'"):
        grading.grade("no_such_check", right_step)


def _rnnlib_modules():
    return {name: m for name, m in sys.modules.items() if name.split(".")[0] == "rnnlib"}


def test_rebinding_the_check_in_the_notebook_does_not_change_the_grade(monkeypatch):
    always = types.SimpleNamespace(passed=True, score=1, max_score=1)
    monkeypatch.setattr(rnnlib.checks, "rnn_step", lambda fn, **kwargs: always)
    assert rnnlib.checks.rnn_step(no_bias_step).passed  # what the learner sees...
    before = _rnnlib_modules()
    with pytest.raises(AssertionError, match="rnn_step: "):
        grading.grade("rnn_step", no_bias_step)  # ...is not what grading sees
    after = _rnnlib_modules()
    assert after.keys() == before.keys()
    assert all(after[name] is module for name, module in before.items())
    assert rnnlib.checks.rnn_step(no_bias_step) is always  # the learner's rebinding stays


def test_patching_check_result_passed_does_not_change_the_grade(monkeypatch):
    monkeypatch.setattr(rnnlib.checks.CheckResult, "passed", property(lambda self: True))
    assert rnnlib.checks.rnn_step(no_bias_step).passed
    with pytest.raises(AssertionError):
        grading.grade("rnn_step", no_bias_step)
    assert sys.modules["rnnlib.checks"] is rnnlib.checks


def test_replacing_the_checks_module_does_not_change_the_grade(monkeypatch):
    fake = types.ModuleType("rnnlib.checks")
    fake.rnn_step = lambda fn, **kwargs: types.SimpleNamespace(passed=True)
    fake.run = lambda name, fn, **kwargs: types.SimpleNamespace(passed=True)
    monkeypatch.setitem(sys.modules, "rnnlib.checks", fake)
    monkeypatch.setattr(rnnlib, "checks", fake)
    with pytest.raises(AssertionError):
        grading.grade("rnn_step", no_bias_step)
    assert sys.modules["rnnlib.checks"] is fake and rnnlib.checks is fake


def test_a_shortcut_through_the_notebooks_rnnlib_is_refused_by_grade_too():
    def shortcut(x_t, h_prev, W_x, W_h, b):
        return rnnlib.rnn_step(x_t, h_prev, W_x, W_h, b)  # the learner's own rnnlib module

    with pytest.raises(AssertionError):
        grading.grade("rnn_step", shortcut)


# --------------------------------------------------------------------------
# Partial credit
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message, fraction",
    [
        ("AssertionError: rnn_step: 6/8 checks passed\n  ✓ bias only", 0.75),
        (
            "❌ Test case failed\nError at line 11 in test rnn_step:\n      grade('rnn_step', f)\n"
            "AssertionError: rnn_step: 3/8 checks passed\n  ✗ bias only: b is left out",
            0.375,
        ),
        ("AssertionError: build_model: 0/4 checks passed", 0.0),
        ("AssertionError: rnn_step: 8/8 checks passed", 0.0),  # claims a pass: not credited
        ("AssertionError: rnn_step: 9/8 checks passed", 0.0),
        ("AssertionError: rnn_step: 0/0 checks passed", 0.0),
        ("NameError: name 'rnn_step' is not defined", 0.0),
        ("  ✗ full step: your function raised: rnn_step: 7/8 checks passed", 0.0),  # not a title
        ("", 0.0),
        (None, 0.0),
    ],
)
def test_passed_fraction_reads_the_title_line(message, fraction):
    assert grading.passed_fraction(message) == fraction


def test_passed_fraction_takes_the_first_title():
    message = (
        "AssertionError: rnn_forward: 1/7 checks passed\n"
        "AssertionError: rnn_forward: 6/7 checks passed"
    )
    assert grading.passed_fraction(message) == 1 / 7


def _graded(test_source: str, env: dict):
    """Run an otter exception-based test file against ``env``; return otter's GradingResults."""
    from otter.test_files import GradingResults
    from otter.test_files.exception_test import ExceptionTestFile

    test_file = ExceptionTestFile.from_string(test_source, path="q.py")
    test_file.run(env)
    return GradingResults([test_file])


TWO_CASES = """
from otter.test_files import test_case

name = "q"
points = 4

@test_case(points=None, hidden=False)
def test_public(fn):
    fn(6)

@test_case(points=None, hidden=True)
def test_hidden(fn):
    fn(8)
"""


def _fake_check(right):
    def fn(cases):
        if right < cases:
            raise AssertionError(f"q: {right}/{cases} checks passed\n  ✗ something")

    return fn


@pytest.mark.parametrize(
    "right, score",
    [(8, 4.0), (6, 2 * 1.0 + 2 * 6 / 8), (3, 2 * 3 / 6 + 2 * 3 / 8), (0, 0.0)],
)
def test_partial_credit_plugin_scores_points_times_the_share_passed(right, score):
    from rnnlib.otter_plugin import PartialCredit

    results = _graded(TWO_CASES, {"fn": _fake_check(right)})
    PartialCredit(None, {}, {}).after_grading(results)
    assert results.get_score("q") == pytest.approx(score)
    assert results.total == pytest.approx(score) and results.possible == 4
    assert results.to_dict()["q"]["score"] == pytest.approx(score)  # what otter grade's CSV reads


def test_partial_credit_gives_3_of_4_points_for_6_of_8_sub_checks():
    from rnnlib.otter_plugin import PartialCredit

    one_case = TWO_CASES.split("@test_case(points=None, hidden=True)")[0].replace("fn(6)", "fn(8)")
    results = _graded(one_case, {"fn": _fake_check(6)})
    assert results.get_score("q") == 0  # otter alone: all or nothing
    PartialCredit(None, {}, {}).after_grading(results)
    assert results.get_score("q") == 3.0


def test_a_crash_in_the_test_earns_nothing():
    from rnnlib.otter_plugin import PartialCredit

    results = _graded(TWO_CASES, {"fn": None})  # the learner's function is missing
    PartialCredit(None, {}, {}).after_grading(results)
    assert results.get_score("q") == 0


# --------------------------------------------------------------------------
# The ASSIGNMENT CONFIG of every exercise
# --------------------------------------------------------------------------


def _test_cells(source: Path) -> list[str]:
    nb = nbformat.read(source, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code" and "def test_" in c.source]


def _wheel_name() -> str:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    return f"rnnlib-{version}-py3-none-any.whl"


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_assignment_config_takes_the_colab_route_with_test_files(source):
    config = assignment_config(source)
    assert config["name"] == source.stem
    assert config["runs_on"] == "colab"
    assert config["tests"] == {"files": True, "ok_format": False}


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_autograder_installs_the_shipped_wheel_with_exact_pins_on_python_3_11(source):
    config = assignment_config(source)
    assert str(config["python_version"]) == "3.11"
    assert config["autograder_files"] == [_wheel_name()]
    requirements = config["requirements"]
    assert requirements[-1] == f"./files/{_wheel_name()}"  # otter's files/ in the zip
    assert not any("git" in r or "://" in r for r in requirements)
    pins = course_pins("course")
    keras = '"build_model"' in "".join(_test_cells(source))  # only build_model imports Keras
    wanted = ["numpy"] + (["tensorflow-cpu", "keras"] if keras else [])
    assert requirements[:-1] == [f"{name}=={pins[name]}" for name in wanted]
    assert config["plugins"] == ["rnnlib.otter_plugin.PartialCredit"]
    assert config["generate"]["show_hidden"] is False


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_every_graded_test_calls_grade(source):
    nb = nbformat.read(source, as_version=4)
    setup = next(c for c in nb.cells if c.cell_type == "code")
    assert f'otter.Notebook(tests_dir=grading.public_tests("{source.stem}"))' in setup.source
    tests = _test_cells(source)
    assert tests
    for test in tests:
        assert "from rnnlib.grading import grade" in test and "assert_passed" not in test
        hidden = "hidden: true" in test
        assert bool(re.search(r"key=\d+", test)) == hidden, test
