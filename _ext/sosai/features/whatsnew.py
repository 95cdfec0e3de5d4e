"""The "What's new" page and its Atom feed, from a changelog written for readers.

Usage in MyST (the "What's new" page)::

    ```{whats-new}
    :limit: 40
    ```

Entries come from ``changes.yml`` at the book's root (``sosai_whatsnew_file``), one per
change a reader would notice, written by whoever made it::

    - date: 2026-12-04
      pages: [models, licences]
      text: Qwen3.8, Nemotron 3 Ultra and MiniMax's licence changes added.

Renders a link to the feed, then the latest entries, newest first: the date, the pages
(linked) and the text. HTML builds also write the same entries as an Atom feed,
``whats-new.xml`` (``sosai_whatsnew_feed``), announced in every page's head. An entry
with a bad date, an unknown page, no text or a control character in its text (which
XML, and so the feed, cannot hold) is left out with a warning naming the file and
line. The file is read as ``sosai.features.data`` reads data files (``data.read_yaml``): bytes
that are not UTF-8, malformed YAML, a key written twice or a file too large once its
aliases are expanded leave every entry out, with one warning at its line. (Before,
entries were commit subjects, which are written for developers and include changes
readers never see.)
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from sosai import __version__
from sosai.features import data
from sosai.shared import (
    WEB_BUILDERS,
    FeedEntry,
    PageRecords,
    atom_feed,
    base_url,
    connect_once,
    feed_link,
    resolve_site_file_links,
    site_file_link,
)

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

DIRECTIVE_NAME = "whats-new"
DEFAULT_LIMIT = 40
FEED_CLASS = "sosai-feed"
MAX_TEXT = 400  # characters: an entry is a sentence or two


@dataclass(frozen=True)
class Change:
    """One change, as readers are told of it."""

    day: str  # YYYY-MM-DD
    text: str
    docnames: tuple[str, ...]

    @property
    def timestamp(self) -> str:
        """The day as an Atom date."""
        return f"{self.day}T00:00:00Z"

    @property
    def key(self) -> str:
        """A stable id for the feed: the day and a digest of the text."""
        return f"{self.day}-{hashlib.sha256(self.text.encode()).hexdigest()[:10]}"


def _value_node(mapping: yaml.MappingNode, name: str) -> Any:
    for key, value in mapping.value:
        if key.value == name:
            return value
    return None


def read_changes(path: Path, found_docs: set[str]) -> list[Change]:
    """Every valid entry of the changelog, newest first; each bad one is warned about."""
    try:
        root = data.read_yaml(path)
    except OSError as exc:
        logger.warning(f"cannot read {path.name}: {exc}", location=f"{path}:",
                       type="sosai", subtype="whatsnew")  # fmt: skip
        return []
    except data.DataError as exc:
        for bad in exc.problems:
            logger.warning(f"{path.name}: {bad}", location=bad.location,
                           type="sosai", subtype="whatsnew")  # fmt: skip
        return []
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        logger.warning(f"{path.name} must be a list of changes", location=f"{path}:1",
                       type="sosai", subtype="whatsnew")  # fmt: skip
        return []
    found = []
    for item in root.value:
        line = item.start_mark.line + 1

        def problem(message: str, where: int = line) -> None:
            logger.warning(f"{path.name}: {message}", location=f"{path}:{where}",
                           type="sosai", subtype="whatsnew")  # fmt: skip

        if not isinstance(item, yaml.MappingNode):
            problem("a change is a mapping with date, pages and text")
            continue
        day_node, pages_node, text_node = (_value_node(item, k) for k in ("date", "pages", "text"))
        try:
            day = date.fromisoformat(str(day_node.value)).isoformat()
        except (AttributeError, TypeError, ValueError):
            problem("date must be a day, YYYY-MM-DD")
            continue
        if not isinstance(pages_node, yaml.SequenceNode) or not pages_node.value:
            problem("pages must list the pages the change is on")
            continue
        pages = tuple(str(p.value) for p in pages_node.value)
        unknown = [p for p in pages if p not in found_docs]
        if unknown:
            problem(f"no such page: {', '.join(unknown)}", pages_node.start_mark.line + 1)
            continue
        written = text_node.value if isinstance(text_node, yaml.ScalarNode) else ""
        text = " ".join(written.split())
        if not text or len(text) > MAX_TEXT:
            problem(f"text must be a sentence or two (1 to {MAX_TEXT} characters)")
            continue
        control = [c for c in text if unicodedata.category(c) == "Cc"]
        if control:
            problem(f"text has a control character, U+{ord(control[0]):04X}, which the feed "
                    "cannot hold", text_node.start_mark.line + 1)  # fmt: skip
            continue
        found.append(Change(day, text, pages))
    return sorted(found, key=lambda c: c.day, reverse=True)  # stable: file order within a day


def changes_file(app: Sphinx) -> Path:
    """Where the changelog is: ``sosai_whatsnew_file`` under the book's source."""
    return Path(app.srcdir) / app.config.sosai_whatsnew_file


