"""Derive the site's URL settings from ``html_baseurl``, so the URL is written once.

``html.baseurl`` in ``_config.yml`` (Sphinx's ``html_baseurl``) is the published
address of the book. From it this module fills, unless set explicitly:

- ``ogp_site_url`` (sphinxext-opengraph), so ``og:url`` is absolute;
- ``notfound_urls_prefix`` (sphinx-notfound-page), the path the 404 page uses for
  its CSS and links, so it works when served for a missing URL at any depth;
- ``sitemap`` URLs come from ``html_baseurl`` already (sphinx-sitemap).

The dirhtml builder writes the 404 page as ``404/index.html``; GitHub Pages serves
``/404.html`` for a missing URL, so a copy is written there too (its links are
absolute, so it works from any depth). No directive or role.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sosai import __version__

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.util.typing import ExtensionMetadata


def derive_urls(app: Sphinx, config: Config) -> None:
    """Fill the URL settings other extensions need from ``html_baseurl``."""
    base = config.html_baseurl
    if not base:
        return
    base = base if base.endswith("/") else base + "/"
    if "ogp_site_url" in config and not config.ogp_site_url:
        config.ogp_site_url = base
    if "notfound_urls_prefix" in config:
        config.notfound_urls_prefix = urlsplit(base).path or "/"


def copy_404_page(app: Sphinx, exception: Exception | None) -> None:
    """Write ``404.html`` at the site root, where GitHub Pages looks for it."""
    page = Path(app.outdir) / "404" / "index.html"
    if exception is None and app.builder.name == "dirhtml" and page.is_file():
        shutil.copyfile(page, Path(app.outdir) / "404.html")


def setup(app: Sphinx) -> ExtensionMetadata:
    """Connect :func:`derive_urls` and :func:`copy_404_page`."""
    # After the extensions whose settings it fills have registered them.
    app.connect("config-inited", derive_urls, priority=900)
    app.connect("build-finished", copy_404_page)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
