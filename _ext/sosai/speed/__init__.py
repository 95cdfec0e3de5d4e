"""Build speed, behind one switch: the extensions that only make builds faster.

Listing ``sosai.speed`` in ``_config.yml`` (first, so the garbage-collector settings
apply from the start) loads them all; removing that one line gives the same pages,
only more slowly. ``tests/test_speed.py`` builds the book both ways and compares
every HTML file byte for byte. Each module says in its docstring what it patches,
which upstream versions it was checked against, and what it saves:

- ``sosai.speed.gctuning``: fewer garbage-collector passes during a build and at exit;
- ``sosai.speed.fastnumref``: figure numbers and ``{numref}`` without re-reading pages
  (patches ``TocTreeCollector.assign_figure_numbers`` and Sphinx's ``std`` domain);
- ``sosai.speed.templates``: compiled templates kept, never-empty theme templates rendered
  once a page (patches pydata-sphinx-theme's template filter);
- ``sosai.speed.bibdomain``: sphinxcontrib-bibtex's ``cite`` domain with indexed look-ups
  and in-text citations kept between builds.

Measured with ``make bench BENCH_ARGS=--speed`` (clean build of the whole book into an
empty folder, and a one-chapter rebuild; 2026-12-04, a shared 2-core machine): with all
four 12.0 s clean and 2.3 s for one chapter, without any 20.6 s and 4.1 s (CPU time
14.7 s against 23.9 s clean). Each module's docstring gives its own share, and
``tests/test_speed.py`` fails when an installed version differs from the ones a module
was checked against. ``make bench`` gives the budgets. Anything that patches another
project's internals belongs here, not in a module of the book's features.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sosai import __version__

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

SPEED_EXTENSIONS = (
    "sosai.speed.gctuning",
    "sosai.speed.fastnumref",
    "sosai.speed.templates",
    "sosai.speed.bibdomain",
)


def setup(app: Sphinx) -> ExtensionMetadata:
    """Load every speed extension."""
    for name in SPEED_EXTENSIONS:
        app.setup_extension(name)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
