"""The book's own Sphinx extensions (State of Open Source AI).

One module per feature, each with its own ``setup()`` so a test project can load
just the one it exercises:

- ``sosai.data``: load and validate ``_data/*.yml`` against JSON Schemas.
- ``sosai.datatable``: the ``data-table`` directive (comparison tables from data) and
  ``data-catalogue`` (every data file with its downloads).
- ``sosai.charts``: the ``data-chart`` directive (matplotlib SVGs drawn from data).
- ``sosai.freshness``: a library module, not an extension (no ``setup()``): each
  table's freshness rule and its rows past due, for ``make freshness`` and the tables.
- ``sosai.contributors``: per-chapter and whole-book contributors from git.
- ``sosai.footer``: the feedback footer appended to every chapter.
- ``sosai.badges``: linked badges for the landing page, built from nodes.
- ``sosai.bibfile``: the ``.bib`` files read strictly, each problem at its line;
  only http(s) URLs.
- ``sosai.bibstyle``: the pybtex style used by the bibliography ("Author, Year" labels).
- ``sosai.citestyle``: in-text citations "(Author, 2026a)", letters for shared labels,
  the References page's A-Z line.
- ``sosai.bibdomain``: the ``cite`` domain with indexed look-ups and kept citations.
- ``sosai.checks``: strict checks the book relies on (alt text on every image, no raw
  HTML).
- ``sosai.citation``: the ``cite-this-book`` directive (BibTeX from the settings).
- ``sosai.citedin``: "Cited in" back-links under each bibliography entry.
- ``sosai.hovercards``: term definitions and references on hover, focus and tap.
- ``sosai.search``: search finds both spellings and ranks pages by how they use words.
- ``sosai.site``: URL settings derived from ``html_baseurl``; ``404.html`` at the root.
- ``sosai.markdown``: a Markdown copy of every page (``…/index.html.md``) for ``llms.txt``.
- ``sosai.assets``: drops scripts a page does not use and theme files no page loads.
- ``sosai.csssubset``: publishes only the theme stylesheet's rules the pages can use.
- ``sosai.whatsnew``: the "What's new" page and its Atom feed, from ``changes.yml``.
- ``sosai.speed``: loads the four extensions below that only make builds faster;
  without it the pages are the same (``tests/test_speed.py``):

  - ``sosai.fastnumref``: figure numbering and ``{numref}`` without re-reading pages.
  - ``sosai.gctuning``: fewer garbage-collector passes during a build and at exit.
  - ``sosai.templates``: compiled templates kept; never-empty ones rendered once a page.
  - ``sosai.bibdomain`` (above): indexed citation look-ups, in-text citations kept.
- ``sosai.jbcompat``: accepts Jupyter Book's notebook settings without myst-nb.
- ``sosai.shared``: a library module, not an extension: the reading order and the base
  and repository URLs, which several modules need.
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path
from typing import Any

__version__ = "1.0.0"

# The extensions' scripts and styles (hover cards, tables and charts, comments).
STATIC = Path(__file__).parent / "static"

# Builders that publish the website, where data files, the feed and llms.txt live
# (EPUB and the singlehtml build behind the PDF are self-contained copies).
WEB_BUILDERS = frozenset({"html", "dirhtml"})

# The only addresses the book links to from its data and bibliography: http or https,
# without the characters that end a link in Markdown, HTML or BibTeX (spaces, quotes,
# brackets, braces, angle brackets, backslash, caret, backtick, bar, control
# characters), which a URL can always percent-encode (%28 for "("). A javascript: or
# data: address never becomes a link. The ``sources`` pattern in
# ``_data/schema/common.schema.json`` accepts the same URLs.
WEB_URL = re.compile(r"^https?://[^\s\u0000-\u001f\u007f<>\"'()\[\]{}|\\^`]+$")


def is_web_url(text: str) -> bool:
    """Whether ``text`` is an address the book may publish as a link (:data:`WEB_URL`)."""
    return WEB_URL.match(text) is not None


@functools.cache
def source_digest(module_file: str) -> str:
    """SHA-256 of a module's source, for the keys of caches kept between builds.

    A module that caches its results in the doctree folder puts this in the key, so
    that a change to its code starts the cache afresh.
    """
    return hashlib.sha256(Path(module_file).read_bytes()).hexdigest()


def publish_static(app: Any) -> None:
    """Publish :data:`STATIC` with the book's static files (once, whoever asks first)."""
    if str(STATIC) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC))
