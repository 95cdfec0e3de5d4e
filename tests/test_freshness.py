"""Freshness rules (``features.freshness``): every table declares one; rows past due are found."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from sosai.features import data, freshness
from tests.conftest import BOOK
from tools import freshness as freshness_tool

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


BIB = """
@online{old-card, title = {Old}, url = {https://example.org/old}, urldate = {2025-10-31}}
@online{new-card, title = {New}, url = {https://example.org/new}, urldate = {2026-12-01}}
@online{undated, title = {Undated}, url = {https://example.org/undated}}
"""
DECEMBER_2026 = "1796083200"  # 2026-12-01T00:00:00Z
JANUARY_2027 = "1798761600"  # 2027-01-01T00:00:00Z


@pytest.fixture
def small_book(tmp_path):
    """A data folder with one 3-month table (rows checked in August and November 2026)."""
    write_table(tmp_path / "_data", 3, {"old": "2026-08", "new": "2026-11"})
    (tmp_path / "references.bib").write_text(BIB)
    return tmp_path


def run_tool(small_book, monkeypatch, capsys, epoch: str, *args: str) -> tuple[int, str, str]:
    """``tools/freshness.py`` on the small book in the month of ``epoch``: code, out, err."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    where = ["--data", str(small_book / "_data"), "--bib", str(small_book / "references.bib")]
    code = freshness_tool.main([*where, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_tool_lists_rows_and_sources_past_due_in_the_build_month(small_book, monkeypatch, capsys):
    code, out, _ = run_tool(small_book, monkeypatch, capsys, DECEMBER_2026)
    assert code == 0  # a report, not a check, without --strict
    lines = out.splitlines()
    assert lines[0] == "Freshness in December 2026 (build month 2026-12)"
    assert "things: fresh for 3 months; 1 of 2 rows past due" in lines
    [row] = [line for line in lines if line.startswith("  old ")]
    assert row.split(None, 3) == ["old", "2026-08", "4", "mo  old-card, https://example.org/old"]
    assert not any(line.startswith("  new ") for line in lines)
    assert (
        "references.bib: 1 of 3 entries read more than 12 months before 2026-12 (urldate); "
        "1 without a urldate"
    ) in lines
    assert any(line.split() == ["old-card", "2025-10-31", "14", "mo"] for line in lines)
    assert lines[-1] == (
        "Summary: 1 of 2 rows past due in 1 of 1 tables; "
        "1 bib entries read over a year ago; 1 without a urldate."
    )
    assert run_tool(small_book, monkeypatch, capsys, DECEMBER_2026, "--strict")[0] == 1


def test_tool_is_quiet_and_strict_passes_when_nothing_is_due(small_book, monkeypatch, capsys):
    (small_book / "references.bib").write_text(BIB.replace("2025-10-31", "2026-10-31"))
    things = small_book / "_data" / "things.yml"
    things.write_text(things.read_text().replace("2026-08", "2026-09"))  # due in December
    code, out, _ = run_tool(small_book, monkeypatch, capsys, DECEMBER_2026, "--strict")
    assert code == 0
    assert "things: fresh for 3 months; none of 2 rows past due" in out
    # A month later the same row is past due: the date comes from SOURCE_DATE_EPOCH.
    code, out, _ = run_tool(small_book, monkeypatch, capsys, JANUARY_2027, "--strict")
    assert code == 1
    assert "Freshness in January 2027 (build month 2027-01)" in out
    assert "things: fresh for 3 months; 1 of 2 rows past due" in out


def test_tool_refuses_data_that_does_not_validate(small_book, monkeypatch, capsys):
    things = small_book / "_data" / "things.yml"
    things.write_text(things.read_text().replace('"2026-08"', '"August"'))
    code, out, err = run_tool(small_book, monkeypatch, capsys, DECEMBER_2026)
    assert (code, out) == (2, "")
    assert "things.yml:2: row 1 (old), field 'as_of'" in err


def test_make_freshness_runs_the_tool_with_its_arguments(small_book):
    where = f"--data {small_book / '_data'} --bib {small_book / 'references.bib'} --strict"
    result = subprocess.run(
        # -o: never rebuild the virtualenv from a test, even if its stamp looks old
        ["make", "-s", "-o", ".venv/.installed", "freshness", f"FRESHNESS_ARGS={where}"],
        cwd=BOOK,
        env={**os.environ, "SOURCE_DATE_EPOCH": DECEMBER_2026},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0  # --strict, and a row is past due
    assert "things: fresh for 3 months; 1 of 2 rows past due" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("Summary: 1 of 2 rows past due")
