"""Show how to cite the book, as BibTeX built from the book's settings.

Usage in MyST::

    ```{cite-this-book}
    ```

Renders a ``bibtex`` code block from ``project`` (title), ``author``,
``html_baseurl`` (URL), ``sosai_edition`` and, only when it is set, ``sosai_doi``
(the one place the DOI lives, shared with ``sosai.features.badges``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from sosai import __version__
from sosai.shared import add_setting_once

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

DIRECTIVE_NAME = "cite-this-book"
BIB_KEY = "sosai-{edition}"


def bibtex(title: str, author: str, edition: str, url: str, doi: str = "") -> str:
    """A BibTeX ``@book`` entry for the book."""
    fields = [
        ("title", title),
        ("author", f"{{{author}}}"),  # an organisation: braces keep it one name
        ("year", edition),
        ("edition", edition),
        ("url", url),
    ]
    if doi:
        fields.append(("doi", doi))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@book{{{BIB_KEY.format(edition=edition)},\n{body}\n}}"


class CiteThisBookDirective(SphinxDirective):
    """The ``cite-this-book`` directive."""

    has_content = False
    option_spec: ClassVar[dict] = {}

    def run(self) -> list[nodes.Node]:
        """A BibTeX code block."""
        config = self.config
        text = bibtex(
            config.project,
            config.author,
            config.sosai_edition,
            config.html_baseurl,
            config.sosai_doi,
        )
        block = nodes.literal_block(text, text, language="bibtex")
        self.set_source_info(block)
        return [block]


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register ``sosai_edition``, ``sosai_doi`` and the ``cite-this-book`` directive."""
    add_setting_once(app, "sosai_doi", "", "env", frozenset({str}))  # sosai.features.badges too
    add_setting_once(app, "sosai_edition", "2026", "env", frozenset({str}))  # catalogue too
    app.add_directive(DIRECTIVE_NAME, CiteThisBookDirective)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
