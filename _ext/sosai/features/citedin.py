"""Show, under each bibliography entry, the chapters that cite it.

Nothing to write in MyST: every ``{bibliography}`` entry gets a "Cited in" line
linking to the first citation of the source in each chapter, so a reader can audit
a source from the references page. Built from sphinxcontrib-bibtex's record of
citations once all pages are read (``doctree-resolved``), as plain paragraphs and
references, so every builder renders it.

In HTML the entries are written as plain ``div`` elements. Docutils gives the list
``role="list"`` and each entry the DPUB role ``doc-biblioentry``, which is deprecated
as a list item, so axe-core reports the list as having children it may not contain
(a serious violation); without the roles the list is read as ordinary text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes

from sosai import __version__
from sosai.shared import reading_order

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata
    from sphinx.writers.html5 import HTML5Translator


def citing_pages(app: Sphinx) -> dict[str, list[tuple[str, str]]]:
    """Bib key -> [(docname, id of its first citation there)], in reading order."""
    domain = app.env.get_domain("cite")
    order = {name: i for i, name in enumerate(reading_order(app))}
    places: dict[str, dict[str, str]] = {}
    for ref in sorted(domain.citation_refs, key=lambda r: (order.get(r.docname, 0), r.line)):
        for target in ref.targets:
            places.setdefault(target.key.lower(), {}).setdefault(ref.docname, ref.citation_ref_id)
    return {
        key: sorted(docs.items(), key=lambda d: order.get(d[0], 0)) for key, docs in places.items()
    }


def add_cited_in(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Append "Cited in …" to each bibliography entry of a page."""
    domain = app.env.get_domain("cite")
    keys = {
        c.citation_id: c.key.lower()
        for c in domain.citations
        if c.bibliography_key.docname == docname
    }
    if not keys:
        return
    places = citing_pages(app)
    # A bibliography is a citation list, or a bullet or numbered list (``:list:``).
    entries = doctree.findall(lambda n: isinstance(n, (nodes.citation, nodes.list_item)))
    for citation in list(entries):
        key = next((keys[i] for i in citation["ids"] if i in keys), None)
        if key is None or not places.get(key):
            continue
        line = nodes.paragraph(classes=["sosai-cited-in"])
        line += nodes.Text("Cited in ")
        for i, (citing, ref_id) in enumerate(places[key]):
            if i:
                line += nodes.Text(", ")
            title = app.env.titles[citing].astext() if citing in app.env.titles else citing
            uri = app.builder.get_relative_uri(docname, citing) + "#" + ref_id
            line += nodes.reference("", title, refuri=uri, internal=True)
        line += nodes.Text(".")
        citation.append(line)


def visit_citation_html(self: HTML5Translator, node: nodes.citation) -> None:
    """Open a citation (and the list, before the first) without ARIA roles."""
    if not isinstance(node.previous_sibling(), nodes.citation):
        self.body.append(self.starttag(nodes.container(), "div", classes=["citation-list"]))
    self.body.append(self.starttag(node, "div", classes=["citation"]))


def depart_citation_html(self: HTML5Translator, node: nodes.citation) -> None:
    """Close a citation (and the list, after the last)."""
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), nodes.citation):
        self.body.append("</div>\n")


def setup(app: Sphinx) -> ExtensionMetadata:
    """Connect :func:`add_cited_in`; write citations without ARIA roles in HTML."""
    app.setup_extension("sphinxcontrib.bibtex")
    app.add_node(nodes.citation, override=True, html=(visit_citation_html, depart_citation_html))
    app.connect("doctree-resolved", add_cited_in)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
