"""Templates compiled once and never-empty ones rendered once (``sosai.speed.templates``)."""

from __future__ import annotations

from collections import Counter

import pytest
from jinja2 import Environment
from sphinx.jinja2glue import BuiltinTemplateLoader


def build_counting_renders(make_app, srcdir, monkeypatch, extensions) -> tuple:
    renders: Counter[str] = Counter()
    original = BuiltinTemplateLoader.render

    def counting(loader, template, context):
        renders[template] += 1
        return original(loader, template, context)

    monkeypatch.setattr(BuiltinTemplateLoader, "render", counting)
    app = make_app(
        "dirhtml", srcdir=srcdir, confoverrides={"extensions": extensions}, freshenv=True
    )
    app.build(force_all=True)
    monkeypatch.undo()
    pages = {
        path.relative_to(app.outdir).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(app.outdir.rglob("*.html"))
    }
    return pages, renders


@pytest.mark.sphinx("dirhtml", testroot="templates")
def test_pages_are_identical_with_half_the_navigation_renders(make_app, app_params, monkeypatch):
    srcdir = app_params[1]["srcdir"]
    plain_pages, plain = build_counting_renders(make_app, srcdir, monkeypatch, ["myst_parser"])
    pages, renders = build_counting_renders(
        make_app, srcdir, monkeypatch, ["myst_parser", "sosai.speed.templates"]
    )
    assert pages == plain_pages
    written = [page for page in pages if not page.startswith("_static/")]
    assert written == [
        "genindex/index.html",
        "index.html",
        "search/index.html",
        "second/index.html",
    ]
    assert 'aria-label="Main"' in pages["second/index.html"]  # the sidebar navigation
    for template in ("sbt-sidebar-nav.html", "article-header-buttons.html"):
        # Rendered on its own only for the emptiness check (the page includes it).
        assert plain[template] == len(written)
        assert renders[template] == 0


# Its own copy of the project (srcdir): no compiled templates from other tests.
@pytest.mark.sphinx("dirhtml", testroot="templates", srcdir="templates-bytecode")
def test_a_rebuild_loads_compiled_templates(make_app, app_params, monkeypatch):
    srcdir = app_params[1]["srcdir"]
    compiled: list[str] = []
    original = Environment._compile

    def counting(environment, source, filename):
        compiled.append(filename)
        return original(environment, source, filename)

    monkeypatch.setattr(Environment, "_compile", counting)
    first = make_app("dirhtml", srcdir=srcdir, freshenv=True)
    first.build(force_all=True)
    assert any(name.endswith("layout.html") for name in compiled)
    assert list((first.doctreedir / "sosai-templates").iterdir())
    compiled.clear()
    make_app("dirhtml", srcdir=srcdir).build(force_all=True)  # a new process, in effect
    # Only the few templates made from strings (static files ending in _t) have no
    # file to key the cache on; every template file was loaded compiled.
    assert compiled
    assert set(compiled) == {"<template>"}
