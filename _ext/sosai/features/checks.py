"""Strict checks the book relies on, beyond Sphinx's own.

- Every image has alt text. A ``{figure}`` or ``![](...)`` without it is reported
  as a warning located at the line of the image (or of the paragraph or figure
  holding it, when the parser gives the image none), so the strict build fails::

      ```{figure} _static/img/stack.svg
      :alt: Requests flow from the client through a router to the engine.
      :name: fig-stack

      The serving stack.
      ```

- No page publishes raw HTML. MyST's HTML syntax is off in ``_config.yml``
  (``myst_disable_syntax``: a ``<script>`` in a chapter or a data cell shows as
  text), and this module turns off docutils' ``raw`` directive and role (so
  ``{raw} html`` and ``.. raw:: html`` inside ``{eval-rst}`` fail the build with
  docutils' '"raw" directive disabled', at their line).

Warnings have type ``sosai`` and subtype ``alt`` (``suppress_warnings =
["sosai.alt"]`` silences them, which the book never does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util import logging

from sosai import __version__

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)


def check_alt_text(app: Sphinx, doctree: nodes.document) -> None:
    """Warn about every image in a page that has no alt text."""
    for image in doctree.findall(nodes.image):
        if not str(image.get("alt", "")).strip():
            logger.warning(
                "image %r has no alt text; describe what it shows with :alt:",
                image.get("uri", ""),
                location=(app.env.docname, _line_of(image)),
                type="sosai",
                subtype="alt",
            )


def _line_of(node: nodes.Node) -> int | None:
    """The node's line, else its nearest container's (MyST gives ``![](…)`` none)."""
    while node is not None:
        if node.line:
            return node.line
        node = node.parent
    return None


def disable_raw(app: Sphinx) -> None:
    """Turn off the ``raw`` directive and role for every page read from now on."""
    app.env.settings["raw_enabled"] = False


def setup(app: Sphinx) -> ExtensionMetadata:
    """Connect the checks to ``builder-inited`` and ``doctree-read``."""
    app.connect("builder-inited", disable_raw)
    app.connect("doctree-read", check_alt_text)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
