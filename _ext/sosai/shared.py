"""Small helpers several of the book's extensions need, written once.

Not an extension (no ``setup()``): modules import what they use.

- :func:`reading_order`: the pages in table-of-contents order (the sitemap,
  ``llms.txt``, "Cited in" lines).
- :func:`base_url`: the published address, ``html_baseurl`` ending in ``/``, or None
  when the book sets none (feeds, sitemap, Markdown copies and meta tags need it).
- :func:`repository_url`: the book's repository on GitHub, from the theme's
  ``repository_url`` (Jupyter Book fills it from ``_config.yml``'s ``repository``).
- :func:`add_setting_once`: registers a setting two extensions read, whichever loads
  first, so neither has to load the other just for it.
- :class:`PageRecords`: one record per page kept in the environment, through Sphinx's
  own :class:`~sphinx.environment.collectors.EnvironmentCollector`, which forgets a
  page's record before it is read again and merges the records of parallel readers.
- :func:`cache_key`: the key of every cache kept between builds, from the code and
  the package versions the cached result depends on.
- :func:`is_web_url`: whether an address may be published as a link.
- :func:`publish_static`: publishes ``static/`` once, whoever asks first.
- :func:`site_file_link` and :func:`resolve_site_file_links`: links to files only the
  website publishes (data downloads, feeds), made relative to each page, and the
  paragraph holding them dropped from EPUB and PDF, where those files do not exist.
- :func:`atom_feed` and :func:`feed_link`: an Atom feed's XML and the ``<link>`` that
  announces it in a page's head ("What's new" and the data changelog).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import pickle
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from xml.etree import ElementTree as ET

from docutils import nodes
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.util.osutil import relative_uri

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment


# The extensions' scripts and styles (hover cards, tables and charts, comments).
STATIC = Path(__file__).parent / "static"

# Builders that publish the website, where data files, the feed and llms.txt live
# (EPUB and the singlehtml build behind the PDF are self-contained copies).
WEB_BUILDERS = frozenset({"html", "dirhtml"})

# The only addresses the book links to from its data and bibliography: http or https,
# without the characters that end a link in Markdown, HTML or BibTeX (spaces, quotes,
# brackets, braces, angle brackets, backslash, caret, backtick, bar, control
# characters), which a URL can always percent-encode (%28 for "("). A javascript: or
# data: address never becomes a link. The ``sources`` pattern in
# ``_data/schema/common.schema.json`` accepts the same URLs.
WEB_URL = re.compile(r"^https?://[^\s\u0000-\u001f\u007f<>\"'()\[\]{}|\\^`]+$")


def is_web_url(text: str) -> bool:
    """Whether ``text`` is an address the book may publish as a link (:data:`WEB_URL`)."""
    return WEB_URL.match(text) is not None


ATOM = "http://www.w3.org/2005/Atom"
NO_ENTRIES = "1970-01-01T00:00:00Z"  # a feed's ``updated`` while it has no entry


@dataclass(frozen=True)
class FeedEntry:
    """One entry of an Atom feed; ``id`` must stay the same from build to build."""

    title: str
    id: str
    updated: str  # RFC 3339, ``2026-12-04T00:00:00Z``
    link: str
    summary: str


def atom_feed(
    title: str, feed_id: str, alternate: str, author: str, entries: list[FeedEntry]
) -> str:
    """An Atom feed (RFC 4287) of ``entries``, in the order given (newest first).

    ``feed_id`` is the feed's own absolute URL (its id and its ``rel="self"`` link);
    ``alternate`` is the page that shows the same list. The feed's ``updated`` is its
    first entry's.
    """
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = text
        return element

    add(feed, "title", title)
    add(feed, "id", feed_id)
    add(feed, "link", href=alternate, rel="alternate")
    add(feed, "link", href=feed_id, rel="self")
    add(feed, "updated", entries[0].updated if entries else NO_ENTRIES)
    add(add(feed, "author"), "name", author)
    for item in entries:
        entry = add(feed, "entry")
        add(entry, "title", item.title)
        add(entry, "id", item.id)
        add(entry, "updated", item.updated)
        add(entry, "link", href=item.link)
        add(entry, "summary", item.summary)
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


def feed_link(title: str, href: str) -> str:
    """The ``<link rel="alternate">`` that announces a feed in a page's head."""
    title = title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f'\n<link rel="alternate" type="application/atom+xml" title="{title}" href="{href}" />'


def publish_static(app: Any) -> None:
    """Publish :data:`STATIC` with the book's static files (once, whoever asks first)."""
    if str(STATIC) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC))


# A reference's attribute: the path, from the site's root, of a file the website publishes.
SITE_FILE = "sosai_site_file"


def site_file_link(text: str, path: str) -> nodes.reference:
    """A link to ``path``, a file the website publishes; see :func:`resolve_site_file_links`."""
    return nodes.reference("", text, refuri="", internal=True, **{SITE_FILE: path})


