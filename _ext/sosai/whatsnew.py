"""List the book's latest content changes, from git, with an Atom feed.

Usage in MyST (the "What's new" page)::

    ```{whats-new}
    :limit: 40
    ```

Renders a link to the feed, then the latest commits that changed content (chapters,
``_data`` tables, chart scripts, ``references.bib``), newest first: the date, the
chapters touched (linked) and the commit's summary line. A data file or chart counts
for the chapters whose source names it. HTML builds also write the same entries as an Atom feed,
``whats-new.xml`` (``sosai_whatsnew_feed``), announced in every page's head, so
returning readers see what moved. Computed from the local git history at build time:
no network. Without git history, the page says so and no feed is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from xml.etree import ElementTree as ET

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

from sosai import WEB_BUILDERS, __version__, contributors

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

DIRECTIVE_NAME = "whats-new"
ATOM = "http://www.w3.org/2005/Atom"
RECORD, FIELD = "\x1e", "\x1f"
DEFAULT_LIMIT = 40
FEED_CLASS = "sosai-feed"


@dataclass(frozen=True)
class Change:
    """One commit that changed content."""

    sha: str
    day: str  # YYYY-MM-DD
    timestamp: str  # ISO 8601 with offset
    summary: str
    docnames: tuple[str, ...]


def content_paths(app: Sphinx) -> list[str]:
    """The git pathspecs of the book's content."""
    config = app.config
    return [
        *(app.env.doc2path(d, base=False) for d in sorted(app.env.found_docs)),
        f"{config.sosai_data_dir}/*.yml",
        f"{config.sosai_charts_dir}/*.py",
        *bibfiles(config),
    ]


def bibfiles(config: Any) -> list[str]:
    """The bibliography files, if sphinxcontrib-bibtex is loaded."""
    return list(config.bibtex_bibfiles) if "bibtex_bibfiles" in config else []


def chapters_of(app: Sphinx, path: str, sources: dict[str, str]) -> list[str]:
    """The pages a changed file belongs to (a data file or chart: pages naming it)."""
    docs = {app.env.doc2path(d, base=False): d for d in sources}
    if path in docs:
        return [docs[path]]
    if path in bibfiles(app.config):
        return [d for d, text in sources.items() if "{bibliography}" in text]
    name = re.escape(Path(path).stem)
    pattern = re.compile(rf"_data/{name}\.yml|\{{data-chart\}}\s+{name}\b")
    return [d for d, text in sources.items() if pattern.search(text)]


def page_sources(app: Sphinx) -> dict[str, str]:
    """Every page's source text, in name order."""
    sources = {}
    for docname in sorted(app.env.found_docs):
        path = Path(app.env.doc2path(docname))
        sources[docname] = path.read_text(encoding="utf-8") if path.is_file() else ""
    return sources


def changes(app: Sphinx, limit: int) -> list[Change] | None:
    """The latest content changes, newest first; None without git history."""
    repo = contributors.repository(app)
    if repo is None:
        return None
    fmt = f"{RECORD}%H{FIELD}%ad{FIELD}%aI{FIELD}%s"
    out = contributors.git(
        repo,
        "log",
        "--no-merges",
        f"-n{limit}",
        "--date=short",
        f"--format={fmt}",
        "--name-only",
        "--",
        *content_paths(app),
    )
    sources = page_sources(app)
    found = []
    for record in (out or "").split(RECORD)[1:]:
        header, _, files = record.partition("\n")
        sha, day, timestamp, summary = header.split(FIELD)
        pages: list[str] = []
        for path in filter(None, (f.strip() for f in files.splitlines())):
            pages += [d for d in chapters_of(app, path, sources) if d not in pages]
        if pages:
            found.append(Change(sha, day, timestamp, summary, tuple(pages)))
    return found


def _store(env: BuildEnvironment) -> dict[str, list[Change]]:
    if not hasattr(env, "sosai_whatsnew"):
        env.sosai_whatsnew = {}  # docname of the page -> its changes
    return env.sosai_whatsnew


