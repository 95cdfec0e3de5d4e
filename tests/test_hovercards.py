"""Hover cards for terms and citations, and "Cited in" back-links.

``sosai.features.hovercards`` and ``sosai.features.citedin`` on ``tests/roots/test-hovercards``.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sphinx.util.console import strip_colors

from sosai.features.hovercards import GlossaryRecords, shorten


def page(app, name: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


@pytest.mark.sphinx("html", testroot="hovercards")
def test_term_links_carry_their_definition(app, warning):
    app.build()
    assert warning.getvalue() == ""
    link = page(app, "index").select_one("a.sosai-term")
    assert link["href"] == "glossary.html#term-KV-cache"
    assert link["title"] == "KV cache: The per-request store of attention keys and values."
    synonym = page(app, "chapter").select("a.sosai-term")[1]
    assert synonym["title"].startswith("KV store:")


@pytest.mark.sphinx("html", testroot="hovercards")
def test_citations_in_a_definition_read_author_and_year_never_the_key(app, warning):
    app.build()
    assert warning.getvalue() == ""
    card = page(app, "chapter").select("a.sosai-term")[-1]["title"]
    assert card == (
        "Paged attention: Stores the KV cache in fixed-size blocks "
        "(M\u00fcller and Baker, 2024; Zed et al., 2025), as Zed et al. (2025) did."
    )


@pytest.mark.sphinx("html", testroot="hovercards")
def test_script_and_styles_are_published(app):
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert "sosai-hovercards.js" in html
    assert "sosai-hovercards.css" in html
    script = (app.outdir / "_static" / "sosai-hovercards.js").read_text(encoding="utf-8")
    assert 'setAttribute("aria-describedby"' in script
    assert '"Escape"' in script


@pytest.mark.sphinx("html", testroot="hovercards", srcdir="hovercards-incremental")
def test_editing_the_glossary_updates_pages_that_use_the_term(make_app, app_params):
    args, kwargs = app_params
    app = make_app(*args, **kwargs)
    app.build()
    glossary = app.srcdir / "glossary.md"
    glossary.write_text(glossary.read_text().replace("attention keys", "cached keys"))
    rebuilt = make_app(*args, **{**kwargs, "freshenv": False})
    rebuilt.build()
    assert "cached keys" in page(rebuilt, "chapter").select_one("a.sosai-term")["title"]
    # The pages using the term are written again, not read again: reading costs more.
    status = strip_colors(rebuilt.status.getvalue())
    reading = [line for line in status.splitlines() if line.startswith("reading sources")]
    assert any("glossary" in line for line in reading)
    assert not any("chapter" in line for line in reading)


@pytest.mark.sphinx("html", testroot="hovercards")
def test_each_reference_lists_the_pages_citing_it(app):
    app.build()
    entries = page(app, "references").select("div.citation")
    cited = next(e for e in entries if "paging the kv cache" in e.get_text().lower())
    links = cited.select("p.sosai-cited-in a")
    assert [a.get_text() for a in links] == ["Home", "Chapter"]
    home = page(app, "index").select_one(".bibtex-citation")
    assert links[0]["href"] == f"index.html#{home['id']}"
    uncited = next(e for e in entries if "Uncited" in e.get_text())
    assert uncited.select("p.sosai-cited-in") == []


def test_shorten_cuts_at_a_word():
    assert shorten("one  two\nthree") == "one two three"
    assert shorten("alpha beta gamma delta", limit=12) == "alpha beta…"


@pytest.mark.sphinx("html", testroot="hovercards", parallel=2)
def test_definitions_from_parallel_readers_are_merged(app, warning):
    """Pages read by different processes: the records (GlossaryRecords) are merged."""
    app.build()
    assert warning.getvalue() == ""
    records = GlossaryRecords.of(app.env)
    assert records["glossary"]["definitions"]  # the glossary page's terms
    assert records["chapter"]["uses_terms"]  # a page that links to a term
    assert page(app, "index").select_one("a.sosai-term")["title"] == (
        "KV cache: The per-request store of attention keys and values."
    )
