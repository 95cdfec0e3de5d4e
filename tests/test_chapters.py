"""Every written chapter meets the book's bar (CONTRIBUTING, "What a chapter needs").

Checked in the built HTML.

A chapter still holding its one-line stub is reported as skipped, so the suite
says how many chapters are left to write.
"""

from __future__ import annotations

import re

import pytest

from sosai.features import data
from tests.conftest import BOOK, chapters

# The root, the glossary, the references, "What's new", the data downloads and the
# "will it fit?" calculator are not chapters.
NOT_CHAPTERS = {"index", "glossary", "references", "whats-new", "datasets", "will-it-fit"}
CHAPTERS = [d for d in chapters() if d not in NOT_CHAPTERS]
STUB = "is being written"
MIN_WORDS, MIN_CITATIONS = 3000, 25
REQUIRED_SECTIONS = ("How to choose", "Open questions", "What changed since 2023")


def prose_words(source: str) -> int:
    """Words of prose in MyST source: directives' options, labels and comments left out."""
    text = re.sub(r"^(:[a-z-]+:.*|\(.*\)=|%.*|```.*|:::.*)$", "", source, flags=re.MULTILINE)
    text = re.sub(r"\{[a-z:]+\}`[^`]*`", "x", text)  # a role counts as one word
    return len(text.split())


@pytest.fixture(params=CHAPTERS)
def chapter(request, built_book):
    name = request.param
    source = (BOOK / f"{name}.md").read_text(encoding="utf-8")
    if STUB in source and len(source.split()) < 100:
        pytest.skip(f"{name}.md is still a stub")
    return name, source, built_book.html(f"{name}/index.html").select_one("article")


def test_shape_one_h1_tldr_and_closing_sections(chapter):
    name, _, article = chapter
    assert len(article.select("h1")) == 1
    first = article.select_one("section > div.admonition")
    assert first is not None, "a TL;DR admonition comes first"
    assert first.select_one(".admonition-title").get_text(strip=True) == "TL;DR"
    assert 3 <= len(first.select(":scope > ul > li")) <= 6
    headings = [h.get_text(strip=True).rstrip("#") for h in article.select("h2")]
    for required in REQUIRED_SECTIONS:
        assert any(h.startswith(required) for h in headings), f"{name}: no '{required}' section"


def test_length_and_sources(chapter):
    name, source, _ = chapter
    assert prose_words(source) >= MIN_WORDS, name
    keys = set()
    for found in re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", source):
        keys.update(k.strip() for k in found.split(","))
    for path in set(re.findall(r"```\{data-table\}\s+(\S+)", source)):
        for row in data.load(BOOK / path).rows:
            keys.update(s for s in row.get("sources", []) if not s.startswith("http"))
    assert len(keys) >= MIN_CITATIONS, f"{name}: {len(keys)} distinct citations"


def test_tables_and_figures(chapter):
    name, _, article = chapter
    assert article.select("table.sosai-data-table"), f"{name}: no data table"
    figures = article.select("figure")
    assert figures, f"{name}: no figure"
    for figure in figures:
        assert figure.select_one("figcaption"), f"{name}: a figure without caption"


def test_landing_page_says_how_current_the_book_is_and_where_to_start(built_book):
    source = (BOOK / "index.md").read_text(encoding="utf-8")
    assert prose_words(source) >= 1200  # the landing page is a page of substance
    article = built_book.html("index.html").select_one("article")
    opening = " ".join(p.get_text(" ", strip=True) for p in article.select("section > p")[:5])
    assert "How current it is" in opening
    assert "Where to start" in opening
    year = article.select_one("section#the-year-in-one-page")
    assert year is not None
    assert len(year.get_text(" ", strip=True).split()) >= 700
    assert len(year.select(".bibtex-citation")) >= 25  # the year's facts are sourced
