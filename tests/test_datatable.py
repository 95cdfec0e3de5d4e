"""The ``data-table`` directive (``features.datatable``), on ``tests/roots/test-datatable*``."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.util.console import strip_colors


def tables(app) -> list:
    soup = BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    return soup.select("table.sosai-data-table")


def cells(table) -> list[list[str]]:
    return [
        [" ".join(td.get_text().split()) for td in tr.select("td")]
        for tr in table.select("tbody tr")
    ]


@pytest.mark.sphinx("html", testroot="datatable")
def test_renders_every_row_with_schema_titles(app, warning):
    app.build()
    assert warning.getvalue() == ""
    table = tables(app)[0]
    assert table["id"] == "tbl-all"
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    assert headers == [
        *["Engine", "Licence", "Back-ends", "Stars", "Open source", "Notes"],
        *["Checked", "Sources"],  # every table says when each row was checked
    ]
    rows = cells(table)
    assert [r[0] for r in rows] == ["Engine A", "Engine B", "Engine C"]
    assert rows[0][2:5] == ["CUDA, ROCm", "48,000", "yes"]
    assert rows[2][3] == "—"  # null
    assert rows[2][4] == "no"


DECEMBER_2026 = "1796342400"  # 2026-12-04, as SOURCE_DATE_EPOCH
NOVEMBER_2026 = "1793750400"  # 2026-11-04


@pytest.fixture(autouse=True)
def build_in_december_2026(monkeypatch):
    """Tables mark rows past due in the build's month: fix it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DECEMBER_2026)


@pytest.mark.sphinx("html", testroot="datatable")
def test_caption_ends_with_oldest_as_of_month(app):
    app.build()
    captions = [t.select_one("caption .caption-text").get_text(strip=True) for t in tables(app)]
    due = "Rows marked “due” were last checked more than 3 months ago."
    assert captions == [
        f"Every engine. As of August 2026. {due}",
        f"Open engines by stars. As of August 2026. {due}",
    ]


@pytest.mark.sphinx("html", testroot="datatable")
def test_rows_checked_longer_ago_than_the_rule_are_marked_due(app):
    app.build()
    table = tables(app)[0]
    checked = [row[-2] for row in cells(table)]
    # the rule is 3 months; in December 2026, August is 4 months back
    assert checked == ["2026-10", "2026-08 (due)", "2026-11"]
    rows = table.select("tbody tr")
    assert ["sosai-due" in row.get("class", []) for row in rows] == [False, True, False]
    due = rows[1].select_one("abbr")
    assert due.get_text() == "due"
    assert due["title"] == "last checked more than 3 months ago"


@pytest.mark.sphinx("html", testroot="datatable", srcdir="datatable-month")
def test_a_new_month_renders_the_tables_again(make_app, app_params, monkeypatch):
    args, kwargs = app_params
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NOVEMBER_2026)  # August is 3 months back: not yet due
    app = make_app(*args, **kwargs)
    app.build()
    assert [row[-2] for row in cells(tables(app)[0])] == ["2026-10", "2026-08", "2026-11"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DECEMBER_2026)  # nothing edited, a new month
    again = make_app(*args, **{**kwargs, "freshenv": False})
    again.build()
    assert [row[-2] for row in cells(tables(again)[0])] == ["2026-10", "2026-08 (due)", "2026-11"]


@pytest.mark.sphinx("html", testroot="datatable")
def test_columns_sort_and_filter(app):
    app.build()
    table = tables(app)[1]
    assert [th.get_text(strip=True) for th in table.select("thead th")] == [
        "Engine",
        "Licence",
        "Stars",
        "Checked",
    ]
    assert [r[0] for r in cells(table)] == ["Engine A", "Engine B"]  # open only, most stars first


@pytest.mark.sphinx("html", testroot="datatable")
def test_cells_are_myst_inline_markup(app):
    app.build()
    table = tables(app)[0]
    first = table.select("tbody tr")[0]
    assert first.select_one("a[href='#term-paged-attention']")
    assert first.select_one("a[href='https://engine-a.example/docs']")
    label = first.select_one(".bibtex-citation a .sosai-source-label")
    assert label.get_text(strip=True) == "Engine A Project, 2026"
    third = table.select("tbody tr")[2]
    assert (
        third.select_one("a[href='https://engine-c.example']").get_text() == "[3] engine-c.example"
    )


def sources_column(table) -> list[list[tuple[str, str]]]:
    """Each row's sources as (number shown, link target)."""
    return [
        [(a.find(string=True), a["href"]) for a in tr.select("td p.sosai-sources a")]
        for tr in table.select("tbody tr")
    ]


