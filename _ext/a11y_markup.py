"""Small repairs to the theme's HTML, so that screen readers can name every control.

tests/browser/test_a11y.py runs axe-core on every page. These findings come from
markup that pydata-sphinx-theme 0.17, myst-nb and Sphinx write and that no setting
changes, so each written page is rewritten once the build has finished:

- the sidebar's expand buttons (``<details><summary>`` holding only a chevron icon)
  get screen-reader text naming their chapter (axe: summary-name);
- the search button's ``aria-label="Search"`` is dropped, so that its name is the
  text it shows, "Search Ctrl+K" (label-content-name-mismatch);
- the colour-mode button's three icons lose their ``title`` attributes (Light, Dark,
  System Settings): Font Awesome turns them into SVG ``<title>`` text, which is read
  as the button's text; the button keeps its name, "Color mode", and its tooltip
  (label-content-name-mismatch);
- myst-nb's "Show code cell source" toggles lose ``aria-label="Toggle hidden
  content"``, so that their name is the text they show (label-content-name-mismatch);
- the bibliography's entries get ``role="listitem"`` instead of the deprecated
  ``doc-biblioentry``: their parent has ``role="list"`` (aria-required-children).

Each rewrite is a plain text substitution on a known piece of markup and is
idempotent. Colours are fixed in _static/a11y.css and the saved widgets'
names in _static/a11y-widgets.js.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

_TAGS = re.compile(r"<[^>]+>")

# The sidebar: <a class="reference internal" href="...">Title</a><details><summary>
_SIDEBAR = re.compile(
    r'(<a class="[^"]*reference internal[^"]*" href="[^"]*">((?:(?!</a>).)*)</a>'
    r"\s*<details[^>]*>\s*<summary)>"
    r'(\s*<span class="toctree-toggle")'
)


def _sidebar_summary(match: re.Match) -> str:
    title = html.escape(html.unescape(_TAGS.sub("", match.group(2))).strip(), quote=False)
    hidden = f'<span class="a11y-sr-only">Sections of {title}</span>'
    return f"{match.group(1)}>{hidden}{match.group(3)}"


_PLAIN = [
    (
        re.compile(r'(<button class="[^"]*search-button__button[^"]*"[^>]*?) aria-label="Search"'),
        r"\1",
    ),
    (re.compile(r'(<i class="theme-switch [^"]*"[^>]*?) title="[^"]*"'), r"\1"),
    (re.compile(r'<summary aria-label="Toggle hidden content">'), "<summary>"),
    (
        re.compile(r'(<div class="citation" id="[^"]*") role="doc-biblioentry"'),
        r'\1 role="listitem"',
    ),
]


def repair(text: str) -> str:
    """The page ``text`` with the repairs above applied.

    Args:
        text: one written HTML page.

    Example:
        >>> repair('<summary aria-label="Toggle hidden content">')
        '<summary>'
    """
    text = _SIDEBAR.sub(_sidebar_summary, text)
    for pattern, replacement in _PLAIN:
        text = pattern.sub(replacement, text)
    return text


def _rewrite(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = repair(text)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def setup(app):
    app.connect("build-finished", _rewrite)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