class WhatsNewDirective(SphinxDirective):
    """The ``whats-new`` directive."""

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {"limit": directives.positive_int}

    def run(self) -> list[nodes.Node]:
        """A bullet list of changes."""
        # New commits change the page without changing its source.
        contributors.note_history_dependency(self.env)
        found = changes(self.env.app, self.options.get("limit", DEFAULT_LIMIT))
        if found is None:
            return [nodes.paragraph("", "The change history is not available in this build.")]
        _store(self.env)[self.env.docname] = found
        repo_url = str(self.config.html_theme_options.get("repository_url", "")).rstrip("/")
        items = nodes.bullet_list(classes=["sosai-whats-new"])
        for change in found:
            paragraph = nodes.paragraph()
            paragraph += nodes.strong("", date.fromisoformat(change.day).strftime("%-d %B %Y"))
            paragraph += nodes.Text(" · ")
            for i, docname in enumerate(change.docnames):
                if i:
                    paragraph += nodes.Text(", ")
                ref = addnodes.pending_xref(
                    "",
                    refdomain="std",
                    reftype="doc",
                    reftarget=f"/{docname}",
                    refexplicit=False,
                    refdoc=self.env.docname,
                    refwarn=True,
                )
                ref += nodes.inline("", docname)
                paragraph += ref
            paragraph += nodes.Text(f": {change.summary}")
            if repo_url:
                paragraph += nodes.Text(" (")
                paragraph += nodes.reference(
                    "", change.sha[:7], refuri=f"{repo_url}/commit/{change.sha}"
                )
                paragraph += nodes.Text(")")
            items += nodes.list_item("", paragraph)
        self.set_source_info(items)
        feed = nodes.paragraph(classes=[FEED_CLASS])
        feed += nodes.Text("Follow these changes in a feed reader: ")
        feed += nodes.reference("", "Atom feed", refuri="", internal=True)
        feed += nodes.Text(".")
        return [feed, items]


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """Forget a page's changes before it is read again."""
    _store(env).pop(docname, None)


def merge(app: Sphinx, env: BuildEnvironment, docnames: Any, other: BuildEnvironment) -> None:
    """Combine records from parallel readers."""
    for docname in docnames:
        if docname in _store(other):
            _store(env)[docname] = _store(other)[docname]


def feed_xml(app: Sphinx, entries: list[Change], page: str) -> str:
    """The Atom feed of the changes."""
    base = app.config.html_baseurl.rstrip("/") + "/"
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = text
        return element

    add(feed, "title", f"{app.config.project}: what's new")
    add(feed, "id", base + app.config.sosai_whatsnew_feed)
    add(feed, "link", href=base + app.builder.get_target_uri(page), rel="alternate")
    add(feed, "link", href=base + app.config.sosai_whatsnew_feed, rel="self")
    add(feed, "updated", entries[0].timestamp if entries else "1970-01-01T00:00:00Z")
    author = add(feed, "author")
    add(author, "name", app.config.author)
    for change in entries:
        entry = add(feed, "entry")
        titles = [app.env.titles[d].astext() for d in change.docnames if d in app.env.titles]
        add(entry, "title", f"{', '.join(titles)}: {change.summary}")
        add(entry, "id", f"{base}#{change.sha}")
        add(entry, "updated", change.timestamp)
        add(entry, "link", href=base + app.builder.get_target_uri(change.docnames[0]))
        add(entry, "summary", change.summary)
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


def resolve_feed_link(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Point the feed link at the feed in HTML; drop it elsewhere (no feed there)."""
    for line in list(doctree.findall(nodes.paragraph)):
        if FEED_CLASS not in line["classes"]:
            continue
        if app.builder.name not in WEB_BUILDERS:
            line.parent.remove(line)
            continue
        for ref in line.findall(nodes.reference):
            here = app.builder.get_target_uri(docname)
            ref["refuri"] = relative_uri(here, app.config.sosai_whatsnew_feed)


def write_feed(app: Sphinx, exception: Exception | None) -> None:
    """Write the Atom feed next to the HTML pages."""
    store = _store(app.env)
    if exception is not None or app.builder.name not in WEB_BUILDERS or not store:
        return
    page, entries = sorted(store.items())[0]
    target = Path(app.outdir) / app.config.sosai_whatsnew_feed
    target.write_text(feed_xml(app, entries, page), encoding="utf-8")


def announce_feed(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """Add the feed's ``<link rel="alternate">`` to the page head.

    As sphinxext-opengraph does for its meta tags: no docutils node reaches the head.
    """
    if not _store(app.env) or not app.config.html_baseurl:
        return
    href = app.config.html_baseurl.rstrip("/") + "/" + app.config.sosai_whatsnew_feed
    title = f"{app.config.project}: what's new"
    context["metatags"] = context.get("metatags", "") + (
        f'\n<link rel="alternate" type="application/atom+xml" title="{title}" href="{href}" />'
    )


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register the ``whats-new`` directive, the feed and its settings."""
    app.setup_extension("sosai.contributors")
    app.setup_extension("sosai.charts")  # sosai_data_dir, sosai_charts_dir
    app.add_config_value("sosai_whatsnew_feed", "whats-new.xml", "html", types=frozenset({str}))
    app.add_directive(DIRECTIVE_NAME, WhatsNewDirective)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("doctree-resolved", resolve_feed_link)
    app.connect("build-finished", write_feed)
    app.connect("html-page-context", announce_feed)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
