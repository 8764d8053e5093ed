"""Partial credit for otter-grader: a failed test earns its share of the sub-checks it passed.

otter scores a question as the sum of the points of its passed test cases, so a
function with 6 of 8 sub-checks right would get nothing. Each exercise's
ASSIGNMENT CONFIG lists this plugin (``plugins: [rnnlib.otter_plugin.PartialCredit]``);
after grading, it sets each question's score to

    sum over its test cases of points * fraction,

with fraction 1 for a passed case and ``k / n`` for a failed one whose message
holds the check's title line ``"<name>: k/n checks passed"`` (0 otherwise, see
:func:`rnnlib.grading.passed_fraction`). A 4-point question with 8 sub-checks
thus gives 3 points for 6 right.

otter runs the plugin wherever it grades: ``otter run``, ``otter grade``'s
containers and Gradescope (``after_grading`` is called by
``otter.execute.grade_notebook``), before it writes results.json, the
Gradescope results and ``otter grade``'s CSV. This module imports otter; the
rest of rnnlib does not.
"""

from __future__ import annotations

from otter.plugins import AbstractOtterPlugin

from rnnlib.grading import passed_fraction

__all__ = ["PartialCredit", "question_score"]


def question_score(test_file) -> float:
    """The partial-credit score of one graded question.

    Args:
        test_file: otter's result for the question (an
            ``otter.test_files.TestFile``, after its test cases ran).

    Returns:
        The sum over its test cases of ``points * fraction``, rounded to 6
        decimals.
    """
    score = 0.0
    for case in test_file.test_case_results:
        fraction = 1.0 if case.passed else passed_fraction(case.message)
        score += case.test_case.points * fraction
    return round(score, 6)


class PartialCredit(AbstractOtterPlugin):
    """otter plugin: rescore every question by the share of sub-checks passed."""

    def after_grading(self, results):
        """Replace each question's score in ``results`` by :func:`question_score`.

        Args:
            results: otter's ``GradingResults`` for the submission.
        """
        for name in results.test_files:
            results.update_score(name, question_score(results.get_result(name)))
