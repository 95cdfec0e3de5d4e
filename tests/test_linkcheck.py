"""Link checking, offline: the book's linkcheck settings and the issue report script.

A mini-book links to pages served on 127.0.0.1 (one fine, one 404, one redirect that
the settings allow, a missing anchor, a 401, a 403 and a 503); Sphinx's linkcheck
runs with the book's real configuration and ``tools/linkcheck_report.py`` turns its
output into the issue body.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
from datetime import date
from pathlib import Path

import pytest

from tests import book as bookbuild
from tools import linkcheck_report as lr

REFUSALS = {"/login": 401, "/forbidden": 403, "/down": 503}


class Pages(http.server.BaseHTTPRequestHandler):
    """/ok and /new exist, /old redirects to /new, three refuse, anything else is 404."""

    def do_GET(self) -> None:
        if self.path == "/old":
            self.send_response(301)
            self.send_header("Location", "/new")
            self.end_headers()
            return
        status = 200 if self.path in {"/ok", "/new"} else REFUSALS.get(self.path, 404)
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


# Sphinx 7 warns that Sphinx 8 will report a 401 as broken; the report lists it either way.
@pytest.mark.filterwarnings(r"ignore:(?s).*HTTP 401 \(unauthorized\)")
def test_sphinx_results_on_a_local_server_are_sorted_and_reported(minibook, server):
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
        "ok#gone": "hard",
        "login": "look",  # Sphinx 7 reports it as working
        "forbidden": "look",
        "down": "look",  # Sphinx 7 reports it as ignored
    }
    body = lr.report(results, today=date(2026, 11, 22))
    url = f"http://127.0.0.1:{port}"
    hard = body.split("### Hard failures")[1].split("###")[0]
    assert f"| <{url}/missing> | 404 | `index.md`:3 |" in hard
    assert f"| <{url}/ok#gone> | anchor missing | `index.md`:3 |" in hard
    look = body.split("### Needs a look")[1].split("###")[0]
    for name, code in (("login", 401), ("forbidden", 403), ("down", 503)):
        assert f"| <{url}/{name}> | {code} | `index.md`:3 |" in look
    assert "/old" not in body


def result(uri: str, status: str, code: int = 0, info: str = "") -> lr.Result:
    return lr.Result("models.md", 12, uri, status, code, info)


@pytest.mark.parametrize(
    ("item", "kind"),
    [
        (result("https://a", "broken", 404), "hard"),
        (result("https://a", "broken", 410), "hard"),
        (result("https://a", "broken", 0, "Failed to resolve: Name or service not known"), "hard"),
        (result("https://a", "broken", 0, "Anchor 'usage' not found"), "hard"),
        (result("https://a", "broken", 429), "transient"),
        (result("https://a", "broken", 502), "transient"),
        (result("https://a", "broken", 0, "('Connection aborted.')"), "transient"),
        (result("https://a", "broken", 403), "look"),
        (result("https://a", "working", 401, "unauthorized"), "look"),
        (result("https://a", "ignored", 503, "service unavailable"), "look"),
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
    flaky = result("https://flaky.example/page", "broken", 502)
    first = lr.report([flaky], today=date(2026, 11, 15))
    assert "https://flaky.example/page" not in first
    second = lr.report([flaky], previous_body=first, today=date(2026, 11, 22))
    repeated = second.split("### Failing transiently")[1].split("###")[0]
    assert "| <https://flaky.example/page> | 502 | `models.md`:12 |" in repeated
    recovered = lr.report([result("https://flaky.example/page", "working")], previous_body=second)
    assert "flaky" not in recovered
    assert lr.read_state(recovered) == lr.State(frozenset())


def test_refusals_are_listed_for_a_look_on_every_run_and_not_as_failures():
    refused = [
        result("https://login.example/", "working", 401, "unauthorized"),
        result("https://blocks.example/", "broken", 403),
        result("https://down.example/", "ignored", 503, "service unavailable"),
    ]
    body = lr.report(refused, today=date(2026, 11, 15))
    assert body.startswith("Link check of 2026-11-15: 3 links checked, 0 hard failure(s), 3 to")
    look = body.split("### Needs a look")[1].split("###")[0]
    codes = [line.split(" | ")[1] for line in look.splitlines() if "<https" in line]
    assert sorted(codes) == ["401", "403", "503"]
    assert lr.read_state(body).transient == frozenset()  # not waiting for a second run


def test_one_row_per_url_with_every_place_that_links_to_it():
    places = [
        lr.Result(f"ch{i}.md", i, "https://gone.example/", "broken", 404, "") for i in range(7)
    ]
    hard = lr.report(places).split("### Hard failures")[1].split("###")[0]
    rows = [line for line in hard.splitlines() if line.startswith("| <")]
    assert rows == [
        "| <https://gone.example/> | 404 | `ch0.md`:0, `ch1.md`:1, `ch2.md`:2, `ch3.md`:3, "
        "`ch4.md`:4 and 2 more |"
    ]


@pytest.mark.parametrize(
    "state",
    [
        '{"transient": ["abc"',  # cut short
        '["https://flaky.example/page"]',  # not an object
        '{"transient": "https://flaky.example/page"}',  # not a list
        '{"transient": [1, 2]}',  # not strings
        '{"flaky": []}',  # no list at all
    ],
)
def test_a_malformed_state_line_is_skipped_with_a_note(state):
    previous = f"Old report\n\n<!-- linkcheck-state: {state} -->\n"
    assert lr.read_state(previous).problem
    flaky = result("https://flaky.example/page", "broken", 502)
    body = lr.report([flaky], previous_body=previous, today=date(2026, 11, 22))
    assert "Note: the previous report's state line could not be read (" in body
    assert "flaky" not in body.split("<!--")[0]  # counts as new, not as repeated
    assert lr.read_state(body) == lr.State(frozenset({lr.digest(flaky.uri)}))  # state renewed


def test_a_huge_report_stays_under_githubs_limit_and_counts_what_it_leaves_out():
    def many(kind: str, count: int, **fields) -> list[lr.Result]:
        path = "/" + "segment/" * 20  # long URLs, as real ones can be
        return [
            lr.Result(f"{kind}.md", i, f"https://{kind}{i}.example{path}{i}", **fields)
            for i in range(count)
        ]

    hard = many("gone", 3000, status="broken", code=404, info="")
    look = many("blocked", 1000, status="broken", code=403, info="")
    flaky = many("flaky", 2500, status="broken", code=502, info="")
    moved = many("moved", 1000, status="redirected", code=301, info="")
    first = lr.report(flaky)
    body = lr.report([*hard, *look, *flaky, *moved], previous_body=first)
    assert len(first) < lr.GITHUB_BODY_LIMIT
    assert len(body) <= lr.BODY_BUDGET < lr.GITHUB_BODY_LIMIT
    # Of the 2500 flaky links, the first report could remember MAX_REMEMBERED.
    total = {"gone": 3000, "blocked": 1000, "flaky": lr.MAX_REMEMBERED, "moved": 1000}
    shown = {kind: body.count(f"<https://{kind}") for kind in total}
    left_out = [int(n) for n in re.findall(r"_… and (\d+) more not shown", body)]
    assert shown["gone"] > 0  # the most important section is filled first
    assert len(left_out) == 4
    assert [shown[k] + n for k, n in zip(total, left_out, strict=True)] == list(total.values())
    assert len(lr.read_state(body).transient) == lr.MAX_REMEMBERED  # the rest are counted
    assert f"{2500 - lr.MAX_REMEMBERED} transient failures are not remembered" in body


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


def test_only_the_issue_the_workflow_opened_is_updated(tmp_path, capsys):
    person = {"number": 3, "author": {"login": "ada", "is_bot": False, "id": "U_1", "name": "Ada"}}
    bot = {"number": 7, "author": {"login": "app/github-actions", "is_bot": True}}
    other_bot = {"number": 5, "author": {"login": "app/dependabot", "is_bot": True}}
    assert lr.standing_issue([person, bot, other_bot]) == 7
    assert lr.standing_issue([person, other_bot]) is None  # so the workflow opens a new one
    issues = tmp_path / "issues.json"
    issues.write_text(json.dumps([person]))
    assert lr.main(["--standing-issue", str(issues)]) == 0
    assert capsys.readouterr().out == ""
    issues.write_text(json.dumps([person, bot]))
    assert lr.main(["--standing-issue", str(issues)]) == 0
    assert capsys.readouterr().out == "7\n"
