"""Small helpers several of the book's extensions need, written once.

Not an extension (no ``setup()``): modules import what they use.

- :func:`reading_order`: the pages in table-of-contents order (the sitemap,
  ``llms.txt``, "Cited in" lines).
- :func:`base_url`: the published address, ``html_baseurl`` ending in ``/``, or None
  when the book sets none (feeds, sitemap, Markdown copies and meta tags need it).
- :func:`repository_url`: the book's repository on GitHub, from the theme's
  ``repository_url`` (Jupyter Book fills it from ``_config.yml``'s ``repository``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config


def reading_order(app: Sphinx) -> list[str]:
    """Docnames in table-of-contents order, root first, each once."""
    seen: list[str] = []

    def walk(name: str) -> None:
        if name not in seen:
            seen.append(name)
            for child in app.env.toctree_includes.get(name, []):
                walk(child)

    walk(app.config.root_doc)
    return seen


def base_url(config: Config) -> str | None:
    """``html_baseurl`` ending in one ``/``, or None if it is not set."""
    base = str(config.html_baseurl or "")
    return base.rstrip("/") + "/" if base else None


def repository_url(config: Config) -> str:
    """The repository's address without a trailing ``/``; empty if the book has none."""
    options = config.html_theme_options or {}
    return str(options.get("repository_url", "")).rstrip("/")
