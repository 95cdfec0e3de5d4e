"""How the book's citations read: author and year, unambiguous and compact.

Usage: load the extension and set ``bibtex_reference_style = "sosai"`` (registered
here). In MyST, ``{cite:p}`` and ``{cite:t}`` work as before.

- In-text citations read "(Jiang et al., 2024; Meta AI, 2025)" and, for ``{cite:t}``,
  "Jiang et al. (2024)": parentheses, and works separated by semicolons
  (sphinxcontrib-bibtex's ``author_year`` style uses brackets and commas, which run
  the works of a citation together).
- Where one label would stand for several works ("NVIDIA, 2026"), each gets a letter
  after its year, in the order of the References page (author, year, title):
  "NVIDIA, 2026a", "NVIDIA, 2026b". The letter is added to the entry's year when the
  bibliography is loaded, so the text, the References page and the hover cards agree.
  Pages citing a work whose label changed are written again.
- Within one citation, consecutive works with the same author label show the name
  once, "(Ollama, 2026a, 2026c)", and a work cited twice appears once.
- The References page (whose entries ``sosai.features.bibstyle`` labels "Author, Year") opens
  with an A-Z line linking to the first entry under each letter.
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sphinxcontrib.bibtex.plugin
from docutils import nodes
from sphinxcontrib.bibtex.style.referencing import BracketStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

from sosai import __version__
from sosai.features.bibstyle import SortingStyle, author_label, citation_label

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

STYLE_NAME = "sosai"
YEAR = re.compile(r"^(\d{4})[a-z]*$")  # a year, perhaps with letters this module added


def _parentheses() -> BracketStyle:
    return BracketStyle(left="(", right=")", sep="; ")


@dataclass
class ReferenceStyle(AuthorYearReferenceStyle):
    """``author_year`` with parentheses and semicolons between works."""

    bracket_textual: BracketStyle = field(default_factory=_parentheses)
    bracket_parenthetical: BracketStyle = field(default_factory=_parentheses)


def _original_year(entry: Any) -> str:
    year = str(entry.fields.get("year", ""))
    match = YEAR.match(year)
    return match.group(1) if match else year


def letters(index: int) -> str:
    """0 -> "a", 25 -> "z", 26 -> "aa", 27 -> "ab": as many works as share a label."""
    prefix = letters(index // 26 - 1) if index >= 26 else ""
    return prefix + string.ascii_lowercase[index % 26]


def add_year_letters(entries: dict[str, Any]) -> dict[str, str]:
    """Give works that share a label a letter after the year; return every label.

    Idempotent: letters added by an earlier build are removed before they are
    worked out again, so adding or removing a work re-letters its group.
    """
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for entry in entries.values():
        if "year" in entry.fields:
            entry.fields["year"] = _original_year(entry)
        groups[(author_label(entry), _original_year(entry))].append(entry)
    sorting = SortingStyle()
    for group in groups.values():
        if len(group) > 1:
            for index, entry in enumerate(sorted(group, key=sorting.sorting_key)):
                entry.fields["year"] = _original_year(entry) + letters(index)
    return {key: citation_label(entry) for key, entry in entries.items()}


def _labels(env: BuildEnvironment) -> dict[str, str]:
    if not hasattr(env, "sosai_cite_labels"):
        env.sosai_cite_labels = {}  # bib key -> "Author, Year" as of the last build
    return env.sosai_cite_labels


def letter_entries(app: Sphinx) -> None:
    """Add the year letters once sphinxcontrib-bibtex has loaded the bibliography."""
    if "cite" not in app.env.domains:
        return
    entries = app.env.get_domain("cite").bibdata.data.entries
    labels = add_year_letters(entries)
    previous = _labels(app.env)
    changed = {key for key, label in labels.items() if previous.get(key) != label}
    app.sosai_relabelled = changed if previous else set()
    app.env.sosai_cite_labels = labels


def pages_with_relabelled_citations(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Pages citing a work whose label changed since the last build: write them again."""
    changed = getattr(app, "sosai_relabelled", set())
    if not changed:
        return []
    domain = env.get_domain("cite")
    return sorted(
        {
            ref.docname
            for ref in domain.citation_refs
            if any(target.key in changed for target in ref.targets)
        }
    )


def _same_label_text(reference: nodes.Element) -> tuple[str, str] | None:
    """``("Ollama", "2026a")`` from a citation link reading "Ollama, 2026a"."""
    name, sep, year = reference.astext().rpartition(", ")
    return (name, year) if sep and YEAR.match(year) else None


def _is_separator(node: nodes.Node | None) -> bool:
    return isinstance(node, nodes.Text) and node.astext() == "; "


def compact_citations(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """In each citation, name consecutive works by the same authors once; drop repeats.

    The children are rebuilt as a new list: docutils compares text nodes by their
    text, so removing or replacing one separator in place could hit another.
    """
    for citation in doctree.findall(nodes.inline):
        if "bibtex-citation" not in citation["classes"]:
            continue
        seen: set[str] = set()
        previous_name = None
        kept: list[nodes.Node] = []
        for child in citation.children:
            if isinstance(child, nodes.reference):
                target = child.get("refuri") or child.get("refid") or ""
                if target in seen:  # the same work again: drop it and the separator before it
                    if kept and _is_separator(kept[-1]):
                        kept.pop()
                    continue
                seen.add(target)
                parts = _same_label_text(child)
                if parts and parts[0] == previous_name:
                    child.children = []
                    child.append(nodes.Text(parts[1]))
                    if kept and _is_separator(kept[-1]):
                        kept[-1] = nodes.Text(", ")
                previous_name = parts[0] if parts else None
            kept.append(child)
        if len(kept) != len(citation.children) or any(
            a is not b for a, b in zip(kept, citation.children, strict=True)
        ):
            citation.children = []
            citation.extend(kept)


def add_alphabet(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Open the References page's list with links to the first entry for each letter."""
    citations = [c for c in doctree.findall(nodes.citation) if c["ids"]]
    if len(citations) < 2:
        return
    firsts: dict[str, str] = {}
    for citation in citations:
        label = next(iter(citation.findall(nodes.label)), None)
        text = label.astext().strip() if label is not None else ""
        letter = text[:1].upper() if text[:1].isalpha() else "#"  # ".txt" files under "#"
        firsts.setdefault(letter, citation["ids"][0])
    line = nodes.paragraph(classes=["sosai-alphabet"])
    for i, (letter, target) in enumerate(sorted(firsts.items())):
        if i:
            line += nodes.Text(" ")
        line += nodes.reference("", letter, internal=True, refid=target)
    first = citations[0]
    parent = first.parent
    parent.insert(parent.index(first), line)


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register the referencing style; letter, compact and index the citations."""
    app.setup_extension("sosai.features.bibstyle")
    sphinxcontrib.bibtex.plugin.register_plugin(
        "sphinxcontrib.bibtex.style.referencing", STYLE_NAME, ReferenceStyle, force=True
    )
    # After sphinxcontrib-bibtex has loaded the bibliography (its handler: priority 500).
    app.connect("builder-inited", letter_entries, priority=600)
    app.connect("env-updated", pages_with_relabelled_citations)
    app.connect("doctree-resolved", compact_citations)
    app.connect("doctree-resolved", add_alphabet)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
