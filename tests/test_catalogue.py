"""The data catalogue, its schemas, the row changelog and its feed (``features.catalogue``).

Built from the fixture history of ``tests/test_rowhistory.py`` (test-datatable's data
file: rows added, re-checked, changed and removed, one broken commit), with a "Data"
page that shows the ``data-catalogue``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup

from sosai.features import catalogue, data, rowhistory
from tests.test_rowhistory import DECEMBER_2026, git, make_history

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://example.org/book/"


@pytest.fixture(autouse=True)
def build_in_december_2026(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DECEMBER_2026)
    rowhistory.clear()


@pytest.fixture
def book(tmp_path: Path, rootdir: Path) -> tuple[Path, dict[str, str]]:
    """The fixture history, with a Data page listing the catalogue."""
    repo, commits = make_history(tmp_path / "book", rootdir)
    (repo / "using-data.md").write_text("# Using the data\n\n```{data-catalogue}\n```\n")
    index = repo / "index.md"
    index.write_text(index.read_text() + "\n```{toctree}\nusing-data\n```\n")
    return repo, commits


def build(make_app, srcdir: Path, **overrides):
    app = make_app(
        "dirhtml",
        srcdir=srcdir,
        confoverrides={
            "extensions": ["myst_parser", "sphinxcontrib.bibtex", "sosai.features.catalogue"],
            "html_baseurl": BASE,
            "project": "Test book",
            **overrides,
        },
    )
    app.build()
    return app


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_changes_json_lists_every_row_event_newest_first(make_app, book):
    repo, commits = book
    app = build(make_app, repo)
    assert app._warning.getvalue() == ""
    assert read_json(app.outdir / "data" / "changes.json") == [
        {"date": "2026-09-01T12:00:00Z", "table": "engines", "row": "engine-c",
         "kind": "removed", "fields": [], "commit": commits["removal"]},
        {"date": "2026-08-03T12:00:00Z", "table": "engines", "row": "engine-a",
         "kind": "changed", "fields": ["licence"], "commit": commits["licence"]},
        {"date": "2026-08-03T12:00:00Z", "table": "engines", "row": "engine-d",
         "kind": "added", "fields": [], "commit": commits["licence"]},
        {"date": "2026-05-10T12:00:00Z", "table": "engines", "row": "engine-a",
         "kind": "added", "fields": [], "commit": commits["first"]},
        {"date": "2026-05-10T12:00:00Z", "table": "engines", "row": "engine-b",
         "kind": "added", "fields": [], "commit": commits["first"]},
        {"date": "2026-05-10T12:00:00Z", "table": "engines", "row": "engine-c",
         "kind": "added", "fields": [], "commit": commits["first"]},
    ]  # fmt: skip


def feed_of(app) -> ET.Element:
    return ET.parse(app.outdir / "data" / "changes.xml").getroot()


def test_the_feed_has_an_entry_per_commit_and_table_with_stable_ids(make_app, book, tmp_path):
    repo, commits = book
    app = build(make_app, repo)
    feed = feed_of(app)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id").text == f"{BASE}data/changes.xml"
    assert feed.find(f"{ATOM}updated").text == "2026-09-01T12:00:00Z"
    alternate = feed.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert alternate == f"{BASE}using-data/"  # the page that shows the catalogue
    entries = feed.findall(f"{ATOM}entry")
    found = [
        (e.find(f"{ATOM}title").text, e.find(f"{ATOM}id").text, e.find(f"{ATOM}updated").text,
         e.find(f"{ATOM}summary").text)
        for e in entries
    ]  # fmt: skip
    feed_id = f"{BASE}data/changes.xml"
    assert found == [
        ("Inference engines (test): 1 removed", f"{feed_id}#engines-{commits['removal']}",
         "2026-09-01T12:00:00Z", "Removed: engine-c."),
        ("Inference engines (test): 1 added, 1 changed", f"{feed_id}#engines-{commits['licence']}",
         "2026-08-03T12:00:00Z", "Added: engine-d. Changed: engine-a (licence)."),
        ("Inference engines (test): 3 added", f"{feed_id}#engines-{commits['first']}",
         "2026-05-10T12:00:00Z", "Added: engine-a, engine-b, engine-c."),
    ]  # fmt: skip
    # Another build, of another clone: the same ids.
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", f"file://{repo}", str(clone))
    rowhistory.clear()
    again = build(make_app, clone)
    assert [e.find(f"{ATOM}id").text for e in feed_of(again).findall(f"{ATOM}entry")] == [
        f[1] for f in found
    ]


def test_feed_entries_link_to_the_commit_and_stay_within_the_limit():
    listed = [
        {"date": f"2026-01-01T00:00:{i % 60:02d}Z", "table": "t", "row": f"r{i}",
         "kind": "added", "fields": [], "commit": f"{i:040x}"}
        for i in range(catalogue.FEED_LIMIT + 5)
    ]  # fmt: skip
    feed, repo = "https://x.example/f.xml", "https://github.com/o/r"
    entries = catalogue.feed_entries(listed, {"t": "Things"}, feed, repo, "https://x.example/d/")
    assert len(entries) == catalogue.FEED_LIMIT
    assert entries[0].link == f"https://github.com/o/r/commit/{0:040x}"
    many = [{**c, "commit": "a" * 40} for c in listed[:20]]
    [entry] = catalogue.feed_entries(many, {}, "https://x.example/f.xml", "", "https://p.example/")
    assert entry.summary.endswith("r11 and 8 more.")
    assert entry.link == "https://p.example/"


def test_the_catalogue_validates_against_its_published_schema(make_app, book):
    repo, _ = book
    app = build(make_app, repo)
    folder = app.outdir / "data"
    document = read_json(folder / "catalogue.json")
    schema = read_json(folder / "catalogue.schema.json")
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)
    assert document["$schema"] == f"{BASE}data/catalogue.schema.json"
    assert document["title"] == "Test book"
    assert document["url"] == BASE
    assert document["licence"] == "CC-BY-4.0"
    assert document["built"] == "2026-12-04"
    assert document["version"] == "2026-12-04"  # no release set: the build's day
    assert document["sources"] == {"engine-a-docs": "https://engine-a.example/docs"}
    table = document["tables"]["engines"]
    assert table["schema"] == "data/schema/engines.schema.json"
    assert (table["title"], table["fresh_for_months"], table["as_of"]) == (
        "Inference engines (test)", 3, "2026-08")  # fmt: skip
    assert table["last_changed"] == {
        "engine-a": "2026-08-03", "engine-b": "2026-05-10", "engine-d": "2026-08-03",
    }  # fmt: skip
    assert [r["id"] for r in table["rows"]] == ["engine-a", "engine-b", "engine-d"]
    for name, table in document["tables"].items():  # each table's rows, by its own schema
        _schema, validator = data._validator(folder / table["schema"].removeprefix("data/"))
        assert list(validator.iter_errors(table["rows"])) == [], name
    assert sorted(p.name for p in (folder / "schema").iterdir()) == [
        "common.schema.json", "engines.schema.json",
    ]  # fmt: skip


def test_the_data_page_links_to_the_files_and_announces_the_feed(make_app, book):
    repo, _ = book
    app = build(make_app, repo)
    page = BeautifulSoup((app.outdir / "using-data" / "index.html").read_text(), "html.parser")
    links = [a["href"] for a in page.select("p.sosai-downloads a")][:4]
    assert links == [
        "../data/catalogue.json",
        "../data/catalogue.schema.json",
        "../data/changes.json",
        "../data/changes.xml",
    ]
    feed = page.head.select("link[rel=alternate][type='application/atom+xml']")
    assert [link["href"] for link in feed] == [f"{BASE}data/changes.xml"]
    index = BeautifulSoup((app.outdir / "index.html").read_text(), "html.parser")
    assert index.head.select("link[type='application/atom+xml']") == []  # Data page only


def test_without_history_the_changelog_is_empty_and_the_catalogue_valid(
    make_app, rootdir, tmp_path
):
    import shutil  # noqa: PLC0415

    srcdir = tmp_path / "plain"
    shutil.copytree(rootdir / "test-datatable", srcdir)
    app = build(make_app, srcdir)
    folder = app.outdir / "data"
    assert read_json(folder / "changes.json") == []
    assert feed_of(app).findall(f"{ATOM}entry") == []
    document = read_json(folder / "catalogue.json")
    assert document["tables"]["engines"]["last_changed"] == {}
    jsonschema.Draft202012Validator(read_json(folder / "catalogue.schema.json")).validate(document)
    assert data.EXPORT_DIR == "data"
