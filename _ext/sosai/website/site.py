"""Derive the site's URL settings from ``html_baseurl``, so the URL is written once.

``html.baseurl`` in ``_config.yml`` (Sphinx's ``html_baseurl``) is the published
address of the book. From it this module writes, in every page's head, the
description and OpenGraph tags that link previews and search engines read
(``description``, ``og:title``, ``og:type``, ``og:url``, ``og:site_name``,
``og:description``); the description is the opening sentences of the page's first
paragraph outside admonitions and tables. (sphinxext-opengraph did this before, but
it imports matplotlib on start-up for social cards the book does not use, which cost
most of a second on every build.) It also fills
``notfound_urls_prefix`` (sphinx-notfound-page), the path the 404 page uses for its
CSS and links, so the page works when served for a missing URL at any depth.

HTML builds write ``sitemap.xml`` (https://www.sitemaps.org/protocol.html): every page
of the book in reading order, with the date of its last commit where git knows it.
(sphinx-sitemap did this before, but it lists only the pages the current build wrote,
so an incremental build left a sitemap of one or two pages, and it started a
multiprocessing manager process on every build.)

The dirhtml builder writes the 404 page as ``404/index.html``; GitHub Pages serves
``/404.html`` for a missing URL, so a copy is written there too (its links are
absolute, so it works from any depth).

HTML builds also get ``llms.txt`` (https://llmstxt.org): the book's title, a summary,
and a link to each chapter's Markdown copy (``sosai.website.markdown``: tables expanded,
citations and cross-references as the page shows them, at the page's URL plus
``index.html.md``) with its opening sentences, in table-of-contents order, then the
data files.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

from docutils import nodes

from sosai import __version__
from sosai.shared import WEB_BUILDERS, PageRecords, base_url, reading_order
from sosai.website.markdown import markdown_uri

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.util.typing import ExtensionMetadata


def derive_urls(app: Sphinx, config: Config) -> None:
    """Fill the URL settings other extensions need from ``html_baseurl``."""
    base = config.html_baseurl
    if not base:
        return
    if "notfound_urls_prefix" in config:
        config.notfound_urls_prefix = urlsplit(base).path or "/"


def copy_404_page(app: Sphinx, exception: Exception | None) -> None:
    """Write ``404.html`` at the site root, where GitHub Pages looks for it."""
    page = Path(app.outdir) / "404" / "index.html"
    if exception is None and app.builder.name == "dirhtml" and page.is_file():
        shutil.copyfile(page, Path(app.outdir) / "404.html")


def summary_of(doctree: nodes.document, limit: int = 200) -> str:
    """The opening sentences of a page's first paragraph outside admonitions and tables."""
    for paragraph in doctree.findall(nodes.paragraph):
        if any(isinstance(a, (nodes.Admonition, nodes.table)) for a in _ancestors(paragraph)):
            continue
        if any(c.startswith("sosai-") for c in paragraph["classes"]):  # badges, credits
            continue
        text = " ".join(paragraph.astext().split())
        if len(text) > 40:  # skip badge lines and one-word paragraphs
            # Whole sentences until there are at least 80 characters, cut at the limit.
            summary = ""
            for sentence in re.split(r"(?<=[.!?])\s", text):
                if len(summary) >= 80:
                    break
                summary = f"{summary} {sentence}".strip()
            if len(summary) <= limit:
                return summary
            return summary[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—–-") + "…"  # a whole word
    return ""


def _ancestors(node: nodes.Node) -> list[nodes.Node]:
    found = []
    while node.parent is not None:
        node = node.parent
        found.append(node)
    return found


class Summaries(PageRecords):
    """Each page's summary (:func:`summary_of`), for ``llms.txt`` and the 404 page."""

    attribute = "sosai_summaries"

    def record(self, app: Sphinx, doctree: nodes.document) -> str:
        """The page's summary, taken while it is read, so llms.txt reads no doctree."""
        return summary_of(doctree)


def write_llms_txt(app: Sphinx, exception: Exception | None) -> None:
    """Write ``llms.txt``: the chapters' Markdown copies and the data files."""
    base = base_url(app.config)
    if exception is not None or app.builder.name not in WEB_BUILDERS or base is None:
        return
    lines = [f"# {app.config.project}", ""]
    summaries = Summaries.of(app.env)
    lines += [f"> {summaries.get(app.config.root_doc, '')}", "", "## Chapters", ""]
    for docname in reading_order(app):
        title = app.env.titles[docname].astext()
        markdown = markdown_uri(app.builder.get_target_uri(docname))
        summary = summaries.get(docname, "")
        lines.append(f"- [{title}]({base}{markdown}): {summary}".rstrip(": "))
    # The tables' own downloads (sosai.features.data), not the catalogue's files beside them.
    folder = getattr(app.config, "sosai_data_dir", None)
    tables = {p.stem for p in (Path(app.srcdir) / folder).glob("*.yml")} if folder else set()
    exports = [p for p in sorted((Path(app.outdir) / "data").glob("*.json")) if p.stem in tables]
    if exports:
        lines += ["", "## Data", ""]
        if "sosai.features.catalogue" in app.extensions:
            lines += [
                f"- [catalogue]({base}data/catalogue.json): every table in one file, "
                f"with its JSON Schema at {base}data/catalogue.schema.json",
                f"- [changes]({base}data/changes.json): rows added, changed and removed, "
                "newest first",
            ]
        lines += [f"- [{p.stem}]({base}data/{p.name}): rows of the {p.stem} table" for p in exports]
    (Path(app.outdir) / "llms.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_sitemap(app: Sphinx, exception: Exception | None) -> None:
    """Write ``sitemap.xml``: every page, whichever pages this build wrote."""
    base = base_url(app.config)
    if exception is not None or app.builder.name not in WEB_BUILDERS or base is None:
        return
    # sphinx-last-updated-by-git: docname -> (commit timestamp, show source link) or None
    last_commit = getattr(app.env, "git_last_updated", {})
    urlset = ElementTree.Element("urlset", xmlns="http://www.sitemaps.org/schemas/sitemap/0.9")
    in_order = reading_order(app)
    orphans = sorted(app.env.found_docs - set(in_order))
    for docname in [*in_order, *orphans]:
        url = ElementTree.SubElement(urlset, "url")
        ElementTree.SubElement(url, "loc").text = base + app.builder.get_target_uri(docname)
        timestamp = (last_commit.get(docname) or (None,))[0]
        if timestamp is not None:
            day = datetime.fromtimestamp(int(timestamp), UTC).date()
            ElementTree.SubElement(url, "lastmod").text = day.isoformat()
    ElementTree.ElementTree(urlset).write(
        Path(app.outdir) / "sitemap.xml", encoding="utf-8", xml_declaration=True
    )


def add_meta_tags(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Add the description and OpenGraph tags of a page to its head."""
    base = base_url(app.config)
    not_found = pagename == getattr(app.config, "notfound_pagename", None)
    if (doctree is None and not not_found) or not base or app.builder.name not in WEB_BUILDERS:
        return
    # The 404 page has no paragraph of its own to summarise: the book's describes it.
    own = summary_of(doctree) if doctree is not None else ""
    description = own or Summaries.of(app.env).get(app.config.root_doc, "")
    title = context.get("title") or app.config.project
    tags = {
        ("property", "og:title"): striptags(title),
        ("property", "og:type"): "website",
        ("property", "og:url"): base + app.builder.get_target_uri(pagename),
        ("property", "og:site_name"): app.config.project,
    }
    if description:
        tags[("name", "description")] = description
        tags[("property", "og:description")] = description
    # Sphinx passes head tags to the template as HTML text; there is no node for them.
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<meta {kind}="{escape(name)}" content="{escape(value)}" />'
        for (kind, name), value in tags.items()
    )


def striptags(text: str) -> str:
    """Text without HTML tags (page titles may contain markup)."""
    return re.sub(r"<[^>]+>", "", text)


def setup(app: Sphinx) -> ExtensionMetadata:
    """Connect the URL settings, meta tags, 404 copy, sitemap and ``llms.txt``."""
    app.setup_extension("sosai.website.markdown")  # the pages' Markdown copies llms.txt links to
    # After the extensions whose settings it fills have registered them.
    app.connect("config-inited", derive_urls, priority=900)
    app.connect("html-page-context", add_meta_tags)
    app.add_env_collector(Summaries)
    app.connect("build-finished", copy_404_page)
    app.connect("build-finished", write_sitemap)
    # After sosai.features.data has exported the data files (default priority 500).
    app.connect("build-finished", write_llms_txt, priority=600)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