def resolve_site_file_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Point each :func:`site_file_link` at its file, relative to the page being written.

    Only the website has those files: for other builders (EPUB, the single page behind
    the PDF) the paragraph that holds the link is removed instead. Extensions that make
    such links connect this to ``doctree-resolved`` with :func:`connect_once`.
    """
    web = app.builder.name in WEB_BUILDERS
    here = app.builder.get_target_uri(docname) if web else ""
    dropped: list[nodes.Element] = []
    for ref in doctree.findall(nodes.reference):
        if SITE_FILE not in ref:
            continue
        if web:
            ref["refuri"] = relative_uri(here, ref[SITE_FILE])
            continue
        paragraph = ref.parent
        while paragraph is not None and not isinstance(paragraph, nodes.paragraph):
            paragraph = paragraph.parent
        if paragraph is not None and not any(p is paragraph for p in dropped):
            dropped.append(paragraph)
    for paragraph in dropped:
        paragraph.parent.remove(paragraph)


def connect_once(app: Sphinx, event: str, handler: Any) -> None:
    """``app.connect(event, handler)``, unless another extension connected it already."""
    listeners = app.events.listeners.get(event, [])
    if not any(listener.handler is handler for listener in listeners):
        app.connect(event, handler)


def load_kept(path: Path) -> Any:
    """What an earlier build kept in ``path`` (a pickle), or None if it cannot be read.

    Anything can be wrong with a file an earlier build left: missing, cut short, or
    written by other code, even code whose modules have since moved (unpickling then
    raises ImportError). Every cache reads its file through here; None means start
    afresh.
    """
    try:
        return pickle.loads(path.read_bytes())
    except Exception:  # whatever was wrong, the cache is simply not used
        return None


@functools.cache
def cache_key(*module_files: str, packages: tuple[str, ...] = ()) -> str:
    """The key of a cache kept between builds: SHA-256 of the code and the versions.

    ``module_files`` are the ``__file__`` of every module whose code shapes the cached
    result (the module itself, and any style or helper it calls); ``packages`` are the
    distributions whose behaviour does (``"pybtex"``, ``"jsonschema"``). A change to
    any of them, an edit or an upgrade, starts the cache afresh. Every cache in
    ``_ext/sosai`` is keyed through here, so there is one rule to check.
    """
    digest = hashlib.sha256()
    for module_file in module_files:
        digest.update(Path(module_file).read_bytes())
    for package in packages:
        digest.update(f"\0{package}=={importlib.metadata.version(package)}".encode())
    return digest.hexdigest()


def add_setting_once(app: Sphinx, name: str, default: Any, rebuild: str, types: Any) -> None:
    """``app.add_config_value``, unless another extension registered ``name`` already."""
    if name not in app.config:
        app.add_config_value(name, default, rebuild, types=types)


def reading_order(app: Sphinx) -> list[str]:
    """Docnames in table-of-contents order, root first, each once."""
    seen: list[str] = []

    def walk(name: str) -> None:
        if name not in seen:
            seen.append(name)
            for child in app.env.toctree_includes.get(name, []):
                walk(child)

    walk(app.config.root_doc)
    return seen


def base_url(config: Config) -> str | None:
    """``html_baseurl`` ending in one ``/``, or None if it is not set."""
    base = str(config.html_baseurl or "")
    return base.rstrip("/") + "/" if base else None


def repository_url(config: Config) -> str:
    """The repository's address without a trailing ``/``; empty if the book has none."""
    options = config.html_theme_options or {}
    return str(options.get("repository_url", "")).rstrip("/")


class PageRecords(EnvironmentCollector):
    """A record per page, made when the page is read, kept in the environment.

    ``record`` makes it; ``attribute`` names the dict (docname -> record). Register a
    subclass with ``app.add_env_collector`` and read the records with :meth:`of`. A
    page whose ``record`` is None has no record.
    """

    attribute: ClassVar[str]
    # When the record is made among the ``doctree-read`` handlers (Sphinx's default 500);
    # later sees the nodes that other handlers add to the page.
    read_priority: ClassVar[int] = 500

    def enable(self, app: Sphinx) -> None:
        """Connect the collector, making the record at :attr:`read_priority`."""
        super().enable(app)
        if self.read_priority != 500 and self.listener_ids is not None:
            app.disconnect(self.listener_ids["doctree-read"])
            self.listener_ids["doctree-read"] = app.connect(
                "doctree-read", self.process_doc, priority=self.read_priority
            )

    def record(self, app: Sphinx, doctree: nodes.document) -> Any:
        """The page's record, from its doctree as read."""
        raise NotImplementedError

    @classmethod
    def of(cls, env: BuildEnvironment) -> dict[str, Any]:
        """Every page's record (docname -> record)."""
        if not hasattr(env, cls.attribute):
            setattr(env, cls.attribute, {})
        return getattr(env, cls.attribute)

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        """Forget the page's record before it is read again (or after it is removed)."""
        self.of(env).pop(docname, None)

    def merge_other(
        self, app: Sphinx, env: BuildEnvironment, docnames: Iterable[str], other: BuildEnvironment
    ) -> None:
        """Take the records of the pages a parallel reader read."""
        for docname in docnames:
            if docname in self.of(other):
                self.of(env)[docname] = self.of(other)[docname]

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        """Record the page just read."""
        value = self.record(app, doctree)
        if value is not None:
            self.of(app.env)[app.env.docname] = value
