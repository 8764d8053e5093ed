"""Readers who use a screen reader or a keyboard: an axe-core audit of every page.

axe-core (vendor/axe-core, fetched by tools/browser_assets.py) is injected into
each page of the built book after MathJax has typeset it, and checks the page
against WCAG 2.0, 2.1 and 2.2 levels A and AA plus axe's best practices. A
violation of impact "serious" or "critical" fails the page; every finding, of
any impact, is saved under test-artifacts/axe/ for a closer look.

Run after `make book` (make test does both). See conftest.py for the set-up.
"""

from __future__ import annotations

import json

import pytest

from .conftest import ROOT, book_pages

PAGES = book_pages()
AXE = ROOT / "vendor" / "axe-core" / "axe.min.js"
REPORTS = ROOT / "test-artifacts" / "axe"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING = {"serious", "critical"}

# Nothing is excluded: every finding so far was fixed in the book's own sources
# (_config.yml, _static/, _ext/, the notebooks). Add a selector here only for
# markup that a theme writes and no setting can change, with a comment naming
# the theme's bug.
EXCLUDE: list[str] = []

AXE_RUN_JS = """([tags, exclude]) => axe.run(
  {exclude: exclude.map(s => [s])},
  {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}
).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
  targets: v.nodes.map(n => n.target.join(' '))
})))"""


def audit(page) -> list[dict]:
    """axe-core's violations on ``page``: dicts with id, impact, help, helpUrl and targets."""
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `python tools/browser_assets.py`")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN_JS, [TAGS, EXCLUDE])


def describe(violations: list[dict], shown: int = 3) -> str:
    """One line per violation: rule, impact, how many elements, help URL, first selectors."""
    lines = []
    for v in violations:
        more = len(v["targets"]) - shown
        targets = ", ".join(v["targets"][:shown]) + (f" (+{more} more)" if more > 0 else "")
        lines.append(
            f"  {v['id']} [{v['impact']}] x{len(v['targets'])}: {v['help']} "
            f"({v['helpUrl']})\n      {targets}"
        )
    return "\n".join(lines)


@pytest.mark.parametrize("rel", PAGES)
def test_page_has_no_serious_accessibility_violations(visit, rel):
    violations = audit(visit(rel).page)
    REPORTS.mkdir(parents=True, exist_ok=True)
    name = rel.replace("/", "__").removesuffix(".html")
    (REPORTS / f"{name}.json").write_text(json.dumps(violations, indent=1))
    bad = [v for v in violations if v["impact"] in FAILING]
    assert not bad, f"{rel}: axe-core finds serious or critical violations:\n{describe(bad)}"


def test_first_tab_reaches_a_visible_skip_link_with_a_focus_outline(browser, site):
    """A keyboard reader's first Tab lands on "skip to main content", shown with an outline."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site) else r.abort())
        page.goto(site + "chapters/01_recurrent_equation.html", wait_until="load")
        page.keyboard.press("Tab")
        # The theme slides the skip link in from above the page (a short transition).
        page.wait_for_function(
            "() => document.activeElement.getBoundingClientRect().top >= 0", timeout=2_000
        )
        focused = page.evaluate(
            """() => { const el = document.activeElement, s = getComputedStyle(el),
                 r = el.getBoundingClientRect();
               return {tag: el.tagName, text: el.textContent.trim(), href: el.getAttribute('href'),
                       outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                       shadow: s.boxShadow, visible: r.width > 0 && r.height > 0 &&
                       r.bottom > 0 && r.top < innerHeight && s.visibility !== 'hidden'}; }"""
        )
        assert focused["tag"] == "A" and "skip" in focused["text"].lower(), (
            f"the first Tab should reach a 'skip to main content' link, not {focused}"
        )
        target = page.locator(focused["href"])
        assert focused["href"].startswith("#") and target.count() == 1, focused
        assert focused["visible"], f"the focused skip link is not on screen: {focused}"
        has_outline = focused["outline"] != "none" and focused["width"] >= 1
        assert has_outline or focused["shadow"] != "none", (
            f"the focused skip link shows no focus outline: {focused}"
        )
        page.keyboard.press("Enter")
        assert page.evaluate("() => location.hash") == focused["href"]
    finally:
        context.close()
