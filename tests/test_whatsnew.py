"""The "What's new" page and its Atom feed (``sosai.features.whatsnew``), from ``changes.yml``."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.util.console import strip_colors

from sosai.features.whatsnew import PageChanges
from sosai.shared import resolve_site_file_links

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def book(tmp_path: Path, rootdir: Path) -> Path:
    """A copy of the mini-book, so a test may edit its changelog."""
    srcdir = tmp_path / "book"
    shutil.copytree(rootdir / "test-whatsnew", srcdir)
    return srcdir


def build(make_app, srcdir: Path):
    app = make_app("dirhtml", srcdir=srcdir)
    app.build()
    return app


def entries(app) -> list[str]:
    soup = BeautifulSoup((app.outdir / "whats-new" / "index.html").read_text(), "html.parser")
    return [li.get_text(" ", strip=True) for li in soup.select("ul.sosai-whats-new li")]


def test_lists_the_changelog_newest_first_with_its_pages(make_app, book):
    app = build(make_app, book)
    assert app._warning.getvalue() == ""
    assert entries(app) == [
        "20 May 2026 · Chapter , Home : The large thing\u2019s size corrected to 72B.",
        "1 March 2026 · Chapter : The things table gains a row.",
        "10 January 2026 · Home : The book starts.",
    ]
    soup = BeautifulSoup((app.outdir / "whats-new" / "index.html").read_text(), "html.parser")
    assert soup.select("ul.sosai-whats-new li")[0].select_one("a[href='../chapter/']")


def test_writes_an_atom_feed_announced_on_every_page(make_app, book):
    app = build(make_app, book)
    feed = ET.parse(app.outdir / "whats-new.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    found = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}summary").text for e in found] == [
        "The large thing's size corrected to 72B.", "The things table gains a row.",
        "The book starts."]  # fmt: skip
    assert found[0].find(f"{ATOM}link").get("href") == "https://book.example.org/chapter/"
    assert found[0].find(f"{ATOM}updated").text == "2026-05-20T00:00:00Z"
    assert len({e.find(f"{ATOM}id").text for e in found}) == 3
    head = BeautifulSoup((app.outdir / "chapter" / "index.html").read_text(), "html.parser").head
    link = head.select_one("link[rel=alternate][type='application/atom+xml']")
    assert link["href"] == "https://book.example.org/whats-new.xml"
    page = BeautifulSoup((app.outdir / "whats-new" / "index.html").read_text(), "html.parser")
    assert page.select_one("p.sosai-feed a")["href"] == "../whats-new.xml"


def test_a_bad_entry_is_left_out_with_its_file_and_line(make_app, book):
    (book / "changes.yml").write_text(
        "- date: 2026-02-30\n  pages: [chapter]\n  text: Not a day.\n"
        "- date: 2026-02-01\n  pages: [nowhere]\n  text: No such page.\n"
        "- date: 2026-02-02\n  pages: [chapter]\n"
        "- date: 2026-02-03\n  pages: [chapter]\n  text: Fine.\n"
    )
    app = build(make_app, book)
    warnings = app._warning.getvalue()
    assert "changes.yml:1: WARNING: changes.yml: date must be a day, YYYY-MM-DD" in warnings
    assert "changes.yml:5: WARNING: changes.yml: no such page: nowhere" in warnings
    assert "changes.yml:7: WARNING: changes.yml: text must be a sentence or two" in warnings
    assert entries(app) == ["3 February 2026 · Chapter : Fine."]


def test_editing_the_changelog_rebuilds_the_page(make_app, book):
    build(make_app, book)
    with (book / "changes.yml").open("a") as f:
        f.write("- date: 2026-06-01\n  pages: [index]\n  text: A June change.\n")
    app = build(make_app, book)
    assert entries(app)[0] == "1 June 2026 · Home : A June change."


def warning_lines(app) -> list[str]:
    """The warnings as printed, without colours or the project's folder."""
    text = strip_colors(app._warning.getvalue())
    return [line.replace(f"{app.srcdir}/", "") for line in text.splitlines() if line.strip()]


def test_a_control_character_in_a_text_leaves_the_entry_out(make_app, book):
    (book / "changes.yml").write_text(
        '- date: 2026-02-03\n  pages: [chapter]\n  text: "A bell\\a rings."\n'
        "- date: 2026-02-04\n  pages: [chapter]\n  text: Fine.\n"
    )
    app = build(make_app, book)
    assert warning_lines(app) == [
        "changes.yml:3: WARNING: changes.yml: text has a control character, U+0007, which "
        "the feed cannot hold"
    ]
    assert entries(app) == ["4 February 2026 · Chapter : Fine."]
    ET.parse(app.outdir / "whats-new.xml")  # still well-formed XML


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (b"  text: A raw \x1b escape.\n", "malformed YAML: character U+001B is not allowed "
         "(YAML cannot hold control characters)"),
        (b"  text: Once.\n  text: Twice.\n", "row 1, field 'text': key 'text' written twice "
         "(first on line 3); YAML would keep only the last value"),
        (b"  text: \xff\n", "not UTF-8 text: byte 0xff at column 9 of this line"),
    ],
    ids=["control-character", "key-twice", "not-utf8"],
)  # fmt: skip
def test_a_changelog_that_cannot_be_read_is_named_with_its_line(make_app, book, written, message):
    (book / "changes.yml").write_bytes(b"- date: 2026-02-03\n  pages: [chapter]\n" + written)
    app = build(make_app, book)
    line = 4 if b"Twice" in written else 3
    assert warning_lines(app) == [f"changes.yml:{line}: WARNING: changes.yml: {message}"]
    assert entries(app) == []


def test_the_feed_has_every_change_after_a_parallel_build(make_app, book):
    """The page's changes, recorded by a parallel reader, are merged (PageChanges)."""
    app = make_app("dirhtml", srcdir=book, parallel=2)
    app.build()
    assert app._warning.getvalue() == ""
    feed = ET.parse(app.outdir / "whats-new.xml").getroot()
    assert len(feed.findall(f"{ATOM}entry")) == len(entries(app)) >= 2
    assert "whats-new" in PageChanges.of(app.env)


def test_links_to_site_files_are_resolved_once_and_dropped_outside_the_website(make_app, book):
    """The feed link and the table's download links share one handler (sosai.shared)."""
    tables = Path(__file__).parent / "roots" / "test-datatable" / "_data"
    shutil.copy(tables / "engines.yml", book / "_data")
    shutil.copy(tables / "schema" / "engines.schema.json", book / "_data" / "schema")
    with (book / "chapter.md").open("a", encoding="utf-8") as chapter:
        chapter.write("\n```{data-table} _data/engines.yml\n:columns: name, licence\n```\n")
    app = build(make_app, book)
    handlers = [listener.handler for listener in app.events.listeners["doctree-resolved"]]
    assert handlers.count(resolve_site_file_links) == 1  # both extensions asked for it
    chapter = BeautifulSoup((app.outdir / "chapter" / "index.html").read_text(), "html.parser")
    assert [a["href"] for a in chapter.select("p.sosai-downloads a")] == [
        "../data/engines.csv",
        "../data/engines.json",
    ]
    single = make_app("singlehtml", srcdir=book)
    single.build()
    page = BeautifulSoup((single.outdir / "index.html").read_text(), "html.parser")
    assert page.select("ul.sosai-whats-new li")  # the changes are there...
    assert page.select("p.sosai-feed, p.sosai-downloads") == []  # ...but no dead links
    assert page.select("table")  # nor is anything else dropped
