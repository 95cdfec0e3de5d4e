"""``{numref}`` resolution reads each target page once (``sosai.speed.fastnumref``)."""

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


@pytest.mark.sphinx("html", testroot="fastnumref")
def test_skeletons_survive_parallel_and_incremental_builds(make_app, app_params):
    """Skeletons are per-page records (sosai.shared.PageRecords, read at priority 900)."""
    srcdir = app_params[1]["srcdir"]
    # Sphinx reads in parallel only for more than five pages: add six, one table each.
    extra = [f"extra{n}" for n in range(6)]
    for n, name in enumerate(extra):
        (srcdir / f"{name}.md").write_text(
            f"# Extra {n}\n\n```{{table}} Extra {n}\n:name: tbl-extra{n}\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |\n```\n",
            encoding="utf-8",
        )
    index = srcdir / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace("other\n", "other\n" + "\n".join(extra) + "\n"),
        encoding="utf-8",
    )
    app = make_app("html", srcdir=srcdir, freshenv=True, parallel=2)
    app.build()
    assert app._warning.getvalue() == ""
    assert set(app.env.sosai_numbering_skeletons) == {"index", "other", *extra}  # merged
    numbers = {d: n.get("table") for d, n in app.env.toc_fignumbers.items()}
    assert numbers["extra5"] == {"tbl-extra5": (9,)}
    # A page read again replaces its skeleton; the others are kept, and numbering
    # (which now walks only skeletons) follows the change.
    (srcdir / "extra0.md").write_text("# Extra 0\n\nNo table any more.\n", encoding="utf-8")
    app = make_app("html", srcdir=srcdir)
    app.build()
    assert "extra0" in app.env.sosai_numbering_skeletons
    numbers = {d: n.get("table") for d, n in app.env.toc_fignumbers.items()}
    assert "extra0" not in numbers
    assert numbers["extra5"] == {"tbl-extra5": (8,)}
    # A removed page's skeleton goes with it.
    (srcdir / "extra5.md").unlink()
    index.write_text(index.read_text(encoding="utf-8").replace("extra5\n", ""), encoding="utf-8")
    app = make_app("html", srcdir=srcdir)
    app.build()
    assert "extra5" not in app.env.sosai_numbering_skeletons
    assert set(app.env.sosai_numbering_skeletons) == {"index", "other", *extra[:5]}
