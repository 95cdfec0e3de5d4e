"""The theme stylesheet keeps only rules the pages can use (``sosai.website.csssubset``)."""

from __future__ import annotations

import pytest

from sosai.website import csssubset


@pytest.mark.sphinx("dirhtml", testroot="csssubset")
def test_unused_rules_and_icon_font_are_dropped(app, warning):
    app.build()
    assert warning.getvalue() == ""
    css = (app.outdir / "_static" / "theme.css").read_text(encoding="utf-8")
    assert "never-used" not in css
    assert "#nowhere" not in css
    assert "Font Awesome" not in css
    assert "@media print" not in css  # nothing left inside it
    assert "sourceMappingURL" not in css
    assert not (app.outdir / "_static" / "theme.css.map").exists()


@pytest.mark.sphinx("dirhtml", testroot="csssubset")
def test_rules_the_pages_or_scripts_can_use_are_kept(app):
    app.build()
    css = (app.outdir / "_static" / "theme.css").read_text(encoding="utf-8")
    assert "body{margin:0}" in css
    assert ".card{padding:1rem}" in css
    assert ".card{border:1px solid}" in css  # the unused selector of the pair is gone
    assert "#intro{color:navy}" in css
    assert ".menu-open .card{display:none}" in css  # added by menu.js
    assert "p:not(.absent){line-height:1.5}" in css
    assert "@media (min-width:40em){.card{padding:2rem}}" in css
    assert '@font-face{font-family:"Body Font"' in css


@pytest.mark.sphinx("dirhtml", testroot="csssubset")
def test_a_local_import_is_replaced_by_its_rules(app, warning):
    app.build()
    assert warning.getvalue() == ""
    css = (app.outdir / "_static" / "styles" / "entry.css").read_text(encoding="utf-8")
    assert "@import" not in css
    assert "never-used" not in css
    # The imported rules, their url() rebased on styles/, then the file's own rule.
    assert css.split() == [
        ".card{margin:1px}",
        '.card{background:url("../file.png")}',
        ".card{color:blue}",
    ]


@pytest.mark.sphinx(
    "dirhtml", testroot="csssubset", confoverrides={"sosai_css_subset": ["missing.css"]}
)
def test_a_missing_stylesheet_is_reported(app, warning):
    app.build()
    assert "no stylesheet _static/missing.css" in warning.getvalue()


@pytest.mark.sphinx("dirhtml", testroot="csssubset")
def test_the_subset_is_kept_for_the_next_build(app):
    app.build()
    kept = sorted((app.doctreedir / "sosai-csssubset").glob("*.css"))
    assert [path.name.split(".")[0] for path in kept] == ["styles-entry", "theme"]
    for path, name in zip(kept, ["styles/entry.css", "theme.css"], strict=True):
        published = app.outdir / "_static" / name
        assert path.read_text(encoding="utf-8") == published.read_text(encoding="utf-8")


def test_names_are_read_again_only_from_files_that_changed(tmp_path, monkeypatch):
    site = tmp_path / "site"
    (site / "_static").mkdir(parents=True)
    (site / "index.html").write_text('<p class="lead intro">Hi</p>', encoding="utf-8")
    (site / "other.html").write_text('<div id="main">x</div>', encoding="utf-8")
    (site / "_static" / "menu.js").write_text("el.classList.add('open')", encoding="utf-8")
    cache = tmp_path / "cache" / "names.pickle"
    assert csssubset.names_in_use(site, cache) >= {"lead", "intro", "main", "open"}
    read: list[str] = []
    page_names = csssubset._page_names
    monkeypatch.setattr(
        csssubset, "_page_names", lambda page: read.append(page.name) or page_names(page)
    )
    assert csssubset.names_in_use(site, cache) >= {"lead", "intro", "main", "open"}
    assert read == []  # nothing changed: every name came from the cache
    (site / "other.html").write_text('<div id="sidebar">x</div>', encoding="utf-8")
    names = csssubset.names_in_use(site, cache)
    assert read == ["other.html"]
    assert "sidebar" in names
    assert "main" not in names
    cache.write_bytes(b"not a pickle")  # a damaged cache is read as empty
    assert "sidebar" in csssubset.names_in_use(site, cache)
