"""The upstream watch (``tools/upstream_watch.py``), on recorded API responses, offline.

Responses recorded in ``tests/fixtures/upstream/`` have the shape of GitHub's REST API
(``/repos/{o}/{r}``, ``/releases/latest``, ``/tags``, a commit) and of Hugging Face's
``/api/models?author=…`` listing; a fake HTTP layer serves them by URL, so no test
touches the network.
"""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

from sosai.features import data
from tests import book as bookbuild
from tests.conftest import BOOK
from tools import github_issue
from tools import upstream_watch as uw

FIXTURES = Path(__file__).parent / "fixtures" / "upstream"
GH = "https://api.github.com"
HF_MODELS = "https://huggingface.co/api/models?author=acme-ai&sort=createdAt&direction=-1&limit=20"
TODAY = date(2026, 12, 7)
RESET = "1796702400"  # 2026-12-08T04:00:00Z, as GitHub's x-ratelimit-reset gives it


def recorded(name: str, status: int = 200, **headers: str) -> uw.Response:
    """A recorded response: a fixture body with a status and headers."""
    body = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return uw.Response(status, {k.replace("_", "-"): v for k, v in headers.items()}, body)


def routes() -> dict[str, uw.Response]:
    """Upstream as the watch sees it on 7 December 2026."""
    tag_commit = f"{GH}/repos/acme/tagsonly/commits/9fceb02d0ae598e95dc970b74767f19372d61af8"
    return {
        # A new release since the row was checked.
        f"{GH}/repos/acme/engine": recorded("github-repo-engine.json"),
        f"{GH}/repos/acme/engine/releases/latest": recorded("github-release-engine.json"),
        # Nothing newer than the row's latest_release month.
        f"{GH}/repos/acme/current": recorded("github-repo-current.json"),
        f"{GH}/repos/acme/current/releases/latest": recorded("github-release-current.json"),
        # Archived, with an old release.
        f"{GH}/repos/acme/legacy": recorded("github-repo-legacy-archived.json"),
        f"{GH}/repos/acme/legacy/releases/latest": recorded("github-release-legacy.json"),
        # Renamed: GitHub answers 301 with the repository's permanent address.
        f"{GH}/repos/acme/oldname": recorded(
            "github-moved.json", 301, location=f"{GH}/repositories/1004"
        ),
        f"{GH}/repositories/1004": recorded("github-repo-renamed.json"),
        f"{GH}/repos/acme-labs/newname/releases/latest": recorded("github-release-renamed.json"),
        # No releases (404): the first tag, dated by its commit.
        f"{GH}/repos/acme/tagsonly": recorded("github-repo-tagsonly.json"),
        f"{GH}/repos/acme/tagsonly/releases/latest": recorded("github-not-found.json", 404),
        f"{GH}/repos/acme/tagsonly/tags?per_page=1": recorded("github-tags-tagsonly.json"),
        tag_commit: recorded("github-commit-tagsonly.json"),
        # Gone.
        f"{GH}/repos/acme/deleted": recorded("github-not-found.json", 404),
        # A watched organisation's newest models.
        HF_MODELS: recorded("huggingface-models-acme-ai.json"),
    }


class FakeUpstream:
    """Serves recorded responses by URL and remembers every request; 404 otherwise."""

    def __init__(self, answers: dict[str, uw.Response]) -> None:
        """Answer from ``answers``; nothing asked yet."""
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, url: str) -> uw.Response:
        self.asked.append(url)
        return self.answers.get(url, uw.Response(404, {}, {"message": "Not Found"}))


ENGINES = """\
- id: engine
  latest_release: "2026-10"
  watch: {github: "acme/engine"}
  as_of: "2026-11"
- id: current
  latest_release: "2026-11"
  watch: {github: "acme/current"}
  as_of: "2026-11"
- id: legacy
  latest_release: "2025-01"
  watch: {github: "acme/legacy"}
  as_of: "2026-11"
- id: renamed
  latest_release: "2026-10"
  watch: {github: "acme/oldname"}
  as_of: "2026-11"
- id: tagged
  latest_release: null
  watch: {github: "acme/tagsonly"}
  as_of: "2026-11"
- id: deleted
  latest_release: "2024-05"
  watch: {github: "acme/deleted"}
  as_of: "2026-11"
- id: unwatched
  latest_release: "2026-01"
  as_of: "2026-11"
"""
MODELS = """\
- id: acme-7b
  watch: {github: "acme/engine", huggingface: "acme-ai"}
  as_of: "2026-11"
"""


