"""sphinxcontrib-bibtex's ``cite`` domain, with its per-citation work looked up.

The domain of sphinxcontrib-bibtex 2.7.0 (pinned) scans every citation of the book
for each entry of the bibliography and for each ``{cite}`` it resolves, then formats
the in-text citation from pybtex templates. With 660 sources and 1,700 citations,
that is the largest cost of writing a chapter. :class:`IndexedBibtexDomain` changes
three things and nothing in the output:

- where each entry is cited comes from an index built once per bibliography
  (``get_filtered_entries``);
- the citations of a key come from an index built once per build, and are chosen
  exactly as upstream does (``resolve_xref``);
- a resolved in-text citation is kept between builds in the doctree folder
  (``sosai-intext.pickle``), keyed by everything that goes into it: the builder, the
  role, the target text, the citing page, and for each cited source its citation
  id, page, label and entry (type, fields, names), with the citation settings and
  this module's code. A page written again (after a glossary edit, say) reuses its
  citations; a changed source gets a new key.

Nothing to write in MyST: ``{cite:p}`` and ``{cite:t}`` work as before.

Patches: sphinxcontrib-bibtex's ``BibtexDomain`` (subclassed and registered in its place;
``get_filtered_entries`` and ``resolve_xref`` copied from 2.7.0 with their scans
replaced by look-ups; imports the private ``_FilterVisitor``).
Checked against: sphinxcontrib-bibtex 2.7.0, pybtex 0.26.1, Sphinx 7.4.7.
Saves (``make bench BENCH_ARGS=--speed``, 2026-12-04, medians of 2-3 builds on a shared
2-core machine, wall-clock and CPU seconds without it minus with all four): clean build 1.7 s
(quiet run) but only 0.5 s CPU; one-chapter rebuild within the noise. The kept
citations pay off when many pages are written again (a glossary edit), which this
comparison does not time.
Upstream: sphinxcontrib-bibtex could index citations by key and by page instead of
scanning every citation per entry and per reference.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.environment import CONFIG_OK
from sphinx.util import logging
from sphinxcontrib.bibtex.citation_target import parse_citation_targets
from sphinxcontrib.bibtex.domain import BibtexDomain, _FilterVisitor

from sosai import __version__
from sosai.features import bibstyle, citestyle
from sosai.shared import cache_key, load_kept

if TYPE_CHECKING:
    from collections.abc import Iterable

    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata
    from sphinxcontrib.bibtex.domain import Citation

logger = logging.getLogger(__name__)
CACHE_FILE = "sosai-intext.pickle"
# Settings that change how an in-text citation is formatted or linked.
CITATION_SETTINGS = (
    "bibtex_reference_style",
    "bibtex_default_style",
    "bibtex_tooltips",
    "bibtex_tooltips_style",
    "bibtex_cite_id",
)

INTEXT: dict[tuple, nodes.Element] = {}  # cache key -> resolved citation node
_used: set[tuple] = set()  # keys looked up by this build
_added: set[tuple] = set()  # keys this build resolved afresh
_written: set[str] = set()  # pages whose citations this build resolved


class IndexedBibtexDomain(BibtexDomain):
    """sphinxcontrib-bibtex's domain, with citations looked up in indexes."""

    def get_filtered_entries(self, bibliography_key: Any) -> Iterable[tuple[str, Any]]:
        """Unsorted bibliography entries that pass the bibliography's filter.

        The method of sphinxcontrib-bibtex 2.7.0 with one change: the pages citing
        each key come from a dictionary built once per call.
        """
        cited_in: dict[str, set[str]] = {}
        for citation_ref in self.citation_refs:
            for target in citation_ref.targets:
                cited_in.setdefault(target.key, set()).add(citation_ref.docname)
        bibliography = self.bibliographies[bibliography_key]
        for entry in self.get_entries(bibliography.bibfiles):
            key = bibliography.keyprefix + entry.key
            cited_docnames = cited_in.get(key, set())
            visitor = _FilterVisitor(
                entry=entry, docname=bibliography_key.docname, cited_docnames=cited_docnames
            )
            try:
                success = visitor.visit(bibliography.filter_)
            except ValueError as err:
                logger.warning(
                    f"syntax error in :filter: expression; {err}",
                    location=(bibliography_key.docname, bibliography.line),
                    type="bibtex",
                    subtype="filter_syntax_error",
                )
                success = bool(cited_docnames)  # the default filter, as upstream
            if success or entry.key in bibliography.keys:
                yield key, entry

    def citations_by_key(self) -> dict[str, list[tuple[int, Citation, tuple]]]:
        """Each key's citations in ``citation`` bibliographies: position, citation, signature.

        Built once per build (the citations are fixed once the environment is updated).
        """
        citations = self.citations
        index = self.__dict__.get("_sosai_index")
        if index is None or index[0] is not citations or index[1] != len(citations):
            by_key: dict[str, list[tuple[int, Citation, tuple]]] = {}
            for position, citation in enumerate(citations):
                if self.bibliographies[citation.bibliography_key].list_ == "citation":
                    entry = (position, citation, _citation_signature(citation))
                    by_key.setdefault(citation.key, []).append(entry)
            index = (citations, len(citations), by_key)
            self.__dict__["_sosai_index"] = index
        return index[2]

    def chosen_citations(self, fromdocname: str, target: str) -> list[tuple] | None:
        """Signatures of the citations ``resolve_xref`` formats, in its order.

        None if a key has no citation. Upstream walks all citations in order and
        keeps, per key, the last one in a bibliography on the citing page, else the
        last one anywhere; its result is in the order those keys first occur among the
        citations. So does this, over the few citations of the target's keys.
        """
        keys = {t.key for t in parse_citation_targets(target)}
        by_key = self.citations_by_key()
        if any(key not in by_key for key in keys):
            return None
        candidates = sorted((c for key in keys for c in by_key[key]), key=lambda c: c[0])
        local: dict[str, tuple] = {}
        anywhere: dict[str, tuple] = {}
        for _, citation, signature in candidates:
            if citation.bibliography_key.docname == fromdocname:
                local[citation.key] = signature
        for _, citation, signature in candidates:
            if citation.key not in local:
                anywhere[citation.key] = signature
        return list((local | anywhere).values())

    def resolve_xref(  # type: ignore[override]  # noqa: PLR0917 - Sphinx's signature
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: Any,
        contnode: nodes.Element,
    ) -> nodes.Element:
        """Upstream's result, from the cache when everything it depends on is the same."""
        try:
            chosen = self.chosen_citations(fromdocname, target)
        except ValueError:  # a malformed target: upstream reports it
            chosen = None
        if chosen is None:
            return super().resolve_xref(env, fromdocname, builder, typ, target, node, contnode)
        key = (
            _settings(env),
            builder.name,
            typ,
            target,
            fromdocname,
            tuple(chosen),
        )
        _used.add(key)
        if key not in INTEXT:
            result = super().resolve_xref(env, fromdocname, builder, typ, target, node, contnode)
            INTEXT[key] = result.deepcopy()
            _added.add(key)
            return result
        return INTEXT[key].deepcopy()


