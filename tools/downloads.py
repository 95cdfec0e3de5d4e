"""Build the whole book as EPUB and PDF and put both in the site's ``downloads/``.

Usage: ``make downloads`` (after ``make build``), or
``python tools/downloads.py [--book DIR] [--site DIR] [--work DIR]``.

- EPUB: Sphinx's own ``epub`` builder, through Jupyter Book, strictly.
- PDF: the ``singlehtml`` build printed to PDF by a local, headless Chromium (the
  Debian package at ``/usr/bin/chromium``, or ``$SOSAI_CHROMIUM``), driven by
  Playwright. The page is served from 127.0.0.1 and every other request is refused,
  so printing needs no network; no browser is downloaded.

Every page of the site links to both files from its footer
(``_templates/downloads.html``).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NAME = "state-of-open-source-ai"
STRICT = ["--warningiserror", "--nitpick", "--keep-going", "--quiet"]
# Flags for a quiet headless Chromium on a machine without internet.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PDF_FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555">'
    'State of Open Source AI · <span class="pageNumber"></span> / <span class="totalPages"></span>'
    "</div>"
)


def chromium() -> Path | None:
    """The Chromium to print with, if one is installed."""
    candidate = Path(os.environ.get("SOSAI_CHROMIUM", "/usr/bin/chromium"))
    return candidate if candidate.is_file() else None


def jupyter_book(book: Path, work: Path, *builder: str) -> Path:
    """Run ``jupyter-book build`` strictly with one builder; return its output folder."""
    command = [str(BIN / "jupyter-book"), "build", *builder, *STRICT, "--path-output", str(work)]
    subprocess.run([*command, str(book)], check=True)
    return work / "_build"


def build_epub(book: Path, work: Path) -> Path:
    """The book as one EPUB file."""
    out = jupyter_book(book, work, "--builder", "custom", "--custom-builder", "epub")
    return next((out / "epub").glob("*.epub"))


def print_pdf(html_dir: Path, target: Path, browser: Path) -> Path:
    """Print ``html_dir/index.html`` (a singlehtml build) to ``target`` with Chromium."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only for the PDF

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_port}"
    try:
        with sync_playwright() as pw:
            chrome = pw.chromium.launch(executable_path=str(browser), args=CHROMIUM_ARGS)
            page = chrome.new_page()
            page.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(origin) else route.abort()
                ),
            )
            page.goto(f"{origin}/index.html", wait_until="networkidle")
            page.emulate_media(media="print", color_scheme="light")
            page.pdf(
                path=str(target),
                format="A4",
                print_background=True,
                margin={"top": "18mm", "bottom": "18mm", "left": "15mm", "right": "15mm"},
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=PDF_FOOTER,
                outline=True,
                tagged=True,
            )
            chrome.close()
    finally:
        server.shutdown()
    return target


def build_pdf(book: Path, work: Path, target: Path) -> Path:
    """The book as one PDF file, printed from the singlehtml build."""
    browser = chromium()
    if browser is None:
        msg = "no Chromium at /usr/bin/chromium (or $SOSAI_CHROMIUM): install Debian's chromium"
        raise SystemExit(msg)
    out = jupyter_book(book, work, "--builder", "singlehtml")
    return print_pdf(out / "singlehtml", target, browser)


def build_downloads(book: Path, site: Path, work: Path) -> dict[str, Path]:
    """Build both files into ``site/downloads``; return their paths."""
    folder = site / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    epub = folder / f"{NAME}.epub"
    shutil.copyfile(build_epub(book, work / "epub"), epub)
    pdf = build_pdf(book, work / "singlehtml", folder / f"{NAME}.pdf")
    return {"epub": epub, "pdf": pdf}


def main() -> int:
    """Build the downloads and say where they are."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--book", type=Path, default=ROOT)
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "dirhtml")
    parser.add_argument("--work", type=Path, help="build folder (default: a temporary one)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sosai-downloads-"))
    for kind, path in build_downloads(args.book, args.site, work).items():
        print(f"{kind}: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    if not args.work:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