def schema(name: str, with_version: bool) -> dict:
    properties = {
        "id": {"type": "string"},
        "watch": {"$ref": "common.schema.json#/$defs/watch"},
        "as_of": {"$ref": "common.schema.json#/$defs/as_of"},
    }
    if with_version:
        properties["latest_release"] = {"type": ["string", "null"]}
    return {
        "title": name,
        "x-fresh-for-months": 3,
        "type": "array",
        "items": {"type": "object", "additionalProperties": False, "properties": properties},
    }


@pytest.fixture
def small_data(tmp_path) -> Path:
    """Two watched tables: engines (with latest_release) and models (without)."""
    folder = tmp_path / "_data"
    (folder / "schema").mkdir(parents=True)
    shutil.copy(BOOK / "_data" / "schema" / "common.schema.json", folder / "schema")
    for name, rows, with_version in (("engines", ENGINES, True), ("models", MODELS, False)):
        (folder / f"{name}.yml").write_text(rows)
        (folder / "schema" / f"{name}.schema.json").write_text(
            json.dumps(schema(name, with_version))
        )
    return folder


def datasets(folder: Path) -> list[data.Dataset]:
    return [data.load(p) for p in sorted(folder.glob("*.yml"))]


def watch(folder: Path, answers: dict[str, uw.Response], max_requests: int = 100):
    fake = FakeUpstream(answers)
    client = uw.Client(fake, max_requests, max_seconds=60)
    findings, seen, counts = uw.run(datasets(folder), client)
    return findings, seen, counts, fake


def test_each_repository_and_organisation_is_read_once_with_fallbacks(small_data):
    _, seen, counts, fake = watch(small_data, routes())
    assert counts == (6, 1)  # acme/engine is watched by two tables, read once
    assert sorted(fake.asked) == sorted(routes())  # every recorded URL, nothing else
    assert seen.requests == len(routes()) == 15
    assert seen.stopped == ""
    moved = seen.repositories["acme/oldname"]
    assert (moved.moved, moved.full_name) == (True, "acme-labs/newname")
    assert seen.repositories["acme/legacy"].archived
    assert not seen.repositories["acme/deleted"].found
    tag = seen.repositories["acme/tagsonly"].latest
    assert tag == uw.Release(
        "v0.9.1", "2026-12-01", "https://github.com/acme/tagsonly/releases/tag/v0.9.1", "tag"
    )
    assert [m.id for m in seen.organisations["acme-ai"].models] == [
        "acme-ai/Acme-8B",
        "acme-ai/Acme-7B-GGUF",
        "acme-ai/Acme-7B",
    ]


def test_comparison_lists_what_to_check_per_table(small_data):
    findings, *_ = watch(small_data, routes())
    summary = [(f.table, f.kind, f.subject, [r.row_id for r in f.rows]) for f in findings]
    assert summary == [
        ("engines", "gone", "acme/deleted", ["deleted"]),
        ("engines", "moved", "acme/oldname", ["renamed"]),
        ("engines", "archived", "acme/legacy", ["legacy"]),
        # v2.0.0 (December) is newer than the row's latest_release (October)...
        ("engines", "release", "acme/engine", ["engine"]),
        # ...and the tag, for a row without a latest_release, postdates its as_of month.
        ("engines", "release", "acme/tagsonly", ["tagged"]),
        ("models", "release", "acme/engine", ["acme-7b"]),
        ("models", "models", "acme-ai", ["acme-7b"]),
    ]
    # Not listed: acme/current (release in the row's latest_release month), the legacy
    # release (older), the renamed repository's October release (not after October).
    models = findings[-1]
    assert models.detail.startswith("2 model(s) since 2026-11: [acme-ai/Acme-8B](")
    assert "Acme-7B-GGUF" in models.detail  # created in the as_of month: may postdate the check
    assert "acme-ai/Acme-7B)" not in models.detail  # September: before the row was checked
    assert models.url == "https://huggingface.co/models?author=acme-ai&sort=created"


def test_release_comparison_uses_latest_release_else_as_of():
    november = uw.Release("v2", "2026-11-20", "https://example.org")
    # With a latest_release month: newer only in a later month.
    assert uw.newer_release(uw.WatchedRow("t", "r", "2026-11", "2026-10", True), november)
    assert not uw.newer_release(uw.WatchedRow("t", "r", "2026-11", "2026-11", True), november)
    # Without one (null, or no such column): in or after the as_of month.
    assert uw.newer_release(uw.WatchedRow("t", "r", "2026-11", None, True), november)
    assert uw.newer_release(uw.WatchedRow("t", "r", "2026-11"), november)
    assert not uw.newer_release(uw.WatchedRow("t", "r", "2026-12"), november)
    # An undated tag is never newer.
    assert not uw.newer_release(uw.WatchedRow("t", "r", "2026-01"), uw.Release("v", "", "u"))


