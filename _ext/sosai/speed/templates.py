"""Render the theme's page templates with less repeated work.

Two things cost every build time for nothing:

- Jinja compiles each template from source in each process, dozens of templates for
  the theme's page layout. Here the compiled templates are kept in the doctree
  folder (Jinja's ``FileSystemBytecodeCache``: an entry is used only while its
  template's source is unchanged), so a rebuild loads them instead.
- Before writing a page, pydata-sphinx-theme renders every template listed for the
  navbar, sidebars, article header and footer to find (and drop) the ones that come
  out empty; then the page renders them again. Two of the book theme's templates
  cannot be empty, because they are wrapped in their own markup, and they are the
  expensive ones: the sidebar navigation (``sbt-sidebar-nav.html``, the whole table
  of contents) and the article header buttons (``article-header-buttons.html``).
  pydata-sphinx-theme already skips the check for its own navigation templates; this
  adds the templates named in ``sosai_templates_never_empty`` to that list.

The pages are byte-for-byte the same (a test compares them). Nothing to write in MyST.

Patches: pydata-sphinx-theme's private ``utils._update_and_remove_templates`` (wrapped)
and the builder's Jinja environment (a bytecode cache is set on it).
Checked against: pydata-sphinx-theme 0.17.1, sphinx-book-theme 1.3.0, Jinja2 3.1.6.
Saves (``make bench BENCH_ARGS=--speed``, 2026-12-04, medians of 2-3 builds on a shared
2-core machine, wall-clock and CPU seconds without it minus with all four): clean build 0.2 and
1.4 s wall in two runs, 0.9 s CPU; one-chapter rebuild within the noise (-0.3 to +0.4 s).
Upstream: pydata-sphinx-theme could skip its emptiness check for any template that a
theme declares never empty (it does so only for its own navigation templates).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import FileSystemBytecodeCache
from pydata_sphinx_theme import utils

from sosai import __version__

if TYPE_CHECKING:
    from collections.abc import Callable

    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

NEVER_EMPTY = ["sbt-sidebar-nav.html", "article-header-buttons.html"]


def skipping_never_empty(check: Callable[..., list[str]]) -> Callable[..., list[str]]:
    """Wrap the theme's emptiness check to skip the templates the book names."""

    @functools.wraps(check)
    def update_and_remove_templates(
        app: Sphinx,
        context: dict[str, Any],
        templates: list[str] | str,
        section: str,
        templates_skip_empty_check: list[str] | None = None,
    ) -> list[str]:
        never_empty = getattr(app.config, "sosai_templates_never_empty", [])
        skip = [*(templates_skip_empty_check or []), *never_empty]
        return check(app, context, templates, section, templates_skip_empty_check=skip)

    update_and_remove_templates.sosai_wrapped = True  # type: ignore[attr-defined]
    return update_and_remove_templates


def keep_compiled_templates(app: Sphinx) -> None:
    """Give the builder's Jinja environment a bytecode cache in the doctree folder."""
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is not None and environment.bytecode_cache is None:
        folder = Path(app.doctreedir) / "sosai-templates"
        folder.mkdir(parents=True, exist_ok=True)
        environment.bytecode_cache = FileSystemBytecodeCache(str(folder))


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register ``sosai_templates_never_empty``, wrap the theme's check, cache templates."""
    app.add_config_value("sosai_templates_never_empty", NEVER_EMPTY, "html", types=(list,))
    if not getattr(utils._update_and_remove_templates, "sosai_wrapped", False):
        utils._update_and_remove_templates = skipping_never_empty(
            utils._update_and_remove_templates
        )
    app.connect("builder-inited", keep_compiled_templates)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
