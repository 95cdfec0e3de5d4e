"""Turn Sphinx linkcheck output into the body of the standing link-check issue.

Usage::

    python tools/linkcheck_report.py _build/linkcheck/output.json [--previous OLD.md] [--summary]
    python tools/linkcheck_report.py --standing-issue issues.json

Sphinx writes one JSON object per checked link (``filename``, ``lineno``, ``uri``,
``status``, ``code``, ``info``). This script sorts the links into

- **hard failures**: the page is gone (HTTP 404 or 410), the host does not exist, or
  the page no longer has the anchor (``#fragment``) the book links to;
- **needs a look**: the server refused the checker (401, 403) or was unavailable
  (503). Sphinx counts a 401 as working and a 503 as ignored, so nothing else would
  ever show them; a person opens them in a browser. Listed on every run;
- **transient failures**: rate limits (429), other server trouble (5xx), timeouts and
  refused connections. They are listed only when the same URL also failed
  transiently on the previous run, which it reads from a hidden state line at the end
  of the previous issue body (``--previous``). A state line it cannot read is skipped
  with a note in the report (every transient failure then counts as new);
- **redirects** that are not in ``linkcheck_allowed_redirects``, to update at leisure.

Each URL is one row, with the places that link to it. GitHub refuses an issue body
over 65,536 characters, so when the rows do not all fit, the most important sections
are filled first and each section says how many rows it leaves out (the run's
``linkcheck`` artifact keeps every result).

It prints Markdown on stdout (``--summary``: a short version for the job summary).
``--standing-issue`` reads ``gh issue list --json number,author`` and prints the
number of the open issue that the workflow itself opened, or nothing: an issue a
person wrote is never overwritten, even one with the same label.
Standard library only, so the reporting job needs no install.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# Shared with the upstream watch: the body limit, and which issue is the workflow's own.
from tools.github_issue import BODY_BUDGET, GITHUB_BODY_LIMIT, standing_issue

HARD_CODES = {404, 410}
NEEDS_A_LOOK_CODES = {401, 403, 503}
UNKNOWN_HOST = re.compile(
    r"Name or service not known|No address associated with hostname|"
    r"nodename nor servname provided|NXDOMAIN|getaddrinfo failed",
    re.IGNORECASE,
)
MISSING_ANCHOR = re.compile(r"^Anchor '.*' not found$")
STATE = re.compile(r"<!-- linkcheck-state: (?P<json>.*?) -->")
# Sphinx 7 leaves ``code`` at 0 for HTTP errors and puts requests' message in ``info``,
# or, for a 401 or a 503, reports the link as working or ignored with these messages.
HTTP_ERROR = re.compile(r"^(?P<code>\d{3}) (?:Client|Server) Error")
SPHINX_MESSAGE_CODES = {"unauthorized": 401, "service unavailable": 503}
DIGEST_LENGTH = 12  # hex digits of a URL's SHA-256 in the state line
# At most half the body remembers transient failures ('"<digest>", ' each); only a run
# where most links failed (the runner's network was down) remembers more than that.
MAX_REMEMBERED = BODY_BUDGET // 2 // (DIGEST_LENGTH + 4)
PLACES_PER_ROW = 5
TABLE_HEADER = ["| URL | Status | Linked from |", "| --- | --- | --- |"]


@dataclass(frozen=True)
class Result:
    """One link as Sphinx linkcheck reported it."""

    filename: str
    lineno: int
    uri: str
    status: str
    code: int
    info: str

    @property
    def label(self) -> str:
        """A short status for the report: the HTTP code or the kind of failure."""
        if self.code:
            return str(self.code)
        if UNKNOWN_HOST.search(self.info):
            return "unknown host"
        if MISSING_ANCHOR.match(self.info):
            return "anchor missing"
        return self.status


@dataclass(frozen=True)
class State:
    """What the previous report remembered: digests of its transient failures."""

    transient: frozenset[str]
    problem: str | None = None  # why the state line could not be read


def http_code(item: dict) -> int:
    """The HTTP status of a linkcheck line, wherever Sphinx put it (0 if none)."""
    info = str(item.get("info", ""))
    match = HTTP_ERROR.match(info)
    return int(item.get("code") or 0) or (
        int(match.group("code")) if match else SPHINX_MESSAGE_CODES.get(info, 0)
    )


def read(path: Path) -> list[Result]:
    """Parse Sphinx's ``output.json`` (one JSON object per line), recovering HTTP codes."""
    results = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            results.append(
                Result(
                    item.get("filename", ""),
                    int(item.get("lineno") or 0),
                    item.get("uri", ""),
                    item.get("status", ""),
                    http_code(item),
                    str(item.get("info", "")),
                )
            )
    return results


