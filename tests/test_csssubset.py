"""The theme stylesheet keeps only rules the pages can use (``sosai.csssubset``)."""

from __future__ import annotations

import pytest


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


@pytest.mark.sphinx(
    "dirhtml", testroot="csssubset", confoverrides={"sosai_css_subset": ["missing.css"]}
)
def test_a_missing_stylesheet_is_reported(app, warning):
    app.build()
    assert "no stylesheet _static/missing.css" in warning.getvalue()


@pytest.mark.sphinx("dirhtml", testroot="csssubset")
def test_the_subset_is_kept_for_the_next_build(app):
    app.build()
    kept = list((app.doctreedir / "sosai-csssubset").glob("*.css"))
    assert len(kept) == 1
    published = app.outdir / "_static" / "theme.css"
    assert kept[0].read_text(encoding="utf-8") == published.read_text(encoding="utf-8")
