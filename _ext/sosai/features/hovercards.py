"""Show a glossary term's definition, or a citation's reference, on hover and focus.

Nothing to write in MyST: every ``{term}`` link gets its term's definition as its
title, and sphinxcontrib-bibtex already gives every ``{cite}`` link the formatted
reference. ``static/sosai-hovercards.js`` turns those titles into a small card that
appears on mouse hover and on keyboard focus, is linked to the link with
``aria-describedby`` (so screen readers announce it), and closes with Escape. Without
JavaScript the browser's own title tooltip still shows. Everything is built with the
book: no network.

Definitions are collected from every ``glossary`` while pages are read; when a
glossary changes, the pages that use its terms are written again. A definition's
``{cite}`` reads as in the text, "(Author, Year)", never as its bib key.

The card opens above the link when there is no room below it. On a touch screen the
first tap on a term or citation opens its card, with a link to the glossary entry or
the reference; a second tap on the link follows it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes

from sosai import __version__
from sosai.features.bibstyle import citation_label
from sosai.shared import PageRecords, publish_static

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

MAX_LENGTH = 320  # characters of a definition shown in a card


def _definitions(env: BuildEnvironment) -> dict[str, dict[str, str]]:
    """Docname -> {term id -> "Term: definition"}, for the pages with a glossary."""
    return {
        docname: record["definitions"]
        for docname, record in GlossaryRecords.of(env).items()
        if record["definitions"]
    }


def _term_users(env: BuildEnvironment) -> set[str]:
    """The pages that link to a glossary term."""
    return {docname for docname, record in GlossaryRecords.of(env).items() if record["uses_terms"]}


def shorten(text: str, limit: int = MAX_LENGTH) -> str:
    """Collapse whitespace and cut at a word boundary with an ellipsis."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def plain_citations(app: Sphinx, definition: nodes.Element) -> nodes.Element:
    """A copy of ``definition`` whose ``{cite}`` references read "(Author, Year)"."""
    entries = app.env.get_domain("cite").bibdata.data.entries
    copy = definition.deepcopy()
    for ref in list(copy.findall(addnodes.pending_xref)):
        if ref.get("refdomain") != "cite":
            continue
        keys = [key.strip() for key in ref.get("reftarget", "").split(",") if key.strip()]
        labels = [citation_label(entries[key]) if key in entries else key for key in keys]
        if ref.get("reftype") == "t":
            text = "; ".join(label.replace(", ", " (", 1) + ")" for label in labels)
        else:
            text = "(" + "; ".join(labels) + ")"
        ref["ids"] = []  # a throwaway copy: its citation ids stay on the page's own node
        ref.replace_self(nodes.Text(text))
    return copy


class GlossaryRecords(PageRecords):
    """Per page: its glossary's definitions, and whether it links to a term."""

    attribute = "sosai_glossary_records"

    def record(self, app: Sphinx, doctree: nodes.document) -> dict[str, Any] | None:
        """Read the page's glossary terms and definitions, and its links to terms."""
        found = {}
        for item in doctree.findall(nodes.definition_list_item):
            if not isinstance(item.parent.parent, addnodes.glossary):
                continue
            terms = [t for t in item.findall(nodes.term) if t["ids"]]
            definition = next(item.findall(nodes.definition), None)
            if not terms or definition is None:
                continue
            # A cross-reference with no text yet ("See [](models).") reads as "See ." here.
            plain = plain_citations(app, definition).astext()
            text = shorten(re.sub(r"\s*See\s*\.", "", plain))
            for term in terms:
                label = term.astext().rstrip("¶#").strip()
                for term_id in term["ids"]:
                    found[term_id] = f"{label}: {text}"
        uses_terms = any(
            ref.get("reftype") == "term" for ref in doctree.findall(addnodes.pending_xref)
        )
        return {"definitions": found, "uses_terms": uses_terms} if found or uses_terms else None


def note_changes(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Remember which pages this build reads again, and which held glossaries before."""
    app.sosai_hovercards_reread = added | changed | removed
    app.sosai_hovercards_glossaries = set(_definitions(env))
    return []


def rewrite_term_users(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """When a glossary page changed, write again every page that links to a term.

    Written, not read again: the definitions are added when a page is written.
    """
    glossaries = set(_definitions(env)) | getattr(app, "sosai_hovercards_glossaries", set())
    if glossaries & getattr(app, "sosai_hovercards_reread", set()):
        return sorted(_term_users(env))
    return []


def add_titles(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Give every link to a glossary term its definition as title."""
    definitions: dict[str, Any] = {}
    for found in _definitions(app.env).values():
        definitions.update(found)
    for ref in doctree.findall(nodes.reference):
        uri = ref.get("refuri", "")
        if "#term-" not in uri or not ref.get("internal"):
            continue
        definition = definitions.get(uri.rsplit("#", 1)[1])
        if definition:
            ref["reftitle"] = definition
            ref["classes"].append("sosai-term")


def setup(app: Sphinx) -> ExtensionMetadata:
    """Connect the collectors, the title writer and the script."""
    app.connect("builder-inited", publish_static)
    app.add_env_collector(GlossaryRecords)
    app.connect("env-get-outdated", note_changes)
    app.connect("env-updated", rewrite_term_users)
    app.connect("doctree-resolved", add_titles)
    app.add_js_file("sosai-hovercards.js", loading_method="defer")
    app.add_css_file("sosai-hovercards.css")
    return {
        "version": __version__,
        "env_version": 2,  # 2: one record per page (GlossaryRecords)
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
