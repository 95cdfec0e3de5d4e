"""The book's theme overrides stay in step with the installed theme.

- ``_static/icons.css`` is what ``tools/icons.py`` generates from the theme's icons;
- ``_templates/static/webpack-macros.html`` is the theme's file minus Font Awesome;
- ``_templates/layout.html`` keeps the theme's ``extrahead`` minus the search scripts;
- ``_templates/search-button-field.html`` is the theme's minus its ``aria-label``.
"""

from __future__ import annotations

from pathlib import Path

import pydata_sphinx_theme

from tests.conftest import BOOK
from tools import icons

THEME = Path(pydata_sphinx_theme.__file__).parent / "theme/pydata_sphinx_theme"
THEME_MACROS = THEME / "static/webpack-macros.html"
OUR_MACROS = BOOK / "_templates" / "static" / "webpack-macros.html"


def test_icons_css_is_up_to_date():
    assert (BOOK / "_static" / "icons.css").read_text(encoding="utf-8") == icons.render(), (
        "run `python tools/icons.py`"
    )


def test_every_listed_icon_exists_in_the_theme():
    table = icons.icons()
    missing = [n for n in icons.SOLID if ("s", n) not in table]
    missing += [n for n in icons.BRANDS if ("b", n) not in table]
    assert missing == []


def test_macro_override_is_the_theme_file_minus_font_awesome():
    theirs = [
        line
        for line in THEME_MACROS.read_text(encoding="utf-8").splitlines()
        if "fontawesome.js" not in line and "custom icons" not in line
    ]
    ours = [line for line in OUR_MACROS.read_text(encoding="utf-8").splitlines()]
    ours = ours[ours.index("<!--") :]  # after our explanatory Jinja comment
    assert ours == theirs, (
        "the theme changed its macros: update _templates/static/webpack-macros.html"
    )


def test_built_pages_load_no_font_awesome_script(built_book):
    for page in built_book.pages():
        assert "fontawesome.js" not in (built_book.outdir / page).read_text(encoding="utf-8")


def extrahead(template: str) -> list[str]:
    """The non-blank lines of a template's ``extrahead`` block."""
    block = template.split("{%- block extrahead %}")[1].split(
        "{%- endblock extrahead %}", maxsplit=1
    )[0]
    return [line.strip() for line in block.splitlines() if line.strip()]


def test_layout_override_is_the_theme_extrahead_minus_search_scripts():
    theirs = extrahead((THEME / "layout.html").read_text(encoding="utf-8"))
    kept = [
        line
        for line in theirs
        if not any(s in line for s in ("searchtools.js", "language_data.js", "searchindex.js"))
        and not line.startswith(("{% if pagename == 'search'", "{% else %}", "{% endif %}", "{#"))
        and "Search tools are already" not in line
        and "Sphinx's built-in search tools" not in line
        and "experience can work on any page" not in line
    ]
    ours = extrahead((BOOK / "_templates" / "layout.html").read_text(encoding="utf-8"))
    assert ours == kept


def test_only_the_search_page_loads_the_search_index(built_book):
    for page in built_book.pages():
        html = (built_book.outdir / page).read_text(encoding="utf-8")
        assert ("searchindex.js" in html) == (page.parts[0] == "search"), page


def test_search_button_override_is_the_theme_component_minus_aria_label():
    theirs = (THEME / "components" / "search-button-field.html").read_text(encoding="utf-8")
    ours = (BOOK / "_templates" / "search-button-field.html").read_text(encoding="utf-8")
    ours = ours[ours.index("-#}") + 4 :]  # after our explanatory comment
    assert ours == theirs.replace(""" aria-label="{{ _('Search') }}\"""", "")


def test_search_buttons_are_labelled_by_their_text(built_book):
    button = built_book.html("models/index.html").select_one("button.search-button__button")
    assert not button.has_attr("aria-label")
    assert "Search" in button.get_text()
