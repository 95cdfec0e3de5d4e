"""End every chapter with a feedback note and its contributors.

Authors write nothing: each page except the landing page (and those listed in
``sosai_footer_exclude``) ends with

- a note linking to an issue form prefilled with the chapter (report something
  outdated or wrong), to the page's source on GitHub (edit it), and to the comments;
- the chapter's contributors, from ``sosai.features.contributors``;
- a comments area. The utterances settings come from sphinx-comments'
  ``comments_config`` (``html.comments.utterances`` in ``_config.yml``), but the
  thread loads only when the reader presses "Show comments"
  (``static/sosai-comments.js``): sphinx-comments' own script, which loads
  utteranc.es on every page view, is removed. So a page view makes no third-party
  request, and a page without the footer (the landing page) no failing one.

Links come from ``html_theme_options`` (``repository_url``, ``repository_branch``,
``path_to_docs``), which Jupyter Book fills from ``_config.yml``'s ``repository``.
The footer is made of standard nodes, so every builder renders it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from docutils import nodes
from sphinx.transforms import SphinxTransform

from sosai import __version__
from sosai.features import contributors
from sosai.shared import publish_static, repository_url

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.util.typing import ExtensionMetadata

ISSUE_FORM = "outdated.yml"  # .github/ISSUE_TEMPLATE/outdated.yml


def repository_links(config: Config, docname: str, source: str) -> tuple[str, str] | None:
    """(report-an-issue URL, edit URL) for a page, or None without a repository URL."""
    repo = repository_url(config)
    if not repo:
        return None
    options = config.html_theme_options or {}
    branch = options.get("repository_branch") or "main"
    prefix = str(options.get("path_to_docs") or "").strip("/")
    path = f"{prefix}/{source}" if prefix else source
    query = urlencode(
        {"template": ISSUE_FORM, "title": f"[{docname}] ", "labels": "content", "page": docname}
    )
    return f"{repo}/issues/new?{query}", f"{repo}/edit/{branch}/{path}"


class AppendFooter(SphinxTransform):
    """Append the feedback footer to every chapter."""

    default_priority = 880  # after the page is parsed, before references are resolved

    def apply(self, **kwargs: object) -> None:
        """Build the footer for the current document."""
        docname = self.env.docname
        if docname == self.config.root_doc or docname in self.config.sosai_footer_exclude:
            return
        source = self.env.doc2path(docname, base=False)
        footer = nodes.container(classes=["sosai-footer"])
        footer += nodes.rubric("", "Feedback and credits")

        links = repository_links(self.config, docname, source)
        if links:
            issue_url, edit_url = links
            footer += nodes.paragraph(
                "",
                "Spotted something outdated or wrong? ",
                nodes.reference("", "Report it with a source", refuri=issue_url),
                nodes.Text(", "),
                nodes.reference("", "edit this page", refuri=edit_url),
                nodes.Text(", or comment below."),
            )

        people = self._contributors(docname)
        if people:
            footer += nodes.paragraph(
                "",
                "Written by ",
                *contributors.contributor_nodes(people),
                nodes.Text("."),
                classes=["sosai-contributors"],
            )
        footer += nodes.container(classes=["section", "sosai-comments"])

        sections = [n for n in self.document.children if isinstance(n, nodes.section)]
        (sections[-1] if sections else self.document).append(footer)

    def _contributors(self, docname: str) -> list[contributors.Contributor]:
        repo = contributors.repository(self.app)
        if repo is None:
            return []
        srcdir = Path(self.env.srcdir)
        # The data and chart folders, where the data and charts extensions are loaded.
        folders = (getattr(self.config, s, None) for s in ("sosai_data_dir", "sosai_charts_dir"))
        content_dirs = {(srcdir / folder).resolve() for folder in folders if folder}
        files = [Path(self.env.doc2path(docname))]
        for dependency in sorted(self.env.dependencies.get(docname, ())):
            path = (srcdir / dependency).resolve()
            if path.parent in content_dirs:
                files.append(path)
        return contributors.chapter_contributors(
            repo, files, self.config.sosai_contributors_min_share
        )


def comments_on_request(app: Sphinx) -> None:
    """Publish the on-request comments script and its utterances settings."""
    publish_static(app)
    settings = (getattr(app.config, "comments_config", None) or {}).get("utterances")
    if settings:
        app.add_js_file(None, body=f"window.SOSAI_UTTERANCES = {json.dumps(settings)};")
        app.add_js_file("sosai-comments.js", loading_method="defer")


def drop_autoloading_comments(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Remove sphinx-comments' script, which loads utterances on every page view."""
    scripts = context.get("script_files", [])  # the builder's list: edit it in place
    scripts[:] = [js for js in scripts if getattr(js, "attributes", {}).get("kind") != "utterances"]


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register ``sosai_footer_exclude``, the footer transform and the comments loader."""
    app.setup_extension("sosai.features.contributors")
    app.add_config_value("sosai_footer_exclude", [], "env", types=frozenset({list}))
    app.add_transform(AppendFooter)
    app.connect("builder-inited", comments_on_request)
    app.connect("html-page-context", drop_autoloading_comments)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