def test_report_groups_by_table_with_links(small_data):
    findings, seen, counts, _ = watch(small_data, routes())
    body = uw.report(findings, seen, counts, TODAY)
    assert body.startswith(
        "Upstream watch of 2026-12-07: 6 of 6 repositories and 1 of 1 Hugging Face "
        "organisations read in 15 requests; 7 thing(s) to check in 2 table(s).\n"
    )
    assert "Stopped early" not in body
    engines = body.index("### engines (`_data/engines.yml`)\n")
    models = body.index("### models (`_data/models.yml`)\n")
    assert engines < models
    assert (
        "- **New release**: [acme/engine](https://github.com/acme/engine/releases/tag/v2.0.0) "
        "release `v2.0.0` of 2026-12-02; rows: `engine` (checked 2026-11, latest release 2026-10)"
    ) in body[engines:models]
    assert (
        "- **Moved**: [acme/oldname](https://github.com/acme-labs/newname) moved to "
        "`acme-labs/newname`: update `watch` and the sources; rows: `renamed`"
    ) in body
    assert "- **Archived**: [acme/legacy](https://github.com/acme/legacy) archived" in body
    assert "- **Gone**: [acme/deleted](https://github.com/acme/deleted) not found" in body
    assert "tag `v0.9.1` of 2026-12-01; rows: `tagged` (checked 2026-11)" in body
    assert "- **New models**: [acme-ai](https://huggingface.co/models?author=acme-ai" in body


def test_rate_limit_stops_at_once_and_the_report_says_so(small_data):
    answers = routes()
    # acme/deleted is read second (after acme/current): GitHub's primary limit is spent.
    answers[f"{GH}/repos/acme/deleted"] = recorded(
        "github-rate-limited.json", 403, x_ratelimit_remaining="0", x_ratelimit_reset=RESET
    )
    findings, seen, counts, fake = watch(small_data, answers)
    assert fake.asked == [
        f"{GH}/repos/acme/current",
        f"{GH}/repos/acme/current/releases/latest",
        f"{GH}/repos/acme/deleted",
    ]  # nothing after the refusal, not even Hugging Face
    assert seen.stopped == (
        "GitHub's rate limit was reached (HTTP 403; it resets at 2026-12-08 04:00 UTC)"
    )
    assert findings == []  # acme/current is up to date; nothing else was read
    body = uw.report(findings, seen, counts, TODAY)
    assert "1 of 6 repositories and 0 of 1 Hugging Face organisations read in 3 requests" in body
    assert (
        "**Stopped early**: GitHub's rate limit was reached (HTTP 403; it resets at "
        "2026-12-08 04:00 UTC). Not read this time: 5 repositories and 1 organisations"
    ) in body


def test_hugging_face_429_and_a_secondary_limit_also_stop(small_data):
    answers = routes()
    answers[HF_MODELS] = recorded("huggingface-rate-limited.json", 429, retry_after="60")
    _, seen, _, _ = watch(small_data, answers)
    assert seen.stopped == "Hugging Face's rate limit was reached (HTTP 429; retry after 60 s)"
    assert len(seen.repositories) == 6  # GitHub was read before
    secondary = uw.Response(
        403, {}, {"message": "You have exceeded a secondary rate limit. Please wait."}
    )
    assert uw.is_rate_limited(secondary)
    forbidden = uw.Response(403, {"x-ratelimit-remaining": "4000"}, {"message": "Forbidden"})
    assert not uw.is_rate_limited(forbidden)  # about the resource, reported with it


def test_request_and_time_budgets_bound_the_run(small_data):
    _, seen, _, fake = watch(small_data, routes(), max_requests=4)
    assert len(fake.asked) == 4
    assert seen.stopped == "the request budget (4 requests) was used up"
    ticks = iter([0.0, 1.0, 2.0, 61.0, 62.0])
    fake = FakeUpstream(routes())
    client = uw.Client(fake, max_requests=100, max_seconds=60, clock=lambda: next(ticks))
    seen = uw.collect(["acme/current", "acme/engine"], [], client)
    assert len(fake.asked) == 2  # the third request would have started after 60 s
    assert seen.stopped == "the time budget (60 s) was used up"


