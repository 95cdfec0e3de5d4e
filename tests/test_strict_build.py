"""Bad input fails the strict build with a message naming the file (and line).

Each case is a mini-book under ``tests/roots/test-book-<case>`` built with the
book's real ``_config.yml`` and extensions (see the ``minibook`` fixture). The good
mini-book builds with no warnings at all, so each failure below is caused by the
one file the case changes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.util.console import strip_colors


def only_warning(build, pattern: str) -> str:
    """The build's warnings match ``pattern``; return the first matching line."""
    assert build.exception is None, build.exception
    lines = build.warning_lines
    assert lines, "expected the strict build to fail, but it had no warnings"
    matching = [line for line in lines if re.search(pattern, line)]
    assert matching, f"no warning matches {pattern!r}:\n" + "\n".join(lines)
    return matching[0]


def test_good_minibook_builds_without_warnings(minibook):
    build = minibook("good")
    assert build.exception is None
    assert build.warning_lines == []
    html = (build.outdir / "chapter" / "index.html").read_text()
    assert 'id="tbl-things"' in html
    assert 'id="fig-things"' in html


def test_unknown_cite_key(minibook):
    line = only_warning(minibook("unknown-cite"), r"no-such-source")
    assert re.search(r"chapter\.md:\d+: WARNING: could not find bibtex key", line)


def test_unknown_glossary_term(minibook):
    line = only_warning(minibook("unknown-term"), r"no such term")
    assert re.search(r"chapter\.md:\d+: WARNING: term not in glossary", line)


@pytest.mark.parametrize("target", ["no-such-section", "no-such-page"])
def test_broken_cross_reference(minibook, target):
    line = only_warning(minibook("broken-xref"), target)
    assert re.search(r"chapter\.md:\d+: WARNING:", line)


def test_malformed_yaml(minibook):
    line = only_warning(minibook("malformed-yaml"), r"things\.yml")
    assert re.search(r"_data/things\.yml:\d+: WARNING: malformed YAML", line)


def test_schema_violation_names_file_row_and_field(minibook):
    line = only_warning(minibook("schema-error"), r"things\.yml")
    assert "_data/things.yml:8: WARNING: row 2 (large), field 'size_b'" in line
    assert "'seventy' is not of type 'number'" in line


def test_figure_without_alt_text(minibook):
    line = only_warning(minibook("figure-no-alt"), r"alt text")
    assert re.search(r"chapter\.md:\d+: WARNING: image '.*diagram\.svg' has no alt text", line)


def test_chapter_missing_from_toc(minibook):
    line = only_warning(minibook("missing-from-toc"), r"forgotten")
    assert "forgotten.md: WARNING: document isn't included in any toctree" in line


# Hostile and careless input (issue #16). Each case is one mistake or attack; the build
# must say what is wrong, where (file and line, row or bib key), once, without a
# traceback, or show the markup as text. ``messages`` gives the warnings as printed,
# with the mini-book's folder left out.

BUILD_EPOCH = "1796342400"  # 2026-12-04 00:00 UTC: the builds are made in December 2026


def build_case(minibook, case: str = "good", **options):
    """A mini-book case, built with each warning's type shown after it."""
    return minibook(case, overrides={"show_warning_types": True}, **options)


def messages(build) -> list[str]:
    """The build's warnings as printed, without colours or the mini-book's folder."""
    assert build.exception is None, build.exception
    assert "Traceback" not in build.warnings
    return [strip_colors(line).replace(f"{build.srcdir}/", "") for line in build.warning_lines]


def page(build, name: str = "chapter") -> BeautifulSoup:
    return BeautifulSoup((build.outdir / name / "index.html").read_text(), "html.parser")


STRAIGHT_QUOTES = str.maketrans("\u201c\u201d\u2018\u2019", "\"\"''")  # undo smart quotes


def text_of(element) -> str:
    """The text a reader sees, with Sphinx's curly quotes made straight again."""
    return element.get_text().translate(STRAIGHT_QUOTES)


def test_raw_html_in_a_chapter_is_shown_as_text(minibook):
    build = build_case(minibook, "raw-html")
    assert messages(build) == []
    article = page(build).select_one("article")
    assert not article.select("script, iframe, img[onerror]")
    text = text_of(article)
    assert '<script>alert("chapter")</script>' in text
    assert 'An inline image <img src="x" onerror="alert(\'inline\')"> and a frame:' in text
    assert '<iframe src="https://example.org/"></iframe>' in text


def test_raw_html_in_a_data_cell_is_shown_as_text(minibook):
    build = build_case(minibook, "raw-html")
    cell = page(build).select_one("table#tbl-things tbody tr:nth-of-type(2) td")
    assert not cell.select("script, img")
    assert text_of(cell) == 'Small <img src="x" onerror="alert(1)"><script>alert(2)</script>'


def test_raw_directive_fails_at_its_line(minibook):
    build = build_case(minibook, "raw-directive")
    assert messages(build) == ['chapter.md:37: WARNING: "raw" directive disabled. [docutils]']
    assert 'alert("raw")' not in (build.outdir / "chapter" / "index.html").read_text()


