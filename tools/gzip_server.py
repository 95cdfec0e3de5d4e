"""Serve a built site on 127.0.0.1 the way a static host does: gzip for text, 404 page.

Used by ``tools/bench.py`` so that transfer sizes and Lighthouse scores reflect a
real host (GitHub Pages compresses HTML, CSS, JavaScript, SVG, JSON and XML).

    with serve(site_dir, prefix="/state-of-open-source-ai/") as base_url:
        ...
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import io
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

COMPRESSIBLE = {".html", ".css", ".js", ".svg", ".json", ".xml", ".txt", ".md"}


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files under a path prefix, gzip-compressed when the client accepts it."""

    prefix = "/"

    def log_message(self, *args: object) -> None:
        """Stay quiet."""

    def handle(self) -> None:
        """Serve, letting a client hang up (a page closed before its last file arrived)."""
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()

    def translate_path(self, path: str) -> str:
        """Map ``prefix/...`` to the site folder; anything else is missing."""
        path = path.split("?", 1)[0].split("#", 1)[0]
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__missing__")
        return super().translate_path("/" + path.removeprefix(self.prefix))

    def send_head(self):
        """Send headers and return the body, compressed when that helps."""
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            missing = Path(self.directory) / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"Not found"
            return self._respond(404, body, "text/html; charset=utf-8", ".html")
        return self._respond(200, path.read_bytes(), self.guess_type(str(path)), path.suffix)

    def _respond(self, status: int, body: bytes, content_type: str, suffix: str):
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if accepts_gzip and suffix in COMPRESSIBLE:
            body = gzip.compress(body, compresslevel=6)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return io.BytesIO(body)


@contextlib.contextmanager
def serve(directory: Path, prefix: str = "/") -> Iterator[str]:
    """Serve ``directory`` under ``prefix``; yield the base URL."""
    handler = type("SiteHandler", (Handler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{prefix}"
    finally:
        server.shutdown()
