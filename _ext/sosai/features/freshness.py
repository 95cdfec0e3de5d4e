"""How long each table's rows stay trustworthy, and which rows are past due.

A library module, not a Sphinx extension (it has no ``setup()``): ``tools/freshness.py``
(``make freshness``) prints its findings, and the tables can import it to mark old rows.
Standard library only, so it imports without Sphinx.

Each table's schema declares its rule as a top-level keyword, with the reason beside it::

    // _data/schema/models.schema.json
    "x-fresh-for-months": 3,
    "x-fresh-for-months-reason": "Publishers ship new checkpoints every few weeks ...",

Months are counted on the calendar: a row checked (``as_of``) in August 2026 is 4 months
old in December 2026, whatever the day. ``as_of`` records only the month, so a row is
*due* in the month ``as_of + rule`` and *past due* from the month after: a 3-month row
checked in August is due in November and past due in December::

    from sosai.features import data

    from sosai.features import freshness

    models = data.load("_data/models.yml")
    freshness.rule(models)                        # 3, from the schema
    freshness.age_in_months("2026-08", "2026-12")  # 4
    for row in freshness.rows_due(models, freshness.build_month()):
        print(row.row_id, row.as_of, row.age, row.sources)

Sources have a rule too: a bib entry's ``urldate`` (the day a person last read the page)
is listed by :func:`accessed_long_ago` once it is more than :data:`ACCESSED_FRESH_FOR`
months before the build month.

The month of the build comes from ``SOURCE_DATE_EPOCH`` when it is set (so a test or a
reproducible build can fix it), else from today's date in UTC: :func:`build_month`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sosai.features.data import Dataset

ACCESSED_FRESH_FOR = 12  # months: a source read more than a year ago is read again
RULE = "x-fresh-for-months"  # the schema keyword: a positive integer
REASON = "x-fresh-for-months-reason"  # one line on why that many months
MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])")  # YYYY-MM, or a date's start


@dataclass(frozen=True)
class DueRow:
    """A row past due: checked longer ago than its table's rule allows."""

    index: int  # in ``Dataset.rows``
    row_id: str
    as_of: str
    age: int  # months since ``as_of``
    fresh_for: int  # the table's rule, in months
    sources: tuple[str, ...]

    @property
    def overdue_by(self) -> int:
        """Months since the row fell due (1 in its first month past due)."""
        return self.age - self.fresh_for


def rule(dataset_or_schema: Dataset | Mapping[str, Any]) -> int:
    """A table's rule, in months, from its schema (or a :class:`~sosai.features.data.Dataset`).

    Raises :class:`ValueError` when the schema declares none, or not a positive integer.
    """
    schema = getattr(dataset_or_schema, "schema", dataset_or_schema)
    months = schema.get(RULE)
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        title = schema.get("title", "a schema")
        raise ValueError(f"{title}: {RULE} must be a positive integer, not {months!r}")
    return months


def month_number(month: str | date) -> int:
    """Months since year 0: ``2026-12`` (or any date in it) -> 24323, for subtraction."""
    if isinstance(month, date):
        return month.year * 12 + month.month - 1
    found = MONTH.match(str(month))
    if not found:
        raise ValueError(f"not a month (YYYY-MM): {month!r}")
    return int(found["year"]) * 12 + int(found["month"]) - 1


def month_of(number: int) -> str:
    """The inverse of :func:`month_number`: 24323 -> ``2026-12``."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def age_in_months(as_of: str | date, today: str | date) -> int:
    """Calendar months from ``as_of`` to ``today`` (``YYYY-MM`` or dates); 0 if the same."""
    return month_number(today) - month_number(as_of)


def due_month(as_of: str, months: int) -> str:
    """The month a row checked in ``as_of`` falls due: ``2026-08`` + 3 -> ``2026-11``."""
    return month_of(month_number(as_of) + months)


def is_past_due(as_of: str, months: int, today: str | date) -> bool:
    """Whether a row checked in ``as_of`` is older than ``months`` by ``today``'s month."""
    return age_in_months(as_of, today) > months


def rows_due(dataset: Dataset, today: str | date) -> list[DueRow]:
    """The rows of a table past due in ``today``'s month, oldest first (then by id).

    A row without ``as_of`` is not listed: the schemas require it, and validation
    reports its absence.
    """
    months = rule(dataset)
    due = []
    for index, row in enumerate(dataset.rows):
        as_of = row.get("as_of")
        if as_of and is_past_due(str(as_of), months, today):
            due.append(
                DueRow(
                    index,
                    str(row.get("id", index + 1)),
                    str(as_of),
                    age_in_months(str(as_of), today),
                    months,
                    tuple(str(s) for s in row.get("sources", [])),
                )
            )
    return sorted(due, key=lambda r: (-r.age, r.row_id))


def build_date(environ: Mapping[str, str] | None = None) -> date:
    """The build's date: ``SOURCE_DATE_EPOCH`` (seconds, UTC) when set, else today (UTC)."""
    epoch = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return datetime.now(tz=UTC).date()


def build_month(environ: Mapping[str, str] | None = None) -> str:
    """The build's month, ``YYYY-MM`` (see :func:`build_date`)."""
    return build_date(environ).strftime("%Y-%m")


def accessed_long_ago(
    urldates: Mapping[str, str | None], today: str | date, months: int = ACCESSED_FRESH_FOR
) -> tuple[list[tuple[str, str, int]], list[str], list[str]]:
    """Bib entries read too long ago, entries with no ``urldate``, and unreadable ones.

    ``urldates`` maps each bib key to its ``urldate`` (``YYYY-MM-DD``) or None. Returns
    ``(key, urldate, age in months)`` for each entry older than ``months``, oldest
    first; the keys without a ``urldate``; and the keys whose ``urldate`` is no date.
    """
    old, missing, unreadable = [], [], []
    for key, urldate in urldates.items():
        if not urldate:
            missing.append(key)
        elif not MONTH.match(urldate):
            unreadable.append(key)
        elif (age := age_in_months(urldate, today)) > months:
            old.append((key, urldate, age))
    return sorted(old, key=lambda e: (-e[2], e[0])), sorted(missing), sorted(unreadable)