def _citation_signature(citation: Citation) -> tuple:
    entry = citation.entry
    return (
        citation.citation_id,
        citation.bibliography_key.docname,
        citation.key,
        citation.formatted_entry.label,
        entry.type,
        tuple(sorted((name, str(value)) for name, value in entry.fields.items())),
        tuple((role, tuple(map(str, people))) for role, people in entry.persons.items()),
    )


def _settings(env: BuildEnvironment) -> tuple:
    # A kept citation is upstream's node formatted by the book's styles: its key holds
    # their code and the versions of the packages that made it.
    code = cache_key(
        __file__,
        bibstyle.__file__,
        citestyle.__file__,
        packages=("sphinxcontrib-bibtex", "pybtex", "pybtex-docutils", "docutils", "sphinx"),
    )
    return (code, *(repr(env.config[name]) for name in CITATION_SETTINGS))


def load_intext(app: Sphinx) -> None:
    """Start from the citations resolved by the previous build (unless it is clean)."""
    INTEXT.clear()
    _used.clear()
    _added.clear()
    _written.clear()
    path = Path(app.doctreedir) / CACHE_FILE
    if app.env.config_status == CONFIG_OK and path.is_file():
        kept = load_kept(path)  # None for a stale or partial file: start afresh
        if isinstance(kept, dict):
            INTEXT.update(kept)


def note_written(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Note a page whose references (and citations) this build resolved."""
    _written.add(docname)


def save_intext(app: Sphinx, exception: Exception | None) -> None:
    """Keep the resolved citations for the next build, if this build changed them.

    Citations of the pages this build wrote that it did not look up (removed, or of
    an edited source) are dropped, so the file holds the book's current citations.
    """
    if exception is not None:
        return
    stale = [key for key in INTEXT if key[4] in _written and key not in _used]
    for key in stale:
        del INTEXT[key]
    if _added or stale:
        path = Path(app.doctreedir) / CACHE_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(INTEXT))


def setup(app: Sphinx) -> ExtensionMetadata:
    """Replace sphinxcontrib-bibtex's ``cite`` domain with :class:`IndexedBibtexDomain`."""
    app.setup_extension("sphinxcontrib.bibtex")
    app.add_domain(IndexedBibtexDomain, override=True)
    app.connect("builder-inited", load_intext)
    app.connect("doctree-resolved", note_written)
    app.connect("build-finished", save_intext)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
