"""Number figures and resolve ``{numref}`` without re-reading pages from disk.

Sphinx 7 reads pickled doctrees back for two numbering jobs, and both costs grow with
the book:

- after every build's reading phase, it walks the doctree of *every* page to number
  figures and tables (``TocTreeCollector.assign_figure_numbers``), even when one page
  changed: for this book, most of a second on each rebuild;
- it unpickles the whole doctree of the page that holds a figure or table for every
  ``{numref}`` to it (``StandardDomain._resolve_numref_xref``).

For the first, this keeps a skeleton of each page when it is read (its sections,
toctrees and numbered nodes with their captions, nothing else) and gives the
numbering walk the skeletons; each skeleton node is checked to be numbered exactly
as the original, or the original is kept. For the second, the standard domain is
replaced by a subclass that keeps each doctree it reads, read-only, for the rest of
the build. Nothing to write in MyST; the numbers and the output are identical.

Patches: ``TocTreeCollector.assign_figure_numbers`` (wrapped, so that it reads
skeletons) and the ``std`` domain (subclassed, overriding the private
``_resolve_numref_xref``); the skeletons copy the decisions of Sphinx 7.4's walk.
Checked against: Sphinx 7.4.7.
Saves (``make bench BENCH_ARGS=--speed``, 2026-12-04, medians of 2-3 builds on a shared
2-core machine, wall-clock and CPU seconds without it minus with all four): clean build 2.5 s
(quiet run) and 2.7 s CPU; one-chapter rebuild under 0.1 s (numbering is cheap then).
Upstream: Sphinx 8.2 changed the numbering code, so moving to it means checking the
skeletons again (see CONTRIBUTING's note on Sphinx 7); a numbering walk that did not
need whole doctrees would make this module unnecessary.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.domains.std import StandardDomain
from sphinx.environment.collectors.toctree import TocTreeCollector

from sosai import __version__
from sosai.shared import PageRecords

if TYPE_CHECKING:
    from collections.abc import Callable

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata


class CachingStandardDomain(StandardDomain):
    """The standard domain, reading each target page once for numbered references."""

    def _resolve_numref_xref(
        self, env: BuildEnvironment, fromdocname: str, builder: Any, *args: Any
    ) -> nodes.Element | None:
        cache: dict[str, nodes.document] = self.__dict__.setdefault("_numref_doctrees", {})
        read = env.get_doctree

        def cached(docname: str) -> nodes.document:
            # Only read here (to find the target node's type and number): safe to share.
            if docname not in cache:
                cache[docname] = read(docname)
            return cache[docname]

        env.get_doctree = cached  # type: ignore[method-assign]
        try:
            return super()._resolve_numref_xref(env, fromdocname, builder, *args)
        finally:
            del env.get_doctree  # back to the class's method


def figure_type(env: BuildEnvironment, node: nodes.Element) -> str | None:
    """The numbering type of ``node``, decided exactly as Sphinx's numbering walk does."""
    for domain in env.domains.values():
        figtype = domain.get_enumerable_node_type(node)
        if domain.name == "std" and not domain.get_numfig_title(node):  # type: ignore[attr-defined]
            continue  # uncaptioned: not numbered
        if figtype:
            return figtype
    return None


def skeleton_children(env: BuildEnvironment, element: nodes.Element) -> list[nodes.Element]:
    """What the numbering walk visits below ``element``, in order, and nothing else.

    Sections and toctrees keep their place (sections set section numbers, toctrees
    lead to other pages); a numbered node keeps its attributes and the children that
    make it numbered (caption, title, code block); every other element is dropped and
    its numbered descendants take its place, which the walk cannot tell apart.
    """
    kept: list[nodes.Element] = []
    for child in element.children:
        if not isinstance(child, nodes.Element):
            continue
        if isinstance(child, addnodes.toctree):
            kept.append(child.copy())  # the entries are attributes
        elif isinstance(child, nodes.section):
            section = child.copy()
            section.extend(skeleton_children(env, child))
            kept.append(section)
        elif (figtype := figure_type(env, child)) and child["ids"]:
            numbered = child.copy()
            for part in child.children:
                if isinstance(part, (nodes.caption, nodes.title)):
                    numbered.append(part.deepcopy())
                elif isinstance(part, nodes.literal_block):
                    numbered.append(part.copy())
            numbered.extend(skeleton_children(env, child))
            if figure_type(env, numbered) != figtype:  # a type decided by other content
                numbered = child.deepcopy()
            kept.append(numbered)
        else:
            kept.extend(skeleton_children(env, child))
    return kept


class Skeletons(PageRecords):
    """docname -> the page's numbering skeleton, made when the page is read."""

    attribute = "sosai_numbering_skeletons"
    read_priority = 900  # late: numbered nodes added by other doctree-read handlers count

    def record(self, app: Sphinx, doctree: nodes.document) -> nodes.Element:
        """The skeleton of the page just read: see :func:`skeleton_children`."""
        skeleton = nodes.Element()
        skeleton.extend(skeleton_children(app.env, doctree))
        for node in skeleton.findall():
            # A copied node, and text added to it, still point to the whole page (see
            # ``Element.copy``), which would be pickled into the environment with them.
            node.document = None
        return skeleton


def numbering_from_skeletons(
    assign: Callable[[TocTreeCollector, BuildEnvironment], list[str]],
) -> Callable[[TocTreeCollector, BuildEnvironment], list[str]]:
    """Wrap Sphinx's figure numbering so it walks skeletons, not unpickled doctrees."""

    @functools.wraps(assign)
    def assign_figure_numbers(self: TocTreeCollector, env: BuildEnvironment) -> list[str]:
        skeletons: dict[str, nodes.Element] = Skeletons.of(env)
        read = env.get_doctree

        def skeleton_or_doctree(docname: str) -> nodes.Element:
            # A page read before this extension was enabled has no skeleton yet.
            return skeletons[docname] if docname in skeletons else read(docname)

        env.get_doctree = skeleton_or_doctree  # type: ignore[method-assign]
        try:
            return assign(self, env)
        finally:
            del env.get_doctree  # back to the class's method

    assign_figure_numbers.sosai_skeletons = True  # type: ignore[attr-defined]
    return assign_figure_numbers


def setup(app: Sphinx) -> ExtensionMetadata:
    """Number figures from skeletons; replace the standard domain for ``{numref}``."""
    app.add_domain(CachingStandardDomain, override=True)
    if not getattr(TocTreeCollector.assign_figure_numbers, "sosai_skeletons", False):
        TocTreeCollector.assign_figure_numbers = numbering_from_skeletons(  # type: ignore[method-assign]
            TocTreeCollector.assign_figure_numbers
        )
    app.add_env_collector(Skeletons)
    return {
        "version": __version__,
        "env_version": 2,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
