"""Linked badges for the landing page, built from nodes with no remote images.

Usage in MyST::

    ```{badges}
    ```

Renders, in one paragraph:

- *commits (30 days)*: commits in the 30 days before the build, linking to the
  commit-activity graph;
- *licence*: ``sosai_licence``, linking to the repository's ``LICENCE`` file;
- *DOI*: ``sosai_doi``, only when it is set, linking to https://doi.org/;
- *Open in GitHub Codespaces*.

The commit count is computed at build time from the local history (no network);
without git it is left out. There is no "last updated" badge: the date of the latest
commit counts changes to code too, and the page's footer already gives the date its
content last changed (sphinx-last-updated-by-git), so the page shows one date.

Each badge is a ``reference`` holding two ``inline`` spans (classes
``sosai-badge-label`` and ``sosai-badge-value``, styled in the book's CSS with colours
that pass WCAG AA contrast), so it degrades to plain link text in builders other than
HTML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from sosai import __version__
from sosai.features import contributors
from sosai.shared import add_setting_once, repository_url

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

DIRECTIVE_NAME = "badges"
GITHUB = "https://github.com/"
ACTIVITY_DAYS = 30


def badge(label: str, value: str, url: str, tone: str = "blue") -> nodes.reference:
    """One linked badge: a grey label and a coloured value (tone: blue, green, dark)."""
    ref = nodes.reference("", "", refuri=url, classes=["sosai-badge"])
    ref += nodes.inline("", label, classes=["sosai-badge-label"])
    ref += nodes.inline("", value, classes=["sosai-badge-value", f"sosai-badge-{tone}"])
    return ref


def recent_commits(app: Sphinx) -> str | None:
    """How many commits the last 30 days saw, or None without git."""
    repo = contributors.repository(app)
    if repo is None:
        return None
    recent = contributors.git(
        repo, "rev-list", "--count", f"--since={ACTIVITY_DAYS} days ago", "HEAD"
    )
    return recent.strip() if recent is not None else None


class BadgesDirective(SphinxDirective):
    """The ``badges`` directive."""

    has_content = False
    option_spec: ClassVar[dict] = {}

    def run(self) -> list[nodes.Node]:
        """A paragraph of badges."""
        repo_url = repository_url(self.config)
        paragraph = nodes.paragraph(classes=["sosai-badges"])
        badges: list[nodes.Node] = []
        recent = recent_commits(self.env.app)
        if recent is not None and repo_url:
            contributors.note_history_dependency(self.env)  # the count changes with commits
            badges.append(
                badge(
                    f"commits ({ACTIVITY_DAYS} days)",
                    recent,
                    f"{repo_url}/graphs/commit-activity",
                    "blue",
                )
            )
        if repo_url:
            branch = self.config.html_theme_options.get("repository_branch") or "main"
            badges.append(
                badge("licence", self.config.sosai_licence, f"{repo_url}/blob/{branch}/LICENCE")
            )
        if self.config.sosai_doi:
            doi = self.config.sosai_doi
            badges.append(badge("DOI", doi, f"https://doi.org/{doi}", "dark"))
        if repo_url.startswith(GITHUB):
            slug = repo_url.removeprefix(GITHUB)
            badges.append(
                badge("Open in", "GitHub Codespaces", f"https://codespaces.new/{slug}?quickstart=1")
            )
        for i, item in enumerate(badges):
            if i:
                paragraph += nodes.Text(" ")
            paragraph += item
        self.set_source_info(paragraph)
        return [paragraph] if badges else []


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register ``sosai_licence``, ``sosai_doi`` and the ``badges`` directive."""
    app.setup_extension("sosai.features.contributors")
    add_setting_once(app, "sosai_licence", "CC-BY-4.0", "env", frozenset({str}))  # catalogue too
    add_setting_once(
        app, "sosai_doi", "", "env", frozenset({str})
    )  # sosai.features.cite_this_book too
    app.add_directive(DIRECTIVE_NAME, BadgesDirective)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
