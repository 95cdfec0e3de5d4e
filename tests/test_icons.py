"""The Font Awesome subset (``tools/icons.py``) and the theme macro override stay in step."""

from __future__ import annotations

from pathlib import Path

import pydata_sphinx_theme

from tests.conftest import BOOK
from tools import icons

THEME_MACROS = (
    Path(pydata_sphinx_theme.__file__).parent
    / "theme/pydata_sphinx_theme/static/webpack-macros.html"
)
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