def classify(result: Result) -> str:
    """``hard``, ``look`` (needs a look), ``transient``, ``redirect`` or ``ok``."""
    if result.code in NEEDS_A_LOOK_CODES:
        return "look"
    if result.status == "redirected":
        return "redirect"
    if result.status in {"timeout", "rate-limited"}:
        return "transient"
    if result.status != "broken":
        return "ok"
    if (
        result.code in HARD_CODES
        or UNKNOWN_HOST.search(result.info)
        or MISSING_ANCHOR.match(result.info)
    ):
        return "hard"
    return "transient"


def digest(uri: str) -> str:
    """A short, stable stand-in for a URL in the state line."""
    return hashlib.sha256(uri.encode("utf-8")).hexdigest()[:DIGEST_LENGTH]


def read_state(body: str) -> State:
    """The state line of the previous issue body; an unreadable one is skipped, with why."""
    match = STATE.search(body)
    if not match:
        return State(frozenset())
    try:
        transient = json.loads(match.group("json"))["transient"]
    except (ValueError, TypeError, KeyError) as error:
        return State(frozenset(), f"{type(error).__name__}: {error}")
    if not isinstance(transient, list) or not all(isinstance(d, str) for d in transient):
        return State(frozenset(), "'transient' is not a list of strings")
    return State(frozenset(transient))


def state_line(digests: list[str]) -> str:
    """The hidden line that remembers this run's transient failures for the next one."""
    return "<!-- linkcheck-state: " + json.dumps({"transient": digests}) + " -->"


def rows(results: list[Result]) -> list[str]:
    """Table rows, one per URL with the places that link to it, in file order."""
    places: dict[str, list[Result]] = {}
    for r in sorted(results, key=lambda r: (r.filename, r.lineno, r.uri)):
        places.setdefault(r.uri, []).append(r)
    lines = []
    for uri, found in places.items():
        shown = ", ".join(f"`{r.filename}`:{r.lineno}" for r in found[:PLACES_PER_ROW])
        more = len(found) - PLACES_PER_ROW
        lines.append(
            f"| <{uri}> | {found[0].label} | {shown}{f' and {more} more' if more > 0 else ''} |"
        )
    return lines


def cost(lines: list[str]) -> int:
    """Characters that lines take in the body, newlines included."""
    return sum(len(line) + 1 for line in lines)


def left_out_note(count: int) -> str:
    """The line that ends a section cut short."""
    return (
        f"_… and {count} more not shown: an issue holds at most {GITHUB_BODY_LIMIT:,} "
        "characters. Every result is in the run's `linkcheck` artifact._"
    )


def sections(parts: list[tuple[str, list[str]]], budget: int) -> list[str]:
    """Headed tables, most important first, rows cut to fit ``budget`` characters."""
    frames = [[title, "", *TABLE_HEADER, left_out_note(10**9), ""] for title, _ in parts]
    free = budget - sum(cost(frame) for frame in frames)
    lines: list[str] = []
    for title, table in parts:
        shown = []
        for row in table:
            if cost([row]) <= free:
                shown.append(row)
                free -= cost([row])
        lines += [title, ""]
        if shown:
            lines += [*TABLE_HEADER, *shown]
        if len(shown) < len(table):
            lines.append(left_out_note(len(table) - len(shown)))
        if not table:
            lines.append("None.")
        lines.append("")
    return lines


