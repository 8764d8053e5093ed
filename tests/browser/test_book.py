"""What a reader sees: every page of the book in headless Chromium.

Run after `make book` (make test does both). See conftest.py for the set-up.
"""

from __future__ import annotations

import re

import pytest
import yaml

from .conftest import HTML, ROOT, book_pages

PAGES = book_pages()
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def _html(rel: str) -> str:
    return (HTML / rel).read_text(encoding="utf-8")


def _with(marker: str) -> list[str]:
    return [p for p in PAGES if marker in _html(p)]


MATH_PAGES = _with('class="math')
WIDGET_PAGES = _with("application/vnd.jupyter.widget-view+json")
NOTEBOOK_PAGES = [p for p in PAGES if (ROOT / p.replace(".html", ".ipynb")).exists()]


def test_the_book_has_pages_of_each_kind():
    assert len(PAGES) >= 5
    assert MATH_PAGES and WIDGET_PAGES and NOTEBOOK_PAGES


@pytest.mark.parametrize("rel", PAGES)
def test_page_loads_without_errors(visit, rel):
    v = visit(rel)
    assert v.page.title(), f"{rel} has no title"
    assert not v.failed_local, f"{rel}: failed requests to local files: {v.failed_local}"
    assert not v.console_errors, f"{rel}: console errors: {v.console_errors}"
    assert not v.blocked_external, (
        f"{rel}: requests that would need the internet: {v.blocked_external}"
    )


@pytest.mark.parametrize("rel", MATH_PAGES)
def test_math_is_rendered(visit, rel):
    page = visit(rel).page
    assert page.locator("mjx-container").count() > 0, f"{rel}: MathJax rendered nothing"
    text = page.locator("main").inner_text()
    for raw in ("\\(", "\\)", "$$", "\\begin{"):
        assert raw not in text, f"{rel}: raw TeX {raw!r} is visible"


# Display equations wider than their box: (width px, box px, first characters).
WIDE_MATH_JS = """() => [...document.querySelectorAll('mjx-container[display="true"]')]
  .filter(c => c.scrollWidth > c.parentElement.clientWidth + 2)
  .map(c => [c.scrollWidth, c.parentElement.clientWidth, c.textContent.slice(0, 50)])"""


@pytest.mark.parametrize("rel", MATH_PAGES)
def test_display_math_fits_the_text_column(visit, rel):
    """At a laptop's width (1280 px) no equation needs a horizontal scroll bar."""
    wide = visit(rel).page.evaluate(WIDE_MATH_JS)
    assert not wide, f"{rel}: split these equations over lines (px, column px, start): {wide}"


@pytest.mark.parametrize("rel", PAGES)
def test_figures_are_visible_images_with_alt_text(visit, rel):
    """Every figure: loaded, visible, with alt text.

    Images inside a widget are live views that a kernel redraws; each such page
    also shows the same result as a static figure, which carries the alt text.
    """
    page = visit(rel).page
    if page.locator(".jupyter-widgets img").count():
        assert page.locator("main article img[alt]:not(.jupyter-widgets img)").count(), (
            f"{rel}: a widget shows a picture, but no static figure with alt text tells the story"
        )
    images = page.locator("main article img:not(.jupyter-widgets img)")
    for i in range(images.count()):
        img = images.nth(i)
        src = img.get_attribute("src")
        assert (img.get_attribute("alt") or "").strip(), f"{rel}: image {src} has no alt text"
        assert img.evaluate("el => el.complete && el.naturalWidth > 0"), f"{rel}: {src} not loaded"
        box = img.bounding_box()
        assert box and box["width"] > 10 and box["height"] > 10, f"{rel}: {src} is not visible"


@pytest.mark.parametrize("rel", WIDGET_PAGES)
def test_saved_widgets_render_as_widgets(visit, rel):
    page = visit(rel).page
    page.wait_for_selector(".jupyter-widgets", timeout=10_000)
    views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    rendered = page.locator(
        ".jupyter-widgets.widget-container, .jupyter-widgets.widget-inline-hbox"
    )
    assert views > 0 and rendered.count() > 0, f"{rel}: {views} widget views, none rendered"
    # Sliders show their saved value, and saved images are visible.
    for widget_img in page.locator(".jupyter-widgets img").all():
        assert widget_img.evaluate("el => el.naturalWidth > 0")


@pytest.mark.parametrize("rel", NOTEBOOK_PAGES)
def test_launch_buttons_point_at_this_notebook(visit, rel):
    page = visit(rel).page
    repo = CONFIG["repository"]["url"].removeprefix("https://github.com/").rstrip("/")
    branch = CONFIG["repository"].get("branch", "main")
    path = rel.replace(".html", ".ipynb")
    binder = CONFIG["launch_buttons"]["binderhub_url"]
    colab = CONFIG["launch_buttons"]["colab_url"]
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert f"{binder}/v2/gh/{repo}/{branch}?urlpath=lab/tree/{path}" in hrefs, rel
    assert f"{colab}/github/{repo}/blob/{branch}/{path}" in hrefs, rel


def test_search_finds_reset_after(visit):
    page = visit("search.html", query="?q=reset_after").page
    page.wait_for_selector("#search-results li", timeout=15_000)
    results = page.locator("#search-results li a").all_inner_texts()
    assert results, "searching for reset_after found nothing"
    assert any("GRU" in r or "first look" in r.lower() for r in results), results


def test_no_raw_myst_roles_are_visible(visit):
    # A role that failed to parse shows as literal text such as {doc}`...` or {cite}`...`.
    for rel in PAGES:
        text = visit(rel).page.locator("main").inner_text()
        assert not re.search(r"\{(doc|cite|ref|numref)\}`", text), f"{rel}: a raw MyST role shows"
