"""The report of a check: :class:`CheckResult`, as plain text and as HTML."""

from __future__ import annotations

import html
import re

_PASS_MARK, _FAIL_MARK = "✓", "✗"
_INPUTS_LABEL = "keeps its inputs unchanged"


# ==========================================================================
# The result of a check.
# ==========================================================================


class CheckResult:
    """The outcome of a check: one line per sub-check; truthy if and only if it passed.

    In a notebook it shows as a compact list with green and red marks;
    ``str(result)`` gives the same report as plain text, under a title line
    such as ``rnn_step: 5/7 checks passed``.

    Args:
        name: what was checked, usually the learner's function name.
        max_score: the number of sub-checks the check plans to run. Defaults
            to the number of lines added. A check that stops early (an
            unwritten function, a time-out) adds fewer lines than that.

    Attributes:
        name: as given.
        passed: True when every planned sub-check passed.
        score: the number of sub-checks passed.
        max_score: the number of sub-checks planned.
        messages: one string per line of the report, starting with ✓ or ✗;
            a failed line carries its hint after a colon.

    Example:

    >>> result = CheckResult("demo", max_score=2)
    >>> _ = result.add("shape", True)
    >>> _ = result.add("values", False, "h_t is wrong at [0, 1]: expected 0.5, got 0.7")
    >>> bool(result), result.score, result.max_score
    (False, 1, 2)
    >>> print(result)
    demo: 1/2 checks passed
      ✓ shape
      ✗ values: h_t is wrong at [0, 1]: expected 0.5, got 0.7
    """

    def __init__(self, name: str, max_score: int | None = None):
        self.name = name
        self._max_score = max_score
        self._lines: list[tuple[bool, str]] = []

    def add(self, label: str, passed: bool, hint: str | None = None) -> CheckResult:
        """Record one sub-check: its label, whether it passed and, if not, a hint.

        Args:
            label: short description of the sub-check, e.g. `"bias only"`.
            passed: whether it passed.
            hint: for a failed sub-check, what went wrong and how to fix it.

        Returns:
            The result itself, so that calls can be chained.

        Example:

        >>> CheckResult("demo").add("runs", True).passed
        True
        """
        text = f"{label}: {hint}" if hint and not passed else label
        self._lines.append((bool(passed), text))
        return self

    @property
    def score(self) -> int:
        return sum(ok for ok, _ in self._lines)

    @property
    def max_score(self) -> int:
        return len(self._lines) if self._max_score is None else self._max_score

    @property
    def passed(self) -> bool:
        return self.max_score > 0 and self.score == self.max_score

    @property
    def messages(self) -> list[str]:
        return [f"{_PASS_MARK if ok else _FAIL_MARK} {text}" for ok, text in self._lines]

    @property
    def title(self) -> str:
        return f"{self.name}: {self.score}/{self.max_score} checks passed"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return "\n".join([self.title, *(f"  {message}" for message in self.messages)])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        green, red = "#1a7f37", "#cf222e"
        rows = "".join(
            f'<li><span style="color:{green if ok else red};font-weight:bold">'
            f"{_PASS_MARK if ok else _FAIL_MARK}</span> {_html_text(text)}</li>"
            for ok, text in self._lines
        )
        return (
            '<div class="rnnlib-check">'
            f'<div style="font-weight:bold;color:{green if self.passed else red}">'
            f"{html.escape(self.title)}</div>"
            f'<ul style="list-style:none;margin:0.2em 0;padding-left:1em">{rows}</ul></div>'
        )

    def assert_passed(self) -> CheckResult:
        """Raise ``AssertionError(str(self))`` unless every sub-check passed.

        For otter-grader test cells, which show the assertion message.

        Returns:
            The result itself when it passed.

        Raises:
            AssertionError: with the whole report as its message.

        Example:

        >>> CheckResult("demo").add("runs", True).assert_passed().score
        1
        """
        if not self.passed:
            raise AssertionError(str(self))
        return self


def _html_text(text: str) -> str:
    """Escape ``text`` for HTML and show its `backticked` parts as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))
