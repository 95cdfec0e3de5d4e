"""What the workflows' standing issues share: who may be updated, and how long a body may be.

Usage (in a workflow step, after ``gh issue list --label L --json number,author``)::

    gh issue list --state open --label upstream-watch --limit 100 --json number,author > issues.json
    number=$(python3 tools/github_issue.py issues.json)   # empty if the workflow has none open

A workflow that reports to one standing issue (the link check, the upstream watch)
finds it by its label *and* its author: only an issue the workflow opened, as the
GitHub Actions bot, is updated; an issue a person wrote is never overwritten, even one
with the same label. GitHub refuses an issue body over :data:`GITHUB_BODY_LIMIT`
characters; reports aim for :data:`BODY_BUDGET` and say what they leave out.
Standard library only, so the reporting jobs need no install.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# GitHub refuses an issue body over 65,536 characters. The budget leaves room for
# characters GitHub may count twice (it does not say how it counts).
GITHUB_BODY_LIMIT = 65_536
BODY_BUDGET = 60_000
BOT_LOGINS = {"app/github-actions", "github-actions[bot]"}  # as gh --json and the REST API name it


def standing_issue(issues: list[dict]) -> int | None:
    """The open issue the workflow opened (its author is the Actions bot), if any."""
    mine = [i["number"] for i in issues if (i.get("author") or {}).get("login") in BOT_LOGINS]
    return min(mine) if mine else None


def main(argv: list[str]) -> int:
    """Print the number of the workflow's own issue in a ``gh issue list`` JSON file."""
    if len(argv) != 1:
        sys.stderr.write(
            "usage: github_issue.py ISSUES_JSON (gh issue list --json number,author)\n"
        )
        return 2
    number = standing_issue(json.loads(Path(argv[0]).read_text(encoding="utf-8")))
    sys.stdout.write(f"{number}\n" if number else "")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
