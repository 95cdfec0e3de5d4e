"""Derive the site's URL settings from ``html_baseurl``, so the URL is written once.

``html.baseurl`` in ``_config.yml`` (Sphinx's ``html_baseurl``) is the published
address of the book. From it this module fills, unless set explicitly:

- ``ogp_site_url`` (sphinxext-opengraph), so ``og:url`` is absolute;
- ``notfound_urls_prefix`` (sphinx-notfound-page), the path the 404 page uses for
  its CSS and links, so it works when served for a missing URL at any depth;
- ``sitemap`` URLs come from ``html_baseurl`` already (sphinx-sitemap).

No directive or role: load it after those extensions in ``extensions``.
"""

from __future__ import annotations

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


def setup(app: Sphinx) -> ExtensionMetadata:
    """Connect :func:`derive_urls` to ``config-inited``."""
    # After the extensions whose settings it fills have registered them.
    app.connect("config-inited", derive_urls, priority=900)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
