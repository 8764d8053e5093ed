"""One notation: the names in the checks' learner-facing text are the notation page's.

A hint that says ``U_h`` or ``dh_next`` sends a learner looking for a symbol no
page uses. Every code-like symbol in the strings of ``rnnlib/checks`` (hints,
mutant descriptions, the check docstrings learners read with ``help``) must
appear in ``reference/notation.md`` as code, for example ``W_x`` or ``delta_t``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTATION = ROOT / "reference" / "notation.md"
CHECKS = ROOT / "rnnlib" / "checks"

# A symbol: a short stem, an underscore and a short subscript, e.g. W_x, h_prev,
# delta_t, W_h_z, dW_h. Longer names (reset_after, return_sequences) are Keras's
# arguments, not symbols.
SYMBOL = re.compile(
    r"(?<![\w.])((?:d?[A-Za-z]{1,2}|delta|hh)_[A-Za-z0-9]{1,4}(?:_[A-Za-z0-9]{1,2})?)(?![\w(])"
)
# Names a hint shows that are not symbols of the maths: an example function.
NOT_SYMBOLS = {"my_clip"}


def symbols_in(text: str) -> set[str]:
    """Code-like symbols in ``text``, with a numeric subscript read as ``t`` (h_1 -> h_t)."""
    return {re.sub(r"_\d+$", "_t", s) for s in SYMBOL.findall(text)} - NOT_SYMBOLS


def learner_strings(path: Path) -> list[str]:
    """String constants of a module, without the docstrings of private code.

    Docstrings of functions and modules are for the maintainer; what a learner
    reads is in ordinary string constants (hints, ``Spec(doc=...)``).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and ast.get_docstring(node) is not None
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def notation_codes() -> set[str]:
    """Every name the notation page writes as code (`W_x`, `delta_t`, ...)."""
    text = NOTATION.read_text(encoding="utf-8")
    return {name for span in re.findall(r"`([^`]+)`", text) for name in symbols_in(span)}


def test_the_pattern_finds_symbols_and_skips_arguments():
    found = symbols_in("r_t * (h_prev @ W_h_h + b_rec), with dW_h and h_1; reset_after=True")
    assert found == {"r_t", "h_prev", "W_h_h", "b_rec", "dW_h", "h_t"}


def test_the_notation_page_lists_its_core_symbols():
    # guards the reader above: a page that lost its tables would pass everything
    assert {"W_x", "W_h", "h_t", "h_prev", "delta_t", "dh_t", "b_in", "b_rec"} <= notation_codes()


@pytest.mark.parametrize(
    "path", sorted(CHECKS.rglob("*.py")), ids=lambda p: p.relative_to(CHECKS).as_posix()
)
def test_hint_symbols_are_on_the_notation_page(path):
    listed = notation_codes()
    used = set().union(*(symbols_in(s) for s in learner_strings(path)))
    missing = sorted(used - listed)
    assert not missing, (
        f"{path.relative_to(ROOT)} shows learners {missing}, which reference/notation.md "
        "does not list: use the page's names, or add the symbol to the notation page"
    )
