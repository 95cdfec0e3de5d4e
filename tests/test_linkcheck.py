"""Link checking, offline: the book's linkcheck settings and the issue report script.

A mini-book links to pages served on 127.0.0.1 (one fine, one 404, one redirect that
the settings allow); Sphinx's linkcheck runs with the book's real configuration and
``tools/linkcheck_report.py`` turns its output into the issue body.
"""

from __future__ import annotations

import http.server
import json
import threading
from datetime import date
from pathlib import Path

import pytest

from tests import book as bookbuild
from tools import linkcheck_report as lr


class Pages(http.server.BaseHTTPRequestHandler):
    """/ok and /new exist, /old redirects to /new, anything else is 404."""

    def do_GET(self) -> None:
        if self.path == "/old":
            self.send_response(301)
            self.send_header("Location", "/new")
            self.end_headers()
            return
        status = 200 if self.path in {"/ok", "/new"} else 404
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html><body>page</body></html>")

    do_HEAD = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_port
    httpd.shutdown()


def test_local_404_is_a_hard_failure_and_allowed_redirect_is_not_reported(minibook, server):
    port = server

    def point_at_server(srcdir: Path) -> None:
        index = srcdir / "index.md"
        index.write_text(index.read_text().replace("PORT", str(port)))

    base = rf"http://127\.0\.0\.1:{port}"
    with bookbuild.no_network(allow_loopback=True):
        build = minibook(
            "linkcheck",
            edit=point_at_server,
            builder="linkcheck",
            overrides={"linkcheck_allowed_redirects": {rf"{base}/old": rf"{base}/new"}},
        )
    assert build.exception is None
    results = lr.read(build.outdir / "output.json")
    local = {r.uri.rsplit("/", 1)[1]: r for r in results if "127.0.0.1" in r.uri}
    assert {name: lr.classify(r) for name, r in local.items()} == {
        "ok": "ok",
        "missing": "hard",
        "old": "ok",
    }
    body = lr.report(results, today=date(2026, 11, 22))
    hard = body.split("### Hard failures")[1].split("###")[0]
    assert f"| `index.md` | 3 | <http://127.0.0.1:{port}/missing> | 404 |" in hard
    assert "/old" not in body


def result(uri: str, status: str, code: int = 0, info: str = "") -> lr.Result:
    return lr.Result("models.md", 12, uri, status, code, info)


@pytest.mark.parametrize(
    ("item", "kind"),
    [
        (result("https://a", "broken", 404), "hard"),
        (result("https://a", "broken", 410), "hard"),
        (result("https://a", "broken", 0, "Failed to resolve: Name or service not known"), "hard"),
        (result("https://a", "broken", 429), "transient"),
        (result("https://a", "broken", 503), "transient"),
        (result("https://a", "broken", 403), "transient"),
        (result("https://a", "timeout"), "transient"),
        (result("https://a", "rate-limited"), "transient"),
        (result("https://a", "redirected", 301), "redirect"),
        (result("https://a", "working"), "ok"),
        (result("https://a", "ignored"), "ok"),
    ],
)
def test_classification(item, kind):
    assert lr.classify(item) == kind


def test_transient_failures_are_listed_only_on_the_second_run_in_a_row():
    flaky = result("https://flaky.example/page", "broken", 503)
    first = lr.report([flaky], today=date(2026, 11, 15))
    assert "https://flaky.example/page" not in first.split("<!--")[0]
    second = lr.report([flaky], previous_body=first, today=date(2026, 11, 22))
    repeated = second.split("### Failing transiently")[1].split("###")[0]
    assert "| `models.md` | 12 | <https://flaky.example/page> | 503 |" in repeated
    recovered = lr.report([result("https://flaky.example/page", "working")], previous_body=second)
    assert "flaky" not in recovered.split("<!--")[0]
    assert lr.previous_transient(recovered) == set()


def test_command_line(tmp_path, capsys):
    output = tmp_path / "output.json"
    lines = [
        {
            "filename": "a.md",
            "lineno": 1,
            "status": "broken",
            "code": 404,
            "uri": "https://x/gone",
            "info": "",
        },
        {
            "filename": "a.md",
            "lineno": 2,
            "status": "working",
            "code": 0,
            "uri": "https://x/ok",
            "info": "",
        },
    ]
    output.write_text("\n".join(json.dumps(line) for line in lines))
    assert lr.main([str(output), "--summary"]) == 0
    assert "1 hard failures" in capsys.readouterr().out
    previous = tmp_path / "previous.md"
    previous.write_text("")
    assert lr.main([str(output), "--previous", str(previous)]) == 0
    assert "<https://x/gone>" in capsys.readouterr().out
