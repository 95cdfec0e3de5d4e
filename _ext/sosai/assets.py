"""Drop scripts from pages that do not use them.

sphinx-design adds its tab script (``design-tabs.js``) to every page; the book uses
tabs rarely, so the script is kept only on pages that contain a tab set. One request
fewer on every other page (see ``make bench``). Nothing to write in MyST.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes

from sosai import __version__

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

TABS_SCRIPT = "design-tabs.js"


def drop_unused_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.Node
) -> None:
    """Remove the tab script from pages without tabs."""
    if doctree is not None and any(
        "sd-tab-set" in node["classes"] for node in doctree.findall(nodes.Element)
    ):
        return
    context["script_files"] = [
        js for js in context.get("script_files", []) if TABS_SCRIPT not in str(js.filename)
    ]


def setup(app: Sphinx) -> ExtensionMetadata:
    """Connect :func:`drop_unused_scripts` to ``html-page-context``."""
    app.connect("html-page-context", drop_unused_scripts)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
