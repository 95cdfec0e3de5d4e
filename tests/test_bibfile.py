"""Reading the ``.bib`` files strictly (``sosai.features.bibfile``): each problem at its line.

Whole builds of these cases are in ``tests/test_strict_build.py`` (``bib-*``).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from pybtex.database.input.bibtex import Parser

from sosai.features import bibfile
from tests.conftest import BOOK

ENTRIES = """\
% Two entries.

@online{alpha,
  author = {{Alpha Lab}},
  title = {Alpha},
  year = {2026},
  url = {https://example.org/alpha}
}

@online{beta,
  author = {{Beta Lab}},
  title = {Beta},
  year = {2025},
  url = {https://example.org/beta}
}
"""


def read(text: str, folder: Path) -> tuple[list[bibfile.BibProblem], Parser]:
    """What :func:`bibfile.read` makes of ``text``: its problems, and the parser."""
    path = folder / "refs.bib"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    parser = Parser("utf-8-sig")
    found = bibfile.read(path, "utf-8-sig", parser)
    return found, parser


def test_a_good_file_has_no_problems_and_reads_as_pybtex_reads_it(tmp_path):
    found, parser = read(ENTRIES, tmp_path)
    assert found == []
    assert list(parser.data.entries) == ["alpha", "beta"]
    assert bibfile.entry_location("Beta") == f"{tmp_path}/refs.bib:10"


def test_the_books_bibliography_reads_exactly_as_pybtex_reads_it():
    path = BOOK / "references.bib"
    spans, found, repaired = bibfile.scan(path, path.read_text(encoding="utf-8-sig"))
    assert found == []
    assert repaired == path.read_text(encoding="utf-8-sig")  # nothing to add
    ours, theirs = Parser("utf-8-sig"), Parser("utf-8-sig")
    assert bibfile.read(path, "utf-8-sig", ours) == []
    theirs.parse_file(str(path))
    assert ours.data.to_string("bibtex") == theirs.data.to_string("bibtex")
    assert len(spans) == len(theirs.data.entries)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "title = {Alpha},",
            "title = {Alpha {Lab},",
            (5, "entry 'alpha', field 'title': a '{' is never closed (the next field "
                "starts on line 6)"),
        ),
        (
            "url = {https://example.org/alpha}",
            "url = {https://example.org/alpha",
            (7, "entry 'alpha', field 'url': a '{' is never closed (the entry runs into the "
                "next entry, on line 10)"),
        ),
        (
            "url = {https://example.org/alpha}\n}",
            "url = {https://example.org/alpha}\n",
            (3, "entry 'alpha': a '{' is never closed (the entry runs into the next entry, "
                "on line 10)"),
        ),
        (
            "title = {Alpha},",
            "title = {Alpha}},",
            (5, "entry 'alpha' is closed on this line by a '}' too many: line 6 after it is "
                "outside any entry"),
        ),
        (
            "year = {2026},",
            "year = {2026}",
            (6, "entry 'alpha', field 'year': no ',' after its value"),
        ),
        (
            "@online{beta,",
            "@online{alpha,",
            (10, "entry 'alpha' written twice (first on line 3); the second is left out"),
        ),
        (
            "year = {2026},",
            "year = {2026},\n  Year = {2024},",
            (7, "entry 'alpha': field 'year' written twice (first on line 6)"),
        ),
        ("year = {2026},", "year = twenty,", (6, "entry 'alpha': undefined string: twenty")),
    ],
    ids=["field-open", "last-field-open", "entry-open", "closed-early", "comma",
         "key-twice", "field-twice", "pybtex-error"],
)  # fmt: skip
def test_each_problem_is_one_message_at_its_line(tmp_path, old, new, expected):
    found, _ = read(ENTRIES.replace(old, new, 1), tmp_path)
    assert [(p.line, p.message) for p in found] == [expected]


def test_an_entry_open_at_the_end_of_the_file(tmp_path):
    found, _ = read(ENTRIES.removesuffix("}\n"), tmp_path)
    assert [(p.line, p.message) for p in found] == [
        (10, "entry 'beta': a '{' is never closed (the entry runs into the end of the file)")
    ]


def test_after_a_brace_problem_every_entry_is_still_read(tmp_path):
    found, parser = read(ENTRIES.replace("title = {Alpha},", "title = {Alpha {Lab},"), tmp_path)
    assert len(found) == 1
    assert list(parser.data.entries) == ["alpha", "beta"]
    assert str(parser.data.entries["alpha"].fields["title"]) == "Alpha {Lab}"
    assert str(parser.data.entries["alpha"].fields["year"]) == "2026"


def test_bytes_that_are_not_utf8(tmp_path):
    found, parser = read(ENTRIES.replace("Beta Lab", "B\udce9ta Lab"), tmp_path)
    assert [(p.line, p.message) for p in found] == [
        (11, "not UTF-8 text: byte 0xe9 at column 15 of this line")
    ]
    assert "beta" in parser.data.entries


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "alpha.html"])
def test_a_url_that_is_not_http_is_dropped(tmp_path, url):
    found, parser = read(ENTRIES.replace("https://example.org/alpha", url), tmp_path)
    assert [(p.line, p.message) for p in found] == [
        (7, f"entry 'alpha': url {url!r} is not an http(s) URL, so it is left out "
            "(percent-encode spaces, quotes, brackets and braces)")
    ]  # fmt: skip
    assert "url" not in parser.data.entries["alpha"].fields


def test_a_file_with_problems_is_read_again_by_the_next_build(tmp_path):
    good, bad = tmp_path / "good.bib", tmp_path / "bad.bib"
    good.write_text(ENTRIES)
    bad.write_text(ENTRIES.replace("alpha", "gamma").replace("beta", "delta").replace("}\n}", "}"))
    data = bibfile.parse_bibdata([good, bad], "utf-8-sig")
    assert data.bibfiles[good].mtime == good.stat().st_mtime
    assert data.bibfiles[bad].mtime == -math.inf  # never up to date: reported every build
    assert list(data.data.entries) == ["alpha", "beta", "gamma", "delta"]


def test_entry_location_reads_the_files_when_this_process_did_not(tmp_path, monkeypatch):
    """An unchanged bibliography is not read again; its entries are still located."""
    path = tmp_path / "refs.bib"
    path.write_text(ENTRIES)
    monkeypatch.setattr(bibfile, "_paths", [path])
    monkeypatch.setattr(bibfile, "_locations", {})
    assert bibfile.entry_location("alpha") == f"{path}:3"
    assert bibfile.entry_location("gamma") is None
