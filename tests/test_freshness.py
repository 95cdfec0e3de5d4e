"""Freshness rules (``sosai.freshness``): every table declares one; rows past due are found."""

from __future__ import annotations

import json

import pytest

from sosai import data, freshness
from tests.conftest import BOOK

SCHEMAS = sorted(
    p for p in (BOOK / "_data" / "schema").glob("*.schema.json") if p.name != "common.schema.json"
)


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.name for p in SCHEMAS])
def test_every_table_schema_declares_a_freshness_rule_and_why(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    months = schema.get(freshness.RULE)
    assert type(months) is int, f"{path.name}: add a top-level {freshness.RULE} (months)"
    assert months >= 1
    assert freshness.rule(schema) == months
    reason = schema.get(freshness.REASON, "")
    assert isinstance(reason, str), f"{path.name}: {freshness.REASON} is one line of text"
    assert 20 <= len(reason) <= 160, f"{path.name}: say in one line why {months} months"
    assert "\n" not in reason


@pytest.mark.parametrize("bad", [None, 0, -3, 2.5, "3", True])
def test_a_missing_or_bad_rule_is_refused(bad):
    schema = {"title": "Things"} if bad is None else {"title": "Things", freshness.RULE: bad}
    with pytest.raises(ValueError, match="Things: x-fresh-for-months must be a positive"):
        freshness.rule(schema)


def test_ages_count_calendar_months():
    assert freshness.age_in_months("2026-08", "2026-12") == 4
    assert freshness.age_in_months("2025-11", "2026-02") == 3  # across a year end
    assert freshness.age_in_months("2026-12", "2026-12") == 0
    assert freshness.age_in_months("2026-12-31", "2027-01") == 1  # days do not count
    assert freshness.due_month("2026-11", 3) == "2027-02"
    assert freshness.is_past_due("2026-08", 3, "2026-12")
    assert not freshness.is_past_due("2026-09", 3, "2026-12")  # due this month, not past due
    with pytest.raises(ValueError, match="not a month"):
        freshness.age_in_months("Nov 2026", "2026-12")


def test_build_month_reads_source_date_epoch():
    # 2027-01-01T00:00:00Z, and a second earlier
    assert freshness.build_month({"SOURCE_DATE_EPOCH": "1798761600"}) == "2027-01"
    assert freshness.build_month({"SOURCE_DATE_EPOCH": "1798761599"}) == "2026-12"
    today = freshness.build_date({})
    assert freshness.build_month({"SOURCE_DATE_EPOCH": " "}) == today.strftime("%Y-%m")


def write_table(folder, rule: int, as_ofs: dict[str, str]):
    """A one-column table with the given rule and one row per id, checked in its month."""
    (folder / "schema").mkdir(parents=True, exist_ok=True)
    (folder / "schema" / "common.schema.json").write_bytes(
        (BOOK / "_data" / "schema" / "common.schema.json").read_bytes()
    )
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        freshness.RULE: rule,
        "title": "Things",
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "as_of", "sources"],
            "properties": {
                "id": {"type": "string"},
                "as_of": {"$ref": "common.schema.json#/$defs/as_of"},
                "sources": {"$ref": "common.schema.json#/$defs/sources"},
            },
        },
    }
    (folder / "schema" / "things.schema.json").write_text(json.dumps(schema))
    rows = "".join(
        f'- id: {row_id}\n  as_of: "{as_of}"\n  sources: [{row_id}-card, https://example.org/{row_id}]\n'
        for row_id, as_of in as_ofs.items()
    )
    (folder / "things.yml").write_text(rows)
    return data.load(folder / "things.yml")


def test_rows_due_lists_rows_older_than_the_rule_oldest_first(tmp_path):
    things = write_table(
        tmp_path, 3, {"new": "2026-11", "edge": "2026-09", "old": "2026-08", "older": "2025-12"}
    )
    due = freshness.rows_due(things, "2026-12")
    assert [(r.row_id, r.as_of, r.age, r.overdue_by) for r in due] == [
        ("older", "2025-12", 12, 9),
        ("old", "2026-08", 4, 1),
    ]
    assert due[1].index == 2
    assert due[1].sources == ("old-card", "https://example.org/old")
    assert due[1].fresh_for == 3
    assert freshness.rows_due(things, "2026-09") == [
        freshness.DueRow(3, "older", "2025-12", 9, 3, ("older-card", "https://example.org/older"))
    ]


def test_accessed_long_ago_sorts_bib_entries_by_their_urldate():
    old, missing, unreadable = freshness.accessed_long_ago(
        {
            "fresh": "2026-11-30",
            "a-year": "2025-12-01",  # 12 months before December 2026: not yet
            "stale": "2025-11-30",
            "staler": "2024-06-02",
            "unread": None,
            "typo": "30/11/2025",
        },
        "2026-12",
    )
    assert old == [("staler", "2024-06-02", 30), ("stale", "2025-11-30", 13)]
    assert missing == ["unread"]
    assert unreadable == ["typo"]