@pytest.mark.sphinx("html", testroot="datatable")
def test_sources_are_numbered_links_listed_under_the_table(app, warning):
    app.build()
    assert warning.getvalue() == ""
    soup = BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    table = soup.select_one("table#tbl-all")
    rows = sources_column(table)
    citation = rows[0][0][1]
    assert citation.startswith("#")  # the bibliography entry
    # numbered by first use through the table; a source cited again keeps its number
    assert rows == [
        [("[1]", citation)],
        [("[2]", "https://engine-b.example/releases")],
        [("[1]", citation), ("[3]", "https://engine-c.example")],
    ]
    first = table.select_one("tbody tr td p.sosai-sources")
    assert " ".join(first.get_text().split()) == "[1] Engine A Project, 2026"  # no ( or ;
    assert first.select_one(".bibtex-citation[id]")  # "Cited in" lines still link here
    listed = table.find_parent("div", class_="sosai-data-table-box").select_one(
        "p.sosai-source-list"
    )
    assert " ".join(listed.get_text().split()) == (
        "Sources: [1] Engine A Project, 2026; [2] engine-b.example; [3] engine-c.example."
    )
    assert [a["href"] for a in listed.select("a")] == [
        citation,
        "https://engine-b.example/releases",
        "https://engine-c.example",
    ]
    assert listed.select_one("a[title]")  # the hover card's full reference


@pytest.mark.sphinx("html", testroot="datatable")
def test_name_is_a_numref_target(app):
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a class="reference internal" href="#tbl-open">.*Table 2', html)


@pytest.mark.sphinx("html", testroot="datatable", srcdir="datatable-dependency")
def test_editing_the_data_rebuilds_the_page(make_app, app_params):
    args, kwargs = app_params
    app = make_app(*args, **kwargs)
    app.build()
    data = app.srcdir / "_data" / "engines.yml"
    assert "_data/engines.yml" in app.env.dependencies["index"]
    data.write_text(data.read_text().replace("Engine B", "Engine Bee"), encoding="utf-8")
    rebuilt = make_app(*args, **{**kwargs, "freshenv": False})
    rebuilt.build()
    assert "Engine Bee" in (rebuilt.outdir / "index.html").read_text(encoding="utf-8")


@pytest.mark.sphinx("html", testroot="datatable", srcdir="datatable-parallel", parallel=2)
def test_parallel_build(app, warning):
    app.build()
    assert warning.getvalue() == ""
    assert len(tables(app)) == 2


@pytest.mark.sphinx("text", testroot="datatable", srcdir="datatable-text")
def test_other_builders_render_it(app, warning):
    app.build()
    assert warning.getvalue() == ""
    text = (app.outdir / "index.txt").read_text(encoding="utf-8")
    assert "Every engine. As of August 2026." in text
    assert "Engine C" in text
    assert "Download all" not in text  # the data files exist only in HTML output


@pytest.mark.sphinx("html", testroot="datatable-errors", confoverrides={"show_warning_types": True})
def test_misuse_and_bad_data_warn_with_a_location(app, warning):
    app.build()
    warnings = warning.getvalue()
    expected = [
        r"index\.md:3: WARNING: unknown column\(s\) \['colour'\]",
        r"index\.md:7: WARNING: bad filter clause 'licence~MIT'",
        r"index\.md:11: WARNING: no rows of _data/engines\.yml match the filter 'licence=GPL-3\.0'",
        r"index\.md:15: WARNING: sort on unknown field 'popularity'",
        r"_data/engines\.yml:32: WARNING: row 4 \(engine-d\), field 'sources': "
        r"unknown bib key 'no-such-key'",
        r"_data/undated\.yml:1: WARNING: row 1 \(x\): every table row needs 'as_of'",
        r"index\.md:24: WARNING: table not rendered: rows of _data/undated\.yml lack as_of",
        r"index\.md:27: WARNING: table not rendered: _data/missing\.yml has 1 problem\(s\): "
        r"data file not found",
    ]
    for pattern in expected:
        assert re.search(pattern + r".*\[sosai\.datatable\]", warnings), pattern
    assert len(tables(app)) == 1  # only the one with the unknown bib key renders


@pytest.mark.sphinx(
    "html",
    testroot="datatable-errors",
    confoverrides={"suppress_warnings": ["sosai.datatable"]},
)
def test_warnings_can_be_suppressed_by_type(app, warning):
    app.build()
    assert "sosai" not in warning.getvalue().replace("could not find bibtex key", "")


@pytest.mark.sphinx("html", testroot="datatable")
def test_html_offers_the_rows_as_csv_and_json(app):
    app.build()
    soup = BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    line = soup.select("p.sosai-downloads")[0]
    assert line.get_text() == "Download all 3 rows of engines: CSV, JSON"
    assert [a["href"] for a in line.select("a")] == ["data/engines.csv", "data/engines.json"]
    csv_lines = (app.outdir / "data" / "engines.csv").read_text(encoding="utf-8").splitlines()
    assert csv_lines[0] == (
        "id,name,licence,backends,stars,open,notes,as_of,sources,source_urls,last_changed"
    )  # last_changed: empty without git history
    assert csv_lines[1].startswith("engine-a,Engine A,Apache-2.0,CUDA; ROCm,48000,true,")
    document = json.loads((app.outdir / "data" / "engines.json").read_text(encoding="utf-8"))
    assert document["as_of"] == "2026-08"
    assert document["columns"]["backends"] == "Back-ends"
    assert len(document["rows"]) == 3
    for row in document["rows"]:  # every source also as a link a reader can open
        assert len(row["source_urls"]) == len(row["sources"])
        assert all(url.startswith("https://") for url in row["source_urls"])


