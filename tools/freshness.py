"""List the data rows and sources that are due to be checked again.

Usage::

    python tools/freshness.py            # or: make freshness
    python tools/freshness.py --strict   # exit 1 if anything is past due
    SOURCE_DATE_EPOCH=1798761600 python tools/freshness.py   # as if in January 2027

Each table's schema says how long its rows stay trustworthy (``x-fresh-for-months``,
see ``_ext/sosai/freshness.py``). For each table this prints the rule and the rows past
due (id, ``as_of``, age in months, sources), oldest first; then the bib entries in
``references.bib`` whose ``urldate`` is more than a year before the build month, and how
many entries have no ``urldate``; then a one-line summary. The build month is taken
from ``SOURCE_DATE_EPOCH`` when set, else today (UTC).

It exits 0 whatever it finds, so it can run as a report; with ``--strict``, 1 when any
row or source is past due. A data file that does not validate is an error (exit 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
from sosai.features import data, freshness  # noqa: E402  (after _ext is on the path)

DATA_DIR = ROOT / "_data"
BIB = ROOT / "references.bib"


def read_urldates(bib: Path) -> dict[str, str | None]:
    """Every bib key with its ``urldate`` (None where the entry has none)."""
    entries = parse_file(str(bib)).entries
    return {
        key: (str(e.fields["urldate"]) if "urldate" in e.fields else None)
        for key, e in entries.items()
    }


def columns(rows: list[list[str]], indent: str = "  ") -> list[str]:
    """Rows of cells as lines, each column as wide as its widest cell."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def table_section(dataset: data.Dataset, month: str) -> tuple[list[str], int]:
    """The lines for one table, and how many of its rows are past due."""
    months = freshness.rule(dataset)
    due = freshness.rows_due(dataset, month)
    total = len(dataset.rows)
    if not due:
        return [f"{dataset.name}: fresh for {months} months; none of {total} rows past due"], 0
    head = f"{dataset.name}: fresh for {months} months; {len(due)} of {total} rows past due"
    cells = [["id", "as_of", "age", "sources"]] + [
        [r.row_id, r.as_of, f"{r.age} mo", ", ".join(r.sources)] for r in due
    ]
    return [head, *columns(cells), ""], len(due)


def sources_section(urldates: dict[str, str | None], month: str) -> tuple[list[str], int, int]:
    """The lines on bib entries, how many were read too long ago, and how many lack a date."""
    old, missing, unreadable = freshness.accessed_long_ago(urldates, month)
    limit = freshness.ACCESSED_FRESH_FOR
    lines = [
        f"references.bib: {len(old)} of {len(urldates)} entries read more than {limit} months "
        f"before {month} (urldate); {len(missing)} without a urldate"
    ]
    if old:
        lines += columns([["key", "urldate", "age"]] + [[k, d, f"{a} mo"] for k, d, a in old])
    if unreadable:
        lines.append(f"  urldate is not YYYY-MM-DD in: {', '.join(unreadable)}")
    return lines, len(old), len(missing)


def report(
    datasets: list[data.Dataset], urldates: dict[str, str | None], month: str
) -> tuple[str, int]:
    """The whole report, and how many rows and sources are past due."""
    lines = [f"Freshness in {data.month_label(month)} (build month {month})", ""]
    rows_due = tables_due = 0
    for dataset in datasets:
        section, due = table_section(dataset, month)
        lines += section
        rows_due += due
        tables_due += bool(due)
    if lines[-1]:
        lines.append("")
    bib_lines, old, missing = sources_section(urldates, month)
    lines += [*bib_lines, ""]
    total = sum(len(d.rows) for d in datasets)
    lines.append(
        f"Summary: {rows_due} of {total} rows past due in {tables_due} of {len(datasets)} tables; "
        f"{old} bib entries read over a year ago; {missing} without a urldate."
    )
    return "\n".join(lines) + "\n", rows_due + old


def load_all(folder: Path) -> tuple[list[data.Dataset], list[str]]:
    """Every data file in ``folder``, and the problems of those that do not validate."""
    datasets, problems = [], []
    for path in sorted(folder.glob("*.yml")):
        try:
            datasets.append(data.load(path))
        except data.DataError as error:
            problems += [f"{p.location}: {p}" for p in error.problems]
    return datasets, problems


def main(argv: list[str]) -> int:
    """Print the report; 1 with ``--strict`` when anything is past due, 2 on bad data."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 if anything is past due")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="the data folder")
    parser.add_argument("--bib", type=Path, default=BIB, help="the bibliography")
    args = parser.parse_args(argv)
    datasets, problems = load_all(args.data)
    if problems:
        sys.stderr.write("".join(f"{p}\n" for p in problems))
        return 2
    text, past_due = report(datasets, read_urldates(args.bib), freshness.build_month())
    sys.stdout.write(text)
    return 1 if args.strict and past_due else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
