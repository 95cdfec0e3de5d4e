"""``{numref}`` resolution reads each target page once (``sosai.fastnumref``)."""

from __future__ import annotations

from collections import Counter

import pytest
from bs4 import BeautifulSoup
from sphinx.environment import BuildEnvironment


def build_counting_reads(make_app, srcdir, monkeypatch, **confoverrides) -> tuple:
    reads: Counter[str] = Counter()
    original = BuildEnvironment.get_doctree

    def counting(env, docname):
        reads[docname] += 1
        return original(env, docname)

    monkeypatch.setattr(BuildEnvironment, "get_doctree", counting)
    app = make_app("html", srcdir=srcdir, confoverrides=confoverrides, freshenv=True)
    app.build()
    monkeypatch.undo()
    return app, reads


@pytest.mark.sphinx("html", testroot="fastnumref")
def test_four_numrefs_read_the_target_page_once(make_app, app_params, monkeypatch):
    srcdir = app_params[1]["srcdir"]
    app, fast = build_counting_reads(make_app, srcdir, monkeypatch)
    assert app._warning.getvalue() == ""
    soup = BeautifulSoup((app.outdir / "other.html").read_text(encoding="utf-8"), "html.parser")
    links = [a.get_text() for a in soup.select("a.reference.internal") if "Table" in a.get_text()]
    assert links == ["Table 1", "Table 2", "Table 1", "Table 2"]
    _, plain = build_counting_reads(make_app, srcdir, monkeypatch, extensions=["myst_parser"])
    assert plain["index"] - fast["index"] == 3  # Sphinx alone reads it once per numref
