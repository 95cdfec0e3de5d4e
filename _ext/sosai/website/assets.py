"""Drop scripts and stylesheets from pages that do not use them.

Extensions add their assets to every page. The book keeps each of these only where
the page needs it, so most pages make fewer requests (see ``make bench``):

- ``design-tabs.js`` (sphinx-design): pages with a tab set;
- ``sosai-figures.js`` (``features.datatable``, ``features.charts``): pages with a data
  table or a chart;
- ``sphinx-design.min.css``: pages using sphinx-design classes (the landing page's
  badges, cards, tabs);
- ``pygments.css``: pages with code blocks.

Scripts that Sphinx and the book theme load in the page head, where each one holds
up the first paint until it has arrived and run, are deferred (``DEFERRED_SCRIPTS``):
they only act once the document is parsed, and deferred scripts still run in order.
The search page, whose scripts rely on them being there at once, keeps them as they
are.

On the website (not in the EPUB or the PDF), images load lazily, when a reader
scrolls near them: every figure of the book sits below the first screen, and a phone
need not fetch them before it shows the text.

It also removes from the published ``_static`` folder the theme files no page loads
(``UNUSED_THEME_FILES``). Nothing to write in MyST.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes

from sosai import __version__
from sosai.shared import WEB_BUILDERS

if TYPE_CHECKING:
    from collections.abc import Callable

    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata


def _has_class_prefix(prefix: str) -> Callable[[nodes.Node], bool]:
    def test(doctree: nodes.Node) -> bool:
        return any(
            c.startswith(prefix) for node in doctree.findall(nodes.Element) for c in node["classes"]
        )

    return test


def _has_code(doctree: nodes.Node) -> bool:
    return next(doctree.findall(nodes.literal_block), None) is not None


# Asset file name -> does this page need it?
SCRIPTS: dict[str, Callable[[nodes.Node], bool]] = {
    "design-tabs.js": _has_class_prefix("sd-tab-set"),
    "sosai-figures.js": lambda doctree: (
        _has_class_prefix("sosai-data-table")(doctree) or _has_class_prefix("sosai-chart")(doctree)
    ),
}
STYLESHEETS: dict[str, Callable[[nodes.Node], bool]] = {
    "sphinx-design.min.css": _has_class_prefix("sd-"),
    "pygments.css": _has_code,
}


# Render-blocking scripts that wait for the document anyway (DOMContentLoaded).
DEFERRED_SCRIPTS = frozenset(
    {"documentation_options.js", "doctools.js", "sphinx_highlight.js", "sphinx-book-theme.js"}
)


def _deferred(script: Any) -> Any:
    """The script made to wait for the document, if it can.

    A file in :data:`DEFERRED_SCRIPTS` gets ``defer``; an inline script becomes a module.
    The theme's inline scripts on each page (the page's name, search-as-you-type) set
    fields of the object documentation_options.js defines, and ``defer`` does nothing
    to an inline script; an inline module waits like a deferred script, and runs in
    document order with them, so after the file it extends.
    """
    attributes = getattr(script, "attributes", None)
    if attributes is None:
        return script
    if "defer" in attributes or "async" in attributes or attributes.get("type") == "module":
        return script
    # Sphinx's script objects are immutable: make another of the same class.
    if not script.filename and attributes.get("body"):
        return type(script)(script.filename, priority=script.priority, **attributes, type="module")
    name = str(script.filename).rsplit("/", 1)[-1]
    if name not in DEFERRED_SCRIPTS:
        return script
    return type(script)(script.filename, priority=script.priority, **attributes, defer="defer")


def _keep(asset: Any, rules: dict[str, Callable[[nodes.Node], bool]], doctree: Any) -> bool:
    name = str(getattr(asset, "filename", asset)).rsplit("/", 1)[-1]
    rule = rules.get(name)
    return rule is None or (doctree is not None and rule(doctree))


def drop_unused_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Remove the assets a page does not use from its context; defer head scripts."""
    if doctree is None:  # generated pages (search, index): keep everything
        return
    # In place: the lists are the builder's own, which handlers that run after this one
    # add the page's scripts to (the theme's inline settings); Sphinx restores them
    # before the next page.
    scripts = context.get("script_files", [])
    scripts[:] = [_deferred(js) for js in scripts if _keep(js, SCRIPTS, doctree)]
    stylesheets = context.get("css_files", [])
    stylesheets[:] = [css for css in stylesheets if _keep(css, STYLESHEETS, doctree)]


# Files the themes copy into _static that no page of this book loads: Jinja macro files
# (templates, not assets), Font Awesome's JavaScript (_static/icons.css draws the few
# icons the book shows) and the themes' translations (read from the installed package
# at build time, never by a browser).
UNUSED_THEME_FILES = (
    "sbt-webpack-macros.html",
    "webpack-macros.html",
    "scripts/fontawesome.js",
    "scripts/fontawesome.js.LICENSE.txt",
    "scripts/fontawesome.js.map",
    "locales",
)


def remove_unused_theme_files(app: Sphinx, exception: Exception | None) -> None:
    """Delete :data:`UNUSED_THEME_FILES` from the published ``_static`` folder."""
    if exception is not None or app.builder.name not in WEB_BUILDERS:
        return
    static = Path(app.outdir) / "_static"
    for name in UNUSED_THEME_FILES:
        path = static / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def load_images_lazily(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Mark the page's images ``loading="lazy"`` (docutils writes the attribute)."""
    if app.builder.name in WEB_BUILDERS:
        for image in doctree.findall(nodes.image):
            image.setdefault("loading", "lazy")


def setup(app: Sphinx) -> ExtensionMetadata:
    """Connect the asset trimming, deferred scripts, lazy images and file removal."""
    app.connect("doctree-resolved", load_images_lazily)
    # After the theme's handlers, which add the page's inline settings scripts.
    app.connect("html-page-context", drop_unused_assets, priority=900)
    app.connect("build-finished", remove_unused_theme_files)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
