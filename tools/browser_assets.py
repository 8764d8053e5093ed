"""Local copies of the book's CDN scripts, for browser tests on a machine with no internet.

The published book loads MathJax and the Jupyter widget manager from CDNs.
The browser tests (tests/browser/) serve these copies instead: they intercept
requests to the CDN URLs below and answer them from vendor/, filled here from
the npm registry with `npm pack` (four tarballs, no dependencies). The fourth,
axe-core, is not part of the book: the accessibility audit
(tests/browser/test_a11y.py) injects vendor/axe-core/axe.min.js into each page.

Usage:
    python tools/browser_assets.py     fetch what is missing into vendor/ (idempotent)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "vendor"

#: npm package -> folder under vendor/
PACKAGES = {
    "mathjax@3.2.2": "mathjax",
    "@jupyter-widgets/html-manager@1.0.6": "html-manager",
    "requirejs@2.3.4": "requirejs",
    "axe-core@4.14.1": "axe-core",
}

#: CDN URL prefix (as Sphinx and _config.yml write them) -> local folder.
CDN_MAP = {
    "https://cdn.jsdelivr.net/npm/mathjax@3/": VENDOR / "mathjax",
    "https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@1.0.6/": VENDOR / "html-manager",
    "https://cdn.jsdelivr.net/npm/requirejs@2.3.4/": VENDOR / "requirejs",
}


def local_path(url: str) -> Path | None:
    """The local copy that answers ``url``, or None if it is not a mapped CDN URL."""
    url = url.split("?", 1)[0].split("#", 1)[0]
    for prefix, folder in CDN_MAP.items():
        if url.startswith(prefix):
            path = folder / url[len(prefix) :]
            return path if path.is_file() else None
    return None


def fetch() -> None:
    """Download and unpack each package that vendor/ lacks."""
    npm = shutil.which("npm")
    for spec, folder in PACKAGES.items():
        target = VENDOR / folder
        if (target / "package.json").exists():
            continue
        if npm is None:
            sys.exit(
                "npm is needed to fetch the browser tests' local copies of MathJax, widgets"
                " and axe-core"
            )
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [npm, "pack", "--silent", spec], cwd=tmp, check=True, stdout=subprocess.DEVNULL
            )
            (tarball,) = Path(tmp).glob("*.tgz")
            with tarfile.open(tarball) as tar:
                tar.extractall(tmp, filter="data")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(Path(tmp) / "package", target)
        print(f"vendor/{folder}: {spec}")


if __name__ == "__main__":
    fetch()
