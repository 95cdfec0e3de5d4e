"""Bad input fails the strict build with a message naming the file (and line).

Each case is a mini-book under ``tests/roots/test-book-<case>`` built with the
book's real ``_config.yml`` and extensions (see the ``minibook`` fixture). The good
mini-book builds with no warnings at all, so each failure below is caused by the
one file the case changes.
"""

from __future__ import annotations

import re

import pytest


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
