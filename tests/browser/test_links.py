"""No broken internal links or anchors anywhere in the built book (no browser needed)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .conftest import HTML


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) and tag in ("a", "img", "script", "link", "iframe", "source"):
                self.links.append(attrs[key])


def _parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8", errors="replace"))
    return collector


def test_every_internal_link_and_anchor_resolves():
    pages = [
        p for p in HTML.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts
    ]
    assert pages, "no HTML pages: run `make book` first"
    parsed = {p: _parse(p) for p in pages}
    broken = []
    for page, collector in parsed.items():
        for link in collector.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("//", "mailto:", "javascript:", "data:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(HTML)} -> {link} (no such file)")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.relative_to(HTML)} -> {link} (no such anchor)")
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(sorted(set(broken))[:40])
