"""Turn Sphinx linkcheck output into the body of the standing link-check issue.

Usage::

    python tools/linkcheck_report.py _build/linkcheck/output.json [--previous OLD.md] [--summary]

Sphinx writes one JSON object per checked link (``filename``, ``lineno``, ``uri``,
``status``, ``code``, ``info``). This script sorts failures into

- **hard failures**: the page is gone (HTTP 404 or 410) or the host does not exist;
- **transient failures**: rate limits (429), server trouble (5xx), timeouts, refused
  connections and bot blocking (401, 403). They are listed only when the same URL
  also failed transiently on the previous run, which it reads from a hidden state
  line at the end of the previous issue body (``--previous``);
- **redirects** that are not in ``linkcheck_allowed_redirects``, to update at leisure.

It prints Markdown on stdout (``--summary``: a short version for the job summary).
Standard library only, so the reporting job needs no install.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

HARD_CODES = {404, 410}
TRANSIENT_CODES = {401, 403, 408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524}
UNKNOWN_HOST = re.compile(
    r"Name or service not known|No address associated with hostname|"
    r"nodename nor servname provided|NXDOMAIN|getaddrinfo failed",
    re.IGNORECASE,
)
STATE = re.compile(r"<!-- linkcheck-state: (?P<json>.*?) -->")
# Sphinx 7 leaves ``code`` at 0 for HTTP errors and puts requests' message in ``info``.
HTTP_ERROR = re.compile(r"^(?P<code>\d{3}) (?:Client|Server) Error")


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
        return self.status


def read(path: Path) -> list[Result]:
    """Parse Sphinx's ``output.json`` (one JSON object per line), recovering HTTP codes."""
    results = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            code = int(item.get("code") or 0)
            match = HTTP_ERROR.match(str(item.get("info", "")))
            if not code and match:
                code = int(match.group("code"))
            results.append(
                Result(
                    item.get("filename", ""),
                    int(item.get("lineno") or 0),
                    item.get("uri", ""),
                    item.get("status", ""),
                    code,
                    str(item.get("info", "")),
                )
            )
    return results


def classify(result: Result) -> str:
    """``hard``, ``transient``, ``redirect`` or ``ok``."""
    if result.status == "redirected":
        return "redirect"
    if result.status in {"timeout", "rate-limited"}:
        return "transient"
    if result.status != "broken":
        return "ok"
    if result.code in HARD_CODES or UNKNOWN_HOST.search(result.info):
        return "hard"
    return "transient"


def previous_transient(body: str) -> set[str]:
    """URLs that failed transiently last time, from the state line of the old body."""
    match = STATE.search(body)
    if not match:
        return set()
    return set(json.loads(match.group("json")).get("transient", []))


def table(results: list[Result]) -> list[str]:
    """A Markdown table of results, sorted by file and line."""
    rows = ["| File | Line | URL | Status |", "| --- | --- | --- | --- |"]
    for r in sorted(results, key=lambda r: (r.filename, r.lineno, r.uri)):
        rows.append(f"| `{r.filename}` | {r.lineno} | <{r.uri}> | {r.label} |")
    return rows


def report(results: list[Result], previous_body: str = "", today: date | None = None) -> str:
    """The issue body: hard failures, repeated transient failures, redirects, state."""
    groups: dict[str, list[Result]] = {"hard": [], "transient": [], "redirect": [], "ok": []}
    for result in results:
        groups[classify(result)].append(result)
    before = previous_transient(previous_body)
    repeated = [r for r in groups["transient"] if r.uri in before]
    checked = len({r.uri for r in results})
    lines = [
        f"Link check of {(today or date.today()).isoformat()}: {checked} links checked, "
        f"{len(groups['hard'])} hard failure(s), {len(repeated)} link(s) failing "
        "transiently on two runs in a row.",
        "",
        "### Hard failures (404, 410, unknown host)",
        "",
        *(table(groups["hard"]) if groups["hard"] else ["None."]),
        "",
        "### Failing transiently on two runs in a row (429, 5xx, timeouts, bot blocking)",
        "",
        *(table(repeated) if repeated else ["None."]),
        "",
        "### Redirects to review (not failures)",
        "",
        *(table(groups["redirect"]) if groups["redirect"] else ["None."]),
        "",
        "Fix a link in the file and line shown, or, if the site blocks checkers, add it to "
        "`linkcheck_ignore` in `_config.yml` with a comment saying why.",
        "",
        "<!-- linkcheck-state: "
        + json.dumps({"transient": sorted({r.uri for r in groups["transient"]})})
        + " -->",
    ]
    return "\n".join(lines) + "\n"


def summary(results: list[Result]) -> str:
    """A few lines for the GitHub Actions job summary."""
    counts = {"hard": 0, "transient": 0, "redirect": 0, "ok": 0}
    for result in results:
        counts[classify(result)] += 1
    hard = [r for r in results if classify(r) == "hard"]
    lines = [
        f"**Link check**: {len(results)} links, {counts['hard']} hard failures, "
        f"{counts['transient']} transient, {counts['redirect']} redirects to review.",
    ]
    if hard:
        lines += ["", *table(hard)]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Print the report for an ``output.json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="Sphinx linkcheck output.json")
    parser.add_argument("--previous", type=Path, help="the current issue body, if any")
    parser.add_argument("--summary", action="store_true", help="print a short summary")
    args = parser.parse_args(argv)
    results = read(args.output)
    if args.summary:
        sys.stdout.write(summary(results))
        return 0
    previous = args.previous.read_text(encoding="utf-8") if args.previous else ""
    sys.stdout.write(report(results, previous))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