def test_link_in_a_cell_must_be_http(minibook):
    build = build_case(minibook, "cell-link")
    assert messages(build) == [
        "_data/things.yml:2: WARNING: row 1 (small), field 'name': 'javascript:alert(1)' is "
        "not an http(s) URL, so it is not made a link (percent-encode spaces, quotes, "
        "brackets and braces in a URL) [sosai.datatable]"
    ]
    cell = page(build).select_one("table#tbl-things tbody tr:nth-of-type(2) td")
    assert cell.get_text() == "[Small](javascript:alert(1))"
    assert not cell.select("a")


def test_source_url_cannot_break_out_of_its_link(minibook):
    build = build_case(minibook, "source-url")
    found = messages(build)
    assert found[0] == (
        "_data/things.yml:10: WARNING: row 2 (large), field 'sources': "
        "'https://example.org/)<script>alert(1)</script>' is neither a bib key nor an "
        "http(s) URL (percent-encode spaces, quotes, brackets and braces) [sosai.data]"
    )
    assert "<script>alert(1)" not in (build.outdir / "chapter" / "index.html").read_text()


def test_table_of_an_empty_data_file(minibook):
    found = messages(build_case(minibook, "empty-data"))
    assert found[0] == (
        "chapter.md:15: WARNING: table not rendered: _data/things.yml has no rows [sosai.datatable]"
    )


def test_as_of_after_the_month_of_the_build(minibook, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
    found = messages(build_case(minibook, "future-as-of"))
    assert found[0] == (
        "_data/things.yml:9: WARNING: row 2 (large), field 'as_of': as_of 2099-01 is later "
        "than the month of this build, 2026-12 (as_of is the month the row was checked) "
        "[sosai.data]"
    )


def edit_data(change):
    """An ``edit`` for the minibook fixture: ``change(bytes) -> bytes`` on things.yml."""

    def edit(srcdir: Path) -> None:
        path = srcdir / "_data" / "things.yml"
        path.write_bytes(change(path.read_bytes()))

    return edit


def test_control_character_in_a_data_file(minibook):
    edit = edit_data(lambda text: text.replace(b"name: Large", b"name: Lar\x1bge"))
    found = messages(build_case(minibook, edit=edit))
    assert found[0] == (
        "_data/things.yml:7: WARNING: malformed YAML: character U+001B is not allowed "
        "(YAML cannot hold control characters) [sosai.data]"
    )


def test_key_written_twice_in_a_row(minibook):
    edit = edit_data(lambda text: text.replace(b"  size_b: 70\n", b"  size_b: 70\n  name: Huge\n"))
    found = messages(build_case(minibook, edit=edit))
    assert found[0] == (
        "_data/things.yml:9: WARNING: row 2 (large), field 'name': key 'name' written twice "
        "(first on line 7); YAML would keep only the last value [sosai.data]"
    )


BILLION_LAUGHS = (
    b'- &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    + b"".join(b"- &%c [%s]\n" % (98 + i, b", ".join([b"*%c" % (97 + i)] * 9)) for i in range(8))
)


def test_alias_bomb_stops_early(minibook):
    assert len(BILLION_LAUGHS) < 700
    build = build_case(minibook, edit=edit_data(lambda text: BILLION_LAUGHS))
    found = messages(build)
    assert found[0] == (
        "_data/things.yml:6: WARNING: too large once its YAML aliases are expanded: "
        "490,329,055 values and 1,307,544,147 characters (at most 100,000 and 1,000,000) "
        "[sosai.data]"
    )
    assert len(build.warnings) < 10_000


def test_bib_url_must_be_http(minibook):
    build = build_case(minibook, "bib-url")
    assert messages(build) == [
        "references.bib:5: WARNING: entry 'small-models': url 'javascript:alert(1)' is not "
        "an http(s) URL, so it is left out (percent-encode spaces, quotes, brackets and "
        "braces) [sosai.bib]"
    ]
    html = (build.outdir / "references" / "index.html").read_text()
    assert "javascript:" not in html


def test_unbalanced_braces_in_the_bibliography_name_the_entry_and_field(minibook):
    build = build_case(minibook, "bib-braces")
    assert messages(build) == [
        "references.bib:10: WARNING: entry 'large-models', field 'title': a '{' is never "
        "closed (the next field starts on line 11) [sosai.bib]"
    ]
    entries = page(build, "references").select("div.citation")
    assert len(entries) == 3  # the entry and the one after it are still read


def test_missing_year_is_reported_at_the_bib_entry(minibook):
    build = build_case(minibook, "bib-missing-year")
    assert messages(build) == [
        "references.bib:3: WARNING: entry 'small-models' (@article) has no year, which the "
        "style needs [sosai.bib]"
    ]


def test_image_without_alt_text_in_a_paragraph_has_a_line(minibook):
    found = messages(build_case(minibook, "image-no-alt-inline"))
    assert found == [
        "chapter.md:37: WARNING: image '_static/img/diagram.svg' has no alt text; describe "
        "what it shows with :alt: [sosai.alt]"
    ]


def test_a_data_file_that_is_not_utf8_fails_with_one_located_message(minibook):
    # The whole mini-book, git history and contributors included, not just the table.
    edit = edit_data(lambda text: text.replace(b"name: Large", b"name: L\xe4rge"))
    found = messages(build_case(minibook, edit=edit))
    assert found[0] == (
        "_data/things.yml:7: WARNING: not UTF-8 text: byte 0xe4 at column 10 of this line "
        "[sosai.data]"
    )
