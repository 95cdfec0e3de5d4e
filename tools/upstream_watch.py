"""Watch upstream: what changed since each watched row was last checked, as an issue body.

Usage (the ``upstream-watch`` workflow runs it weekly)::

    GITHUB_TOKEN=… python tools/upstream_watch.py > body.md
    python tools/upstream_watch.py --max-requests 500 --max-seconds 600 > body.md

Rows name what to watch in their ``watch`` field (filled by ``tools/derive_watch.py``):

- ``github: owner/repo``: it reads the repository (``GET /repos/{owner}/{repo}``: has it
  moved or been archived?) and its latest release (``/releases/latest``), or, when it
  publishes no releases (404), its first listed tag (``/tags``) dated by its commit;
- ``huggingface: org``: it lists the organisation's newest models
  (``GET https://huggingface.co/api/models?author=org&sort=createdAt&direction=-1``).

Then it compares them with the rows: a release newer than the row's ``latest_release``
month (or, for a table without one, released in or after the row's ``as_of`` month, as
``as_of`` records only the month), models created in or after the ``as_of`` month of the
rows that watch the organisation, and repositories that moved, were archived or are
gone. It prints one Markdown issue body, grouped by table, with links, within GitHub's
65,536 characters (anything cut is counted).

The requests are bounded (``--max-requests``, ``--max-seconds``); on GitHub's or Hugging
Face's rate limit (a 403 or 429 with rate-limit headers) it stops at once, and the report
says what was left unchecked. ``GITHUB_TOKEN`` (read from the environment, never from the
command line) raises GitHub's limit from 60 to 1,000 requests an hour in Actions.

Three layers, so the comparison and the report are pure functions, tested on recorded
responses: :class:`Client` (HTTP, with the bounds), :func:`collect` (what upstream says),
:func:`compare` and :func:`report`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "_ext"))
from sosai.features import data, freshness  # noqa: E402  (after _ext is on the path)
from tools.github_issue import BODY_BUDGET, GITHUB_BODY_LIMIT  # noqa: E402

GITHUB_API = "https://api.github.com"
HUGGING_FACE_API = "https://huggingface.co/api"
NEWEST_MODELS = 20  # per organisation: one page, newest first
MODELS_SHOWN = 8  # per organisation in the report; the rest are counted and linked
VERSION_FIELD = "latest_release"  # a month, in the tables that record releases
MAX_REDIRECTS = 3
USER_AGENT = "sosai-upstream-watch (+https://github.com/premAI-io/state-of-open-source-ai)"


# --- HTTP: one GET at a time, within bounds -------------------------------------------


@dataclass(frozen=True)
class Response:
    """One HTTP response: status, headers (lower-case names) and the JSON body, if any."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    url: str = ""  # the URL finally answered, after redirects


Fetch = Callable[[str], Response]  # one GET, redirects not followed


class Stop(Exception):
    """The watch must stop early: a rate limit, or its own request or time budget."""


def is_rate_limited(response: Response) -> bool:
    """A 429, or a 403 that says it is a rate limit (GitHub's primary or secondary one).

    GitHub answers either code with ``x-ratelimit-remaining: 0`` (primary limit) or a
    message about a secondary rate limit, often with ``retry-after``. Any other 403 is
    about the resource itself, and is reported with it.
    """
    if response.status == 429:
        return True
    if response.status != 403:
        return False
    message = response.body.get("message", "") if isinstance(response.body, dict) else ""
    return (
        response.headers.get("x-ratelimit-remaining") == "0"
        or "retry-after" in response.headers
        or "rate limit" in str(message).lower()
    )


