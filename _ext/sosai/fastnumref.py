"""Resolve ``{numref}`` without reading the target page's doctree from disk each time.

Sphinx 7 unpickles the whole doctree of the page that holds a figure or table for
every ``{numref}`` to it (``StandardDomain._resolve_numref_xref``). A chapter with
nine data tables is a large doctree, so two dozen references cost more than a second
per build, and the cost grows with the book. This replaces the standard domain with a
subclass that keeps each doctree it reads for numbering, read-only, for the rest of
the build. Nothing to write in MyST; the output is identical.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sphinx.domains.std import StandardDomain

from sosai import __version__

if TYPE_CHECKING:
    from docutils import nodes
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


def setup(app: Sphinx) -> ExtensionMetadata:
    """Replace the standard domain with :class:`CachingStandardDomain`."""
    app.add_domain(CachingStandardDomain, override=True)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
