"""The book's own Sphinx extensions (State of Open Source AI).

One module per feature, each with its own ``setup()`` so a test project can load
just the one it exercises. Where a change goes:

- ``features/``: what readers see in the book.

  - ``data``: load and validate ``_data/*.yml`` against JSON Schemas (a library
    module and an extension: it also publishes the data files).
  - ``datatable``: the ``data-table`` directive (comparison tables from data) and
    ``data-catalogue`` (every data file with its downloads).
  - ``catalogue``: ``data/catalogue.json`` (every table in one file) with its JSON
    Schema and the tables', and the rows' changelog as JSON and an Atom feed.
  - ``charts``: the ``data-chart`` directive (matplotlib SVGs drawn from data).
  - ``fitcalc``: "will it fit?": weights and KV cache of a model at a precision and
    context (one implementation, a library and an extension), the calculator on its
    page (``fit-calculator``, with ``static/sosai-fit.js``) and its tables
    (``fit-table``, ``fit-inputs``, ``fit-checks``).
  - ``freshness``: a library module (no ``setup()``): each table's freshness rule and
    its rows past due, for ``make freshness`` and the tables' "Checked" column.
  - ``rowhistory``: a library module (no ``setup()``): when each data row was added
    and last changed, from git, for the "Checked" column and the downloads.
  - ``contributors``: per-chapter and whole-book contributors from git.
  - ``footer``: the feedback footer appended to every chapter.
  - ``badges``: linked badges for the landing page, built from nodes.
  - ``hovercards``: term definitions and references on hover, focus and tap.
  - ``bibfile``: the ``.bib`` files read strictly, each problem at its line.
  - ``bibstyle``: the pybtex style of the bibliography ("Author, Year" labels).
  - ``citestyle``: in-text citations "(Author, 2026a)", the References page's A-Z line.
  - ``citedin``: "Cited in" back-links under each bibliography entry.
  - ``cite_this_book``: the ``cite-this-book`` directive (BibTeX from the settings).
  - ``checks``: strict checks the book relies on (alt text on every image).
  - ``whatsnew``: the "What's new" page and its Atom feed, from ``changes.yml``.
- ``website/``: what only the published website needs.

  - ``site``: description and OpenGraph tags, ``404.html`` paths, ``llms.txt``.
  - ``markdown``: a Markdown copy of every page (``…/index.html.md``) for ``llms.txt``.
  - ``search``: search finds both spellings and ranks pages by how they use words.
  - ``assets``: drops scripts a page does not use and theme files no page loads.
  - ``csssubset``: publishes only the theme stylesheet's rules the pages can use.
- ``speed/``: only makes builds faster, loaded as one extension, ``sosai.speed``;
  without it every page is the same (``tests/test_speed.py``). Each module patches
  something upstream and says what, against which versions, and what it saves:
  ``gctuning``, ``fastnumref``, ``templates``, ``bibdomain``.
- ``shared.py``: helpers several modules need (reading order, base and repository
  URLs, link checks, per-page records, cache keys, Atom feeds), written once.
- ``jbcompat.py``: accepts Jupyter Book's notebook settings without myst-nb.
- ``static/``: the extensions' scripts and styles (hover cards, tables, comments, the
  "will it fit?" calculator).
"""

from __future__ import annotations

__version__ = "1.0.0"