def rate_limit_note(response: Response) -> str:
    """Which service refused, with when it resets if it said so."""
    host = urllib.parse.urlsplit(response.url).hostname or "the server"
    service = (
        "GitHub"
        if host.endswith("github.com")
        else "Hugging Face"
        if "huggingface" in host
        else host
    )
    reset = response.headers.get("x-ratelimit-reset", "")
    if reset.isdigit():
        when = datetime.fromtimestamp(int(reset), tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
        return f"{service}'s rate limit was reached (HTTP {response.status}; it resets at {when})"
    retry = response.headers.get("retry-after", "")
    after = f"; retry after {retry} s" if retry else ""
    return f"{service}'s rate limit was reached (HTTP {response.status}{after})"


class Client:
    """GETs through ``fetch``, following redirects, within a request and a time budget.

    Raises :class:`Stop` on a rate limit, or when the next request would exceed
    ``max_requests`` or start after ``max_seconds``.
    """

    def __init__(
        self,
        fetch: Fetch,
        max_requests: int,
        max_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start the budget now."""
        self.fetch, self.max_requests, self.clock = fetch, max_requests, clock
        self.deadline = clock() + max_seconds
        self.max_seconds = max_seconds
        self.requests = 0

    def get(self, url: str) -> Response:
        """The response to ``url``, after at most :data:`MAX_REDIRECTS` redirects."""
        for _ in range(MAX_REDIRECTS + 1):
            if self.requests >= self.max_requests:
                raise Stop(f"the request budget ({self.max_requests} requests) was used up")
            if self.clock() > self.deadline:
                raise Stop(f"the time budget ({self.max_seconds:.0f} s) was used up")
            self.requests += 1
            response = self.fetch(url)
            response = Response(response.status, response.headers, response.body, url)
            if is_rate_limited(response):
                raise Stop(rate_limit_note(response))
            location = response.headers.get("location")
            if response.status not in {301, 302, 307, 308} or not location:
                return response
            url = urllib.parse.urljoin(url, location)  # a moved repository answers 301
        return Response(599, {}, {"message": "too many redirects"}, url)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the Client follows redirects itself, counting each request


def urllib_fetch(token: str | None, timeout: float = 30) -> Fetch:
    """A :data:`Fetch` over the network with urllib; the token goes to GitHub only."""
    opener = urllib.request.build_opener(_NoRedirects)

    def fetch(url: str) -> Response:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if token and urllib.parse.urlsplit(url).hostname == "api.github.com":
            headers |= {
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            }
        request = urllib.request.Request(url, headers=headers)
        try:
            with opener.open(request, timeout=timeout) as answer:
                status, raw, got = answer.status, answer.read(), answer.headers
        except urllib.error.HTTPError as error:
            status, raw, got = error.code, error.read(), error.headers
        except (urllib.error.URLError, TimeoutError) as error:
            return Response(599, {}, {"message": f"no answer: {error}"})
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        return Response(status, {k.lower(): v for k, v in got.items()}, body)

    return fetch


# --- What upstream says ----------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """The newest release (or, without releases, the first listed tag) of a repository."""

    name: str
    published: str  # YYYY-MM-DD
    url: str
    kind: str = "release"  # or "tag"


@dataclass(frozen=True)
class Repository:
    """A watched repository as GitHub describes it."""

    watched: str  # owner/repo as the rows name it
    found: bool = True
    full_name: str = ""  # where it is now: differs if it moved
    archived: bool = False
    latest: Release | None = None
    error: str = ""

    @property
    def moved(self) -> bool:
        """Whether GitHub knows it under another name now."""
        return bool(self.full_name) and self.full_name.lower() != self.watched.lower()


@dataclass(frozen=True)
class Model:
    """A model on Hugging Face."""

    id: str  # org/name
    created: str  # YYYY-MM-DD


@dataclass(frozen=True)
class Organisation:
    """A watched organisation's newest models on Hugging Face."""

    name: str
    models: tuple[Model, ...] = ()
    error: str = ""


@dataclass
class Observations:
    """Everything read upstream in one run, and why it stopped early if it did."""

    repositories: dict[str, Repository] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    requests: int = 0
    stopped: str = ""


def _day(timestamp: Any) -> str:
    """``2026-11-20T10:00:00Z`` -> ``2026-11-20`` ('' if missing)."""
    return str(timestamp or "")[:10]


def _error(response: Response) -> str:
    message = response.body.get("message", "") if isinstance(response.body, dict) else ""
    return f"HTTP {response.status}" + (f": {message}" if message else "")


def observe_repository(client: Client, watched: str) -> Repository:
    """The repository, and its latest release or, failing that, its first listed tag."""
    about = client.get(f"{GITHUB_API}/repos/{watched}")
    if about.status == 404:
        return Repository(watched, found=False)
    if about.status != 200 or not isinstance(about.body, dict):
        return Repository(watched, error=_error(about))
    name = str(about.body.get("full_name") or watched)
    archived = bool(about.body.get("archived"))
    release = client.get(f"{GITHUB_API}/repos/{name}/releases/latest")
    if release.status == 200 and isinstance(release.body, dict):
        latest = Release(
            str(release.body.get("tag_name", "")),
            _day(release.body.get("published_at") or release.body.get("created_at")),
            str(release.body.get("html_url", "")),
        )
        return Repository(watched, True, name, archived, latest)
    if release.status != 404:
        return Repository(watched, True, name, archived, error=_error(release))
    return Repository(watched, True, name, archived, _first_tag(client, name))


def _first_tag(client: Client, name: str) -> Release | None:
    """The first tag GitHub lists, dated by its commit (tags carry no date of their own)."""
    tags = client.get(f"{GITHUB_API}/repos/{name}/tags?per_page=1")
    if tags.status != 200 or not isinstance(tags.body, list) or not tags.body:
        return None
    tag = tags.body[0]
    committed = ""
    if commit_url := (tag.get("commit") or {}).get("url"):
        commit = client.get(str(commit_url))
        if commit.status == 200 and isinstance(commit.body, dict):
            committed = _day(commit.body.get("commit", {}).get("committer", {}).get("date"))
    url = f"https://github.com/{name}/releases/tag/{urllib.parse.quote(str(tag.get('name', '')))}"
    return Release(str(tag.get("name", "")), committed, url, "tag")


def observe_organisation(client: Client, name: str) -> Organisation:
    """The organisation's newest models, newest first."""
    query = urllib.parse.urlencode(
        {"author": name, "sort": "createdAt", "direction": "-1", "limit": NEWEST_MODELS}
    )
    answer = client.get(f"{HUGGING_FACE_API}/models?{query}")
    if answer.status != 200 or not isinstance(answer.body, list):
        return Organisation(name, error=_error(answer))
    models = tuple(
        Model(str(m.get("id") or m.get("modelId")), _day(m.get("createdAt")))
        for m in answer.body
        if isinstance(m, dict) and m.get("createdAt")
    )
    return Organisation(name, models)


@dataclass(frozen=True)
class WatchedRow:
    """A row that watches something upstream, with what the comparison needs."""

    table: str
    row_id: str
    as_of: str
    version: str | None = None  # the row's latest_release month, where the table has one
    has_version: bool = False  # whether the table records releases at all


def watched_rows(
    datasets: list[data.Dataset],
) -> tuple[dict[str, list[WatchedRow]], dict[str, list[WatchedRow]]]:
    """The rows watching each repository and each organisation, in table order."""
    repositories: dict[str, list[WatchedRow]] = {}
    organisations: dict[str, list[WatchedRow]] = {}
    for dataset in datasets:
        has_version = VERSION_FIELD in dataset.properties
        for row in dataset.rows:
            watch = row.get("watch") or {}
            ref = WatchedRow(
                dataset.name, str(row["id"]), str(row["as_of"]), row.get(VERSION_FIELD), has_version
            )
            if "github" in watch:
                repositories.setdefault(watch["github"], []).append(ref)
            if "huggingface" in watch:
                organisations.setdefault(watch["huggingface"], []).append(ref)
    return repositories, organisations


def collect(repositories: list[str], organisations: list[str], client: Client) -> Observations:
    """Read every watched repository, then every organisation, until done or stopped."""
    seen = Observations()
    try:
        for name in repositories:
            seen.repositories[name] = observe_repository(client, name)
        for name in organisations:
            seen.organisations[name] = observe_organisation(client, name)
    except Stop as stop:
        seen.stopped = str(stop)
    seen.requests = client.requests
    return seen


# --- The comparison (pure) -----------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One thing for a person to check in one table."""

    table: str
    kind: str  # moved, gone, archived, release, models, error
    subject: str  # the repository or organisation
    rows: tuple[WatchedRow, ...]
    detail: str  # Markdown
    url: str


def newer_release(row: WatchedRow, release: Release) -> bool:
    """Whether a release postdates what the row records.

    Against the row's ``latest_release`` month when the table has one and it is set;
    else against ``as_of``, including its own month (a release later that month may
    postdate the check). An undated tag is never newer.
    """
    if not release.published:
        return False
    published = freshness.month_number(release.published)
    if row.has_version and row.version:
        return published > freshness.month_number(row.version)
    return published >= freshness.month_number(row.as_of)


def compare_repository(repository: Repository, rows: list[WatchedRow]) -> list[Finding]:
    """What to check for one repository, once per table that watches it."""
    findings = []
    for table, group in _by_table(rows).items():
        for kind, detail, url, shown in _repository_news(repository, group):
            findings.append(Finding(table, kind, repository.watched, shown, detail, url))
    return findings


def _repository_news(
    repository: Repository, rows: tuple[WatchedRow, ...]
) -> list[tuple[str, str, str, tuple[WatchedRow, ...]]]:
    """(kind, detail, link, rows concerned) for each thing a group of rows should check."""
    link = f"https://github.com/{repository.full_name or repository.watched}"
    if repository.error:
        return [("error", f"could not be read ({repository.error})", link, rows)]
    if not repository.found:
        return [("gone", "not found (deleted, or made private)", link, rows)]
    news = []
    if repository.moved:
        detail = f"moved to `{repository.full_name}`: update `watch` and the sources"
        news.append(("moved", detail, link, rows))
    if repository.archived:
        news.append(
            ("archived", "archived by its owners: check it is still maintained", link, rows)
        )
    latest = repository.latest
    stale = tuple(r for r in rows if latest and newer_release(r, latest))
    if latest and stale:
        news.append(
            ("release", f"{latest.kind} `{latest.name}` of {latest.published}", latest.url, stale)
        )
    return news


def compare_organisation(organisation: Organisation, rows: list[WatchedRow]) -> list[Finding]:
    """New models of one organisation, once per table that watches it."""
    findings = []
    link = f"https://huggingface.co/models?author={organisation.name}&sort=created"
    for table, group in _by_table(rows).items():
        if organisation.error:
            detail = f"could not be read ({organisation.error})"
            findings.append(Finding(table, "error", organisation.name, group, detail, link))
            continue
        since = min(freshness.month_number(r.as_of) for r in group)
        new = [m for m in organisation.models if freshness.month_number(m.created) >= since]
        if not new:
            continue
        shown = ", ".join(
            f"[{m.id}](https://huggingface.co/{m.id}) ({m.created})" for m in new[:MODELS_SHOWN]
        )
        more = len(new) - MODELS_SHOWN
        counted = f" and {more} more" if more > 0 else ""
        full = " (at least: one page read)" if len(organisation.models) >= NEWEST_MODELS else ""
        detail = f"{len(new)} model(s) since {freshness.month_of(since)}{full}: {shown}{counted}"
        findings.append(Finding(table, "models", organisation.name, group, detail, link))
    return findings


def _by_table(rows: list[WatchedRow]) -> dict[str, tuple[WatchedRow, ...]]:
    groups: dict[str, list[WatchedRow]] = {}
    for row in rows:
        groups.setdefault(row.table, []).append(row)
    return {table: tuple(group) for table, group in groups.items()}


def compare(
    repositories: Mapping[str, list[WatchedRow]],
    organisations: Mapping[str, list[WatchedRow]],
    seen: Observations,
) -> list[Finding]:
    """Every finding, by table, then by kind (moves and losses first), then subject."""
    findings = []
    for name, rows in repositories.items():
        if name in seen.repositories:
            findings += compare_repository(seen.repositories[name], rows)
    for name, rows in organisations.items():
        if name in seen.organisations:
            findings += compare_organisation(seen.organisations[name], rows)
    order = ["gone", "moved", "archived", "release", "models", "error"]
    return sorted(findings, key=lambda f: (f.table, order.index(f.kind), f.subject.lower()))


# --- The report (pure) ---------------------------------------------------------------

KIND_LABELS = {
    "gone": "Gone",
    "moved": "Moved",
    "archived": "Archived",
    "release": "New release",
    "models": "New models",
    "error": "Not read",
}


def finding_line(finding: Finding) -> str:
    """One bullet: what, where, and the rows to check with what they record."""
    rows = ", ".join(
        f"`{r.row_id}` (checked {r.as_of}"
        + (f", latest release {r.version}" if r.has_version and r.version else "")
        + ")"
        for r in finding.rows
    )
    return (
        f"- **{KIND_LABELS[finding.kind]}**: [{finding.subject}]({finding.url}) "
        f"{finding.detail}; rows: {rows}"
    )


def report(
    findings: list[Finding],
    seen: Observations,
    watched: tuple[int, int],
    today: date,
    budget: int = BODY_BUDGET,
) -> str:
    """The issue body: a summary, then one section per table, cut to fit ``budget``.

    ``watched`` counts the repositories and organisations the rows name, read or not.
    """
    tables = sorted({f.table for f in findings})
    head = [
        f"Upstream watch of {today.isoformat()}: {len(seen.repositories)} of {watched[0]} "
        f"repositories and {len(seen.organisations)} of {watched[1]} Hugging Face "
        f"organisations read in {seen.requests} requests; {len(findings)} thing(s) to check "
        f"in {len(tables)} table(s).",
        "",
    ]
    if seen.stopped:
        left = (watched[0] - len(seen.repositories), watched[1] - len(seen.organisations))
        head += [
            f"**Stopped early**: {seen.stopped}. Not read this time: {left[0]} repositories "
            f"and {left[1]} organisations; the next run reads them.",
            "",
        ]
    tail = [
        "For each line: open the link, update the row in `_data/<table>.yml` (its values, "
        "`latest_release`, and `as_of` to this month), or fix its `watch` if it moved. "
        "This issue is rewritten by the weekly `upstream-watch` workflow; "
        "`make freshness` lists the rows due by age.",
    ]
    # Every table's heading and cut note are reserved first, so each keeps its heading.
    frames = [[_heading(table), "", _left_out(10**6), ""] for table in tables]
    free = budget - _cost(head) - _cost(tail) - sum(_cost(frame) for frame in frames)
    body: list[str] = []
    if not findings:
        body += ["Nothing new upstream since the rows were checked.", ""]
    for table in tables:
        lines = [finding_line(f) for f in findings if f.table == table]
        shown = []
        for line in lines:
            if _cost([line]) <= free:
                shown.append(line)
                free -= _cost([line])
        body += [_heading(table), "", *shown]
        if len(shown) < len(lines):
            body.append(_left_out(len(lines) - len(shown)))
        body.append("")
    return "\n".join([*head, *body, *tail]) + "\n"


def _heading(table: str) -> str:
    return f"### {table} (`_data/{table}.yml`)"


def _cost(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _left_out(count: int) -> str:
    return (
        f"_… and {count} more not shown: an issue holds at most {GITHUB_BODY_LIMIT:,} "
        "characters. The run's `upstream-watch` artifact has the whole report._"
    )


# --- The command ---------------------------------------------------------------------


def run(
    datasets: list[data.Dataset], client: Client
) -> tuple[list[Finding], Observations, tuple[int, int]]:
    """Read upstream for every watched row and compare: findings, observations, counts."""
    repositories, organisations = watched_rows(datasets)
    seen = collect(
        sorted(repositories, key=str.lower), sorted(organisations, key=str.lower), client
    )
    findings = compare(repositories, organisations, seen)
    return findings, seen, (len(repositories), len(organisations))


def main(argv: list[str]) -> int:
    """Print the issue body (``--full``: without the length budget, for the artifact)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-requests", type=int, default=500, help="stop after this many")
    parser.add_argument("--max-seconds", type=float, default=600, help="stop after this long")
    parser.add_argument("--data", type=Path, default=ROOT / "_data", help="the data folder")
    parser.add_argument("--full", type=Path, help="also write the uncut report to this file")
    args = parser.parse_args(argv)
    datasets = [data.load(path) for path in sorted(args.data.glob("*.yml"))]
    client = Client(
        urllib_fetch(os.environ.get("GITHUB_TOKEN")), args.max_requests, args.max_seconds
    )
    today = freshness.build_date()
    findings, seen, counts = run(datasets, client)
    if args.full:
        args.full.write_text(report(findings, seen, counts, today, budget=10**9), encoding="utf-8")
    sys.stdout.write(report(findings, seen, counts, today))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