def report(results: list[Result], previous_body: str = "", today: date | None = None) -> str:
    """The issue body: hard failures, needs a look, repeated transient ones, redirects."""
    groups: dict[str, list[Result]] = {
        k: [] for k in ("hard", "look", "transient", "redirect", "ok")
    }
    for result in results:
        groups[classify(result)].append(result)
    previous = read_state(previous_body)
    repeated = [r for r in groups["transient"] if digest(r.uri) in previous.transient]
    digests = sorted({digest(r.uri) for r in groups["transient"]})
    head = [
        f"Link check of {(today or date.today()).isoformat()}: "
        f"{len({r.uri for r in results})} links checked, "
        f"{len({r.uri for r in groups['hard']})} hard failure(s), "
        f"{len({r.uri for r in groups['look']})} to look at, "
        f"{len({r.uri for r in repeated})} link(s) failing transiently on two runs in a row.",
        "",
    ]
    if previous.problem:
        head += [
            f"Note: the previous report's state line could not be read ({previous.problem}); "
            "it was skipped, so every transient failure counts as new this time.",
            "",
        ]
    tail = [
        "Fix a link in the file and line shown, or, if the site blocks checkers, add it to "
        "`linkcheck_ignore` in `_config.yml` with a comment saying why.",
        "",
    ]
    if len(digests) > MAX_REMEMBERED:
        forgotten = len(digests) - MAX_REMEMBERED
        tail += [f"{forgotten} transient failures are not remembered for the next run.", ""]
    tail.append(state_line(digests[:MAX_REMEMBERED]))
    parts = [
        ("### Hard failures (404, 410, unknown host, missing anchor)", rows(groups["hard"])),
        (
            "### Needs a look (401, 403, 503: the server refused the checker or was down)",
            rows(groups["look"]),
        ),
        (
            "### Failing transiently on two runs in a row (429, 5xx, timeouts)",
            rows(repeated),
        ),
        ("### Redirects to review (not failures)", rows(groups["redirect"])),
    ]
    budget = BODY_BUDGET - cost(head) - cost(tail)
    return "\n".join([*head, *sections(parts, budget), *tail]) + "\n"


def summary(results: list[Result]) -> str:
    """A few lines for the GitHub Actions job summary."""
    counts = {"hard": 0, "look": 0, "transient": 0, "redirect": 0, "ok": 0}
    for result in results:
        counts[classify(result)] += 1
    lines = [
        f"**Link check**: {len(results)} links, {counts['hard']} hard failures, "
        f"{counts['look']} to look at, {counts['transient']} transient, "
        f"{counts['redirect']} redirects to review.",
        "",
    ]
    hard = rows([r for r in results if classify(r) == "hard"])
    if hard:
        lines += sections([("### Hard failures", hard)], BODY_BUDGET - cost(lines))
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    """Print the report for an ``output.json``, or the standing issue's number."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, nargs="?", help="Sphinx linkcheck output.json")
    parser.add_argument("--previous", type=Path, help="the current issue body, if any")
    parser.add_argument("--summary", action="store_true", help="print a short summary")
    parser.add_argument(
        "--standing-issue",
        type=Path,
        metavar="ISSUES_JSON",
        help="gh issue list --json number,author output: print the workflow's issue number",
    )
    args = parser.parse_args(argv)
    if args.standing_issue:
        number = standing_issue(json.loads(args.standing_issue.read_text(encoding="utf-8")))
        sys.stdout.write(f"{number}\n" if number else "")
        return 0
    if args.output is None:
        parser.error("the linkcheck output.json is required")
    results = read(args.output)
    if args.summary:
        sys.stdout.write(summary(results))
        return 0
    previous = args.previous.read_text(encoding="utf-8") if args.previous else ""
    sys.stdout.write(report(results, previous))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
