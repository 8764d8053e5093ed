"""The built book in a real browser: a local server, headless Chromium, and page probes.

The book in _build/html (`make book`) is served on 127.0.0.1. Chromium is
Debian's (/usr/bin/chromium), driven by Playwright. Requests to the CDN URLs
of MathJax and the widget manager are answered from vendor/
(tools/browser_assets.py), so the tests pass with no internet; any other
request that leaves the machine is aborted and recorded.

Each visited page is saved as a screenshot under test-artifacts/screenshots/.
"""

from __future__ import annotations

import functools
import mimetypes
import os
import shutil
import sys
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
sys.path.insert(0, str(ROOT / "tools"))
from browser_assets import local_path  # noqa: E402
from notebooks import toc_files  # noqa: E402

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def book_pages() -> list[str]:
    """Every page that _toc.yml lists, as a path relative to _build/html."""
    return [f"{entry}.html" for entry in toc_files(ROOT / "_toc.yml")]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site():
    """Base URL of the built book, served from _build/html on a free local port."""
    if not (HTML / "index.html").exists():
        pytest.fail("the book is not built: run `make book` first")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.fail("Chromium is missing: `apt-get install chromium` (make test does it)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Visit:
    """What one page load showed: the page, and what went wrong on the way."""

    page: object
    console_errors: list = field(default_factory=list)
    failed_local: list = field(default_factory=list)
    blocked_external: list = field(default_factory=list)


def _route(route, visit: Visit, base: str):
    url = route.request.url
    if url.startswith(base):
        return route.continue_()
    path = local_path(url)
    if path is not None:
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return route.fulfill(
            status=200,
            body=path.read_bytes(),
            headers={"content-type": mime, "access-control-allow-origin": "*"},
        )
    visit.blocked_external.append(url)
    return route.abort()


@pytest.fixture(scope="session")
def visit(browser, site):
    """``visit("chapters/x.html")`` loads a page, waits for MathJax and widgets, screenshots it."""
    cache = {}

    def load(rel: str, *, query: str = "") -> Visit:
        key = rel + query
        if key in cache:
            return cache[key]
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        result = Visit(page)
        page.on(
            "console",
            lambda msg: result.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda err: result.console_errors.append(str(err)))
        page.on(
            "requestfailed",
            lambda req: (
                result.failed_local.append(f"{req.url} ({req.failure})")
                if req.url.startswith(site)
                else None
            ),
        )
        page.on(
            "response",
            lambda resp: (
                result.failed_local.append(f"{resp.url} (HTTP {resp.status})")
                if resp.url.startswith(site) and resp.status >= 400
                else None
            ),
        )
        context.route("**/*", lambda route: _route(route, result, site))
        page.goto(site + rel + query, wait_until="load")
        page.wait_for_load_state("networkidle")
        # MathJax typesets asynchronously; wait until it says it is done.
        page.wait_for_function(
            "() => !window.MathJax || (window.MathJax.startup && "
            "window.MathJax.startup.promise && true)"
        )
        page.evaluate("() => window.MathJax && MathJax.startup.promise")
        page.wait_for_timeout(300)  # widgets render after require.js resolves
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = (rel + query).replace("/", "__").replace("?", "_").replace("=", "-")
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        cache[key] = result
        return result

    return load
