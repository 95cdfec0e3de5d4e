"""``{numref}`` resolution reads each target page once (``sosai.fastnumref``)."""

from __future__ import annotations

import pickle
from collections import Counter

import pytest
from bs4 import BeautifulSoup
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors.toctree import TocTreeCollector


def count_doctree_reads(monkeypatch) -> Counter[str]:
    """Count, per page, the doctrees read from disk from now on."""
    reads: Counter[str] = Counter()
    original = BuildEnvironment.get_doctree

    def counting(env, docname):
        reads[docname] += 1
        return original(env, docname)

    monkeypatch.setattr(BuildEnvironment, "get_doctree", counting)
    return reads


def build_counting_reads(make_app, srcdir, monkeypatch, **confoverrides) -> tuple:
    reads = count_doctree_reads(monkeypatch)
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
    # Sphinx alone reads it once per numref and once more to number figures; with
    # the extension it is read once for the numrefs and once to be written.
    assert (plain["index"], fast["index"]) == (6, 2)


@pytest.mark.sphinx("html", testroot="fastnumref")
def test_figures_are_numbered_from_skeletons_as_sphinx_numbers_them(
    make_app, app_params, monkeypatch
):
    srcdir = app_params[1]["srcdir"]
    app, _ = build_counting_reads(make_app, srcdir, monkeypatch)
    assert app._warning.getvalue() == ""
    env = app.env
    from_skeletons = env.toc_fignumbers
    assert from_skeletons == {
        "index": {"table": {"tbl-first": (1,), "tbl-second": (2,)}},
        "other": {
            "figure": {"fig-square": (1,)},
            "table": {"tbl-third": (3,)},
            "code-block": {"code-hello": (1,)},
        },
    }
    # Sphinx's own walk over the unpickled doctrees gives the same numbers...
    collector = TocTreeCollector()
    sphinx_walk = TocTreeCollector.assign_figure_numbers.__wrapped__
    sphinx_walk(collector, env)
    assert env.toc_fignumbers == from_skeletons
    # ...but the skeleton walk reads no doctree from disk.
    reads = count_doctree_reads(monkeypatch)
    assert TocTreeCollector.assign_figure_numbers(collector, env) == []
    assert reads == Counter()
    assert env.toc_fignumbers == from_skeletons
    # The skeletons are kept in the environment alone, not with their pages.
    skeletons = env.sosai_numbering_skeletons
    assert set(skeletons) == {"index", "other"}
    assert all(node.document is None for s in skeletons.values() for node in s.findall())
    assert len(pickle.dumps(skeletons)) < len(pickle.dumps(env.get_doctree("other"))) / 2
