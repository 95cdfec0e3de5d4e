"""The ``cite`` domain with indexed look-ups and kept citations (``sosai.speed.bibdomain``).

On ``tests/roots/test-bibstyle``, each test on its own copy (``srcdir``), since the
kept citations live in the project's doctree folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinxcontrib.bibtex import domain as upstream

from sosai.speed import bibdomain
from sosai.speed.bibdomain import IndexedBibtexDomain

BIBSTYLE_ONLY = ["myst_parser", "sphinxcontrib.bibtex", "sosai.features.bibstyle"]


def build(make_app, srcdir, **confoverrides):
    app = make_app("html", srcdir=srcdir, confoverrides=confoverrides)
    app.build(force_all=True)
    # A second app in one test re-registers Sphinx's nodes, which it warns about.
    warnings = app._warning.getvalue().splitlines()
    assert [w for w in warnings if "is already registered" not in w] == []
    return app, (app.outdir / "index.html").read_text(encoding="utf-8")


def counting_formats(monkeypatch) -> list[str]:
    calls: list[str] = []
    original = upstream.format_references

    def counting(style, role_name, references):
        calls.append(role_name)
        return original(style, role_name, references)

    monkeypatch.setattr(upstream, "format_references", counting)
    return calls


@pytest.mark.sphinx("html", testroot="bibstyle", srcdir="bibdomain-same")
def test_pages_are_the_same_as_with_sphinxcontrib_bibtex_alone(make_app, app_params):
    srcdir = app_params[1]["srcdir"]
    _, plain = build(make_app, srcdir, extensions=BIBSTYLE_ONLY)
    app, indexed = build(make_app, srcdir)
    assert isinstance(app.env.get_domain("cite"), IndexedBibtexDomain)
    assert indexed == plain
    cites = [c.get_text() for c in BeautifulSoup(indexed, "html.parser").select(".bibtex-citation")]
    # In sphinxcontrib-bibtex's order (its list of citations), which this keeps.
    assert cites == [
        "[Zed et al., 2025]",
        "[Meta AI, 2025]",
        "[Able and Baker, 2024]",
        "[Zwicky et al., 2023]",
        "[Able and Baker, 2024, p. 3, see Zed et al., 2025]",
        "Meta AI [2025]",
    ]


@pytest.mark.sphinx("html", testroot="bibstyle", srcdir="bibdomain-kept")
def test_a_rebuild_reuses_resolved_citations(make_app, app_params, monkeypatch):
    srcdir = app_params[1]["srcdir"]
    calls = counting_formats(monkeypatch)
    app, first = build(make_app, srcdir)
    assert sorted(calls) == ["p", "p", "p", "p", "p", "t"]
    assert (Path(app.doctreedir) / bibdomain.CACHE_FILE).is_file()
    calls.clear()
    _, again = build(make_app, srcdir)
    assert calls == []
    assert again == first


@pytest.mark.sphinx("html", testroot="bibstyle", srcdir="bibdomain-edited")
def test_an_edited_source_is_cited_afresh(make_app, app_params, monkeypatch):
    srcdir = Path(app_params[1]["srcdir"])
    calls = counting_formats(monkeypatch)
    build(make_app, srcdir)
    bib = srcdir / "refs.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("Able, Ann", "Ashe, Ann"), "utf-8")
    calls.clear()
    _, html = build(make_app, srcdir)
    assert calls == ["p", "p"]  # the two citations of the edited source
    assert "Ashe and Baker, 2024" in html
    assert "Able" not in html
    # The citations of the source as it was are no longer kept.
    assert [key for key in bibdomain.INTEXT if "Able" in repr(key)] == []
    assert len(bibdomain.INTEXT) == 6