# Its own copy of the project (srcdir), since the test edits the data file.
@pytest.mark.sphinx("html", testroot="datatable", srcdir="datatable-exports")
def test_exports_are_written_again_only_when_their_data_changes(make_app, app_params):
    srcdir = Path(app_params[1]["srcdir"])
    make_app("html", srcdir=srcdir, freshenv=True).build()
    app = make_app("html", srcdir=srcdir)
    exported = app.outdir / "data" / "engines.json"
    first = exported.stat().st_mtime_ns
    app.build()
    assert exported.stat().st_mtime_ns == first  # same data: left as it was
    data = srcdir / "_data" / "engines.yml"
    data.write_text(
        data.read_text(encoding="utf-8").replace("Engine A", "Engine Alpha"), encoding="utf-8"
    )
    make_app("html", srcdir=srcdir).build()
    assert exported.stat().st_mtime_ns > first
    assert "Engine Alpha" in exported.read_text(encoding="utf-8")


# Hostile and careless input (issue #16). This project leaves MyST's raw HTML on (the
# book turns it off in _config.yml): a cell still cannot publish markup.


def edited_app(make_app, rootdir: Path, tmp_path: Path, *replacements: tuple[bytes, bytes]):
    """Build a copy of the project after replacing bytes in its engines.yml."""
    srcdir = tmp_path / "datatable"
    shutil.copytree(rootdir / "test-datatable", srcdir)
    path = srcdir / "_data" / "engines.yml"
    text = path.read_bytes()
    for old, new in replacements:
        text = text.replace(old, new)
    path.write_bytes(text)
    app = make_app("html", srcdir=srcdir, confoverrides={"show_warning_types": True})
    app.build()
    return app


def warning_lines(app) -> list[str]:
    return [
        line.replace(f"{app.srcdir}/", "")
        for line in strip_colors(app._warning.getvalue()).splitlines()
    ]


def test_raw_html_in_a_cell_is_shown_as_text(make_app, rootdir, tmp_path):
    notes = b'notes: "<b onmouseover=alert(1)>Bold</b> and <script>alert(2)</script>"'
    app = edited_app(make_app, rootdir, tmp_path, (b"notes: Plain text.", notes))
    assert warning_lines(app) == []
    cell = cells(tables(app)[0])[1][5]
    assert cell == "<b onmouseover=alert(1)>Bold</b> and <script>alert(2)</script>"
    assert not tables(app)[0].select("b, script")


@pytest.mark.parametrize(
    "target",
    ["javascript:alert(1)", "data:text/html,x", "mailto:a@example.org", "path:conf.py",
     "//example.org/x", "vbscript:msgbox(1)", "file:///etc/passwd"],
)  # fmt: skip
def test_a_cell_links_only_to_web_pages_or_the_book(make_app, rootdir, tmp_path, target):
    notes = f"notes: '[the notes](<{target}>)'".encode()
    app = edited_app(make_app, rootdir, tmp_path, (b"notes: Closed reference point.", notes))
    assert warning_lines(app) == [
        f"_data/engines.yml:25: WARNING: row 3 (engine-c), field 'notes': {target!r} is not an "
        "http(s) URL, so it is not made a link (percent-encode spaces, quotes, brackets and "
        "braces in a URL) [sosai.datatable]"
    ]
    cell = tables(app)[0].select("tbody tr")[2].select("td")[5]
    assert not cell.select("a")
    assert cell.get_text() == f"[the notes](<{target}>)"


def test_a_source_that_is_not_an_http_url_is_not_a_link(make_app, rootdir, tmp_path):
    """The project's schema lets any "http..." source through; the table does not."""
    source = b'"https://engine-b.example/)<script>alert(1)</script>"'
    app = edited_app(make_app, rootdir, tmp_path, (b"https://engine-b.example/releases", source))
    assert warning_lines(app) == [
        "_data/engines.yml:18: WARNING: row 2 (engine-b), field 'sources': "
        "'https://engine-b.example/)<script>alert(1)</script>' is not an http(s) URL, so it "
        "is not made a link (percent-encode spaces, quotes, brackets and braces in a URL) "
        "[sosai.datatable]"
    ]
    cell = tables(app)[0].select("tbody tr")[1].select_one("td p.sosai-sources")
    assert not cell.select("a, script")
    assert cell.get_text() == "https://engine-b.example/)<script>alert(1)</script>"


def test_a_data_file_that_is_not_utf8_is_named_with_its_line(make_app, rootdir, tmp_path):
    app = edited_app(make_app, rootdir, tmp_path, (b"name: Engine B", b"name: Engine \xdf"))
    assert warning_lines(app)[0] == (
        "_data/engines.yml:11: WARNING: not UTF-8 text: byte 0xdf at column 16 of this line "
        "[sosai.data]"
    )
