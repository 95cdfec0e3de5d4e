"""The ``sosai`` bibliography style (``features.bibstyle``), on ``tests/roots/test-bibstyle``."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from sosai.features import bibstyle


@pytest.fixture
def entries(app) -> list:
    app.build()
    soup = BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    return soup.select("div.citation")


@pytest.mark.sphinx("html", testroot="bibstyle")
def test_sorted_by_author_then_year(app, warning, entries):
    assert warning.getvalue() == ""
    firsts = [
        e.select_one("p").get_text().split(",")[0].split(" and ")[0].split(".")[0] for e in entries
    ]
    assert firsts == ["Ann Able", "Meta AI", "Zara Zed", "Zoe Zwicky et al"]


@pytest.mark.sphinx("html", testroot="bibstyle")
def test_long_author_lists_end_with_et_al(entries):
    text = entries[2].get_text(" ", strip=True)
    assert "Zara Zed, Yan Young, Xia Xu et al." in text
    assert "Wei Wu" not in text
    assert "Ann Able and Bo\u00a0Baker" in entries[0].get_text()  # pybtex ties short names


@pytest.mark.sphinx("html", testroot="bibstyle")
def test_titles_keep_their_capitals(entries):
    assert "Training vLLM-Style Engines at Scale" in entries[2].get_text()
    assert "GGUF in Practice" in entries[0].get_text()


@pytest.mark.sphinx("html", testroot="bibstyle")
def test_urls_dois_and_arxiv_ids_are_links(entries):
    assert entries[0].select_one("a[href='https://doi.org/10.1234/example.5678']")
    assert entries[1].select_one("a[href='https://example.org/llama4']")
    assert entries[2].select_one("a[href='https://arxiv.org/abs/2501.00001']")


@pytest.mark.sphinx("html", testroot="bibstyle")
def test_only_cited_sources_are_listed(app, entries):
    assert len(entries) == 4
    assert all("No Page Cites" not in e.get_text() for e in entries)


@pytest.mark.sphinx("html", testroot="bibstyle")
def test_and_others_reads_et_al_in_the_list_and_in_the_text(app, entries):
    assert entries[3].select_one("p").get_text().startswith("Zoe Zwicky et al. A Paper")
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert "and others" not in html.replace("Listing One Author and Others", "")
    soup = BeautifulSoup(html, "html.parser")
    cites = [c.get_text() for c in soup.select("article .bibtex-citation, .body .bibtex-citation")]
    assert "[Zwicky et al., 2023]" in cites


@pytest.mark.sphinx("html", testroot="bibstyle", srcdir="bibstyle-cache")
def test_formatted_entries_are_saved_only_when_new_ones_were_formatted(make_app, app_params):
    srcdir = Path(app_params[1]["srcdir"])
    app = make_app("html", srcdir=srcdir, freshenv=True)
    app.build(force_all=True)
    cache = Path(app.doctreedir) / bibstyle.CACHE_FILE
    saved = cache.stat().st_mtime_ns
    again = make_app("html", srcdir=srcdir)
    again.build(force_all=True)  # every entry formatted again, all found in the cache
    assert cache.stat().st_mtime_ns == saved
    bib = srcdir / "refs.bib"
    text = bib.read_text(encoding="utf-8")
    bib.write_text(text.replace("GGUF in Practice", "GGUF in Practice, Revised"), "utf-8")
    edited = make_app("html", srcdir=srcdir)
    edited.build()
    assert cache.stat().st_mtime_ns > saved  # the edited entry was formatted and kept


@pytest.mark.sphinx("html", testroot="bibstyle")
def test_urldate_reads_accessed_with_the_day_spelt_out(entries):
    llama = entries[1].get_text(" ", strip=True)
    assert "accessed 4 December 2026" in llama
    assert "visited on" not in llama
    assert "accessed" not in entries[0].get_text()  # a DOI-only entry has no urldate


def test_accessed_label_keeps_what_is_not_a_real_day():
    assert bibstyle.accessed_label("2026-01-09") == "9 January 2026"
    assert bibstyle.accessed_label("2026-02-30") == "2026-02-30"
    assert bibstyle.accessed_label("last week") == "last week"