def test_the_body_stays_within_githubs_limit_and_counts_what_it_cuts():
    rows = tuple(uw.WatchedRow("models", f"row-{i}", "2026-11") for i in range(3))
    findings = [
        uw.Finding(
            "models", "release", f"acme/repo-{i:04}", rows, "release `v1` of 2026-12-01", "u"
        )
        for i in range(2000)
    ] + [uw.Finding("sdks", "archived", "acme/sdk", rows[:1], "archived", "u")]
    seen = uw.Observations(requests=4000)
    body = uw.report(findings, seen, (2001, 0), TODAY)
    assert len(body) <= uw.BODY_BUDGET < github_issue.GITHUB_BODY_LIMIT
    shown = body.count("- **New release**")
    assert 0 < shown < 2000
    assert f"_… and {2000 - shown} more not shown: an issue holds at most 65,536" in body
    assert "### sdks (`_data/sdks.yml`)" in body  # every table keeps its heading
    small = uw.report(findings, seen, (2001, 0), TODAY, budget=3_000)
    assert len(small) <= 3_000


def test_main_prints_the_body_offline_and_writes_the_full_report(
    small_data, tmp_path, monkeypatch, capsys
):
    fake = FakeUpstream(routes())
    tokens = []
    monkeypatch.setattr(uw, "urllib_fetch", lambda token: tokens.append(token) or fake)
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_recorded")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796601600")  # 2026-12-07
    with bookbuild.no_network() as network:
        code = uw.main(["--data", str(small_data), "--full", str(tmp_path / "full.md")])
    assert code == 0
    assert network.attempts == []
    assert tokens == ["ghs_recorded"]  # from the environment, never the command line
    out = capsys.readouterr().out
    assert out.startswith("Upstream watch of 2026-12-07: 6 of 6 repositories")
    assert (tmp_path / "full.md").read_text() == out  # short enough to need no cut


class Api(http.server.BaseHTTPRequestHandler):
    """A local stand-in for an API: a redirect, a JSON answer and a 404."""

    seen_headers: list[dict[str, str]] = []  # noqa: RUF012  (shared with the test)

    def do_GET(self) -> None:
        Api.seen_headers.append(dict(self.headers))
        if self.path == "/old":
            self.send_response(301)
            self.send_header("Location", "/new")
            self.end_headers()
            return
        status = 200 if self.path == "/new" else 404
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-RateLimit-Remaining", "59")
        self.end_headers()
        self.wfile.write(json.dumps({"where": self.path}).encode())

    def log_message(self, *args: object) -> None:
        pass


def test_the_http_layer_leaves_redirects_to_the_client_and_keeps_the_token_for_github():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with bookbuild.no_network(allow_loopback=True):
            fetch = uw.urllib_fetch("ghs_secret")
            moved = fetch(f"{base}/old")
            assert (moved.status, moved.headers["location"]) == (301, "/new")
            client = uw.Client(fetch, max_requests=5, max_seconds=30)
            answer = client.get(f"{base}/old")
            missing = fetch(f"{base}/missing")
    finally:
        server.shutdown()
    assert (answer.status, answer.body, answer.url) == (200, {"where": "/new"}, f"{base}/new")
    assert answer.headers["x-ratelimit-remaining"] == "59"  # header names in lower case
    assert client.requests == 2
    assert (missing.status, missing.body) == (404, {"where": "/missing"})
    assert all("Authorization" not in h for h in Api.seen_headers)  # not api.github.com


def test_github_issue_finds_only_the_workflows_own_issue(tmp_path):
    issues = [
        {"number": 3, "author": {"login": "someone"}},
        {"number": 9, "author": {"login": "app/github-actions"}},
        {"number": 5, "author": {"login": "github-actions[bot]"}},
    ]
    listing = tmp_path / "issues.json"
    listing.write_text(json.dumps(issues))
    tool = BOOK / "tools" / "github_issue.py"
    found = subprocess.run(
        [sys.executable, str(tool), str(listing)], capture_output=True, text=True, check=True
    )
    assert found.stdout == "5\n"
    listing.write_text(json.dumps(issues[:1]))
    found = subprocess.run(
        [sys.executable, str(tool), str(listing)], capture_output=True, text=True, check=True
    )
    assert found.stdout == ""  # so the workflow opens its own


def test_the_books_watched_rows_are_counted_per_repository_and_organisation():
    books = [data.load(p) for p in sorted((BOOK / "_data").glob("*.yml"))]
    repositories, organisations = uw.watched_rows(books)
    assert len(repositories) >= 100
    assert {"nvidia", "mistralai"} <= set(organisations)
    assert {r.table for r in repositories["ollama/ollama"]} == {"desktop-apps", "inference-engines"}
    assert all(r.has_version for r in repositories["vllm-project/vllm"])