class PageChanges(PageRecords):
    """docname of the page that shows the changes -> its changes.

    The directive records them when it runs; the collector forgets them before the
    page is read again and merges parallel readers' records.
    """

    attribute = "sosai_whatsnew"

    def record(self, app: Sphinx, doctree: nodes.document) -> None:
        """Nothing to take from the doctree: the directive has recorded the changes."""


def _store(env: BuildEnvironment) -> dict[str, list[Change]]:
    return PageChanges.of(env)


class WhatsNewDirective(SphinxDirective):
    """The ``whats-new`` directive."""

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {"limit": directives.positive_int}

    def run(self) -> list[nodes.Node]:
        """A bullet list of changes."""
        path = changes_file(self.env.app)
        self.env.note_dependency(str(path))
        if not path.is_file():
            return [nodes.paragraph("", "No changes have been recorded yet.")]
        found = read_changes(path, self.env.found_docs)[: self.options.get("limit", DEFAULT_LIMIT)]
        _store(self.env)[self.env.docname] = found
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
            paragraph += nodes.Text(f": {change.text}")
            items += nodes.list_item("", paragraph)
        self.set_source_info(items)
        feed = nodes.paragraph(classes=[FEED_CLASS])
        feed += nodes.Text("Follow these changes in a feed reader: ")
        feed += site_file_link("Atom feed", self.config.sosai_whatsnew_feed)
        feed += nodes.Text(".")
        return [feed, items]


def feed_xml(app: Sphinx, entries: list[Change], page: str) -> str:
    """The Atom feed of the changes (:func:`sosai.shared.atom_feed`)."""
    base = base_url(app.config)
    page_url = base + app.builder.get_target_uri(page)
    items = []
    for change in entries:
        titles = [app.env.titles[d].astext() for d in change.docnames if d in app.env.titles]
        items.append(
            FeedEntry(
                title=f"{', '.join(titles)}: {change.text}",
                id=f"{page_url}#{change.key}",
                updated=change.timestamp,
                link=base + app.builder.get_target_uri(change.docnames[0]),
                summary=change.text,
            )
        )
    title = f"{app.config.project}: what's new"
    return atom_feed(
        title, base + app.config.sosai_whatsnew_feed, page_url, app.config.author, items
    )


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
    base = base_url(app.config)
    if not _store(app.env) or base is None:
        return
    title = f"{app.config.project}: what's new"
    context["metatags"] = context.get("metatags", "") + feed_link(
        title, base + app.config.sosai_whatsnew_feed
    )


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register the ``whats-new`` directive, the feed and its settings."""
    app.add_config_value("sosai_whatsnew_feed", "whats-new.xml", "html", types=frozenset({str}))
    app.add_config_value("sosai_whatsnew_file", "changes.yml", "env", types=frozenset({str}))
    app.add_directive(DIRECTIVE_NAME, WhatsNewDirective)
    app.add_env_collector(PageChanges)
    connect_once(app, "doctree-resolved", resolve_site_file_links)  # the feed link
    app.connect("build-finished", write_feed)
    app.connect("html-page-context", announce_feed)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
