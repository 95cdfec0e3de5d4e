"""All the book's data in one versioned file, its schemas, and a changelog of its rows.

HTML builds write, under ``data/`` (``sosai.features.data.EXPORT_DIR``), beside each
table's CSV and JSON downloads:

- ``catalogue.json``: ``title``, ``edition`` (``sosai_edition``), ``version`` (Sphinx's
  ``release`` when set, else the day of the build), ``built`` (the day of the build,
  from ``SOURCE_DATE_EPOCH`` when set: :func:`sosai.features.freshness.build_date`),
  ``url`` (``html_baseurl``), ``licence`` (``sosai_licence``), ``sources`` (each bib key
  cited by a row, with its URL) and ``tables``: per data file, its ``title`` and
  ``description`` (from its schema), ``fresh_for_months`` (``x-fresh-for-months``),
  ``as_of`` (the oldest row's month), ``schema`` (``data/schema/<name>.schema.json``),
  ``columns`` (field -> title), ``rows`` (the file's rows as they are, so each validates
  against the table's schema) and ``last_changed`` (row id -> the day its content last
  changed, ``sosai.features.rowhistory``).
- ``catalogue.schema.json``: the JSON Schema of ``catalogue.json``, the file beside this
  module (written by hand, not generated), and ``schema/``: every
  ``_data/schema/*.schema.json`` as it is (they refer to each other by file name).
- ``changes.json``: every row event in the data files' git history, newest first:
  ``date``, ``table``, ``row``, ``kind`` (added, changed or removed), ``fields`` (what
  changed) and ``commit``. Empty without git's full history.
- ``changes.xml``: the same as an Atom feed (``sosai.shared.atom_feed``), one entry per
  commit and table, the latest :data:`FEED_LIMIT`; an entry's id is the feed's URL and
  ``#<table>-<commit>``, the same in every build. It links to the commit on GitHub.
  Written when ``html_baseurl`` is set (a feed needs absolute addresses).

The page with the ``data-catalogue`` directive (the "Using the data" page) links to
these files and announces the feed in its head; no other page does.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes

from sosai import __version__
from sosai.features import data, datatable, freshness, rowhistory
from sosai.shared import (
    WEB_BUILDERS,
    FeedEntry,
    PageRecords,
    add_setting_once,
    atom_feed,
    base_url,
    feed_link,
    repository_url,
)

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

CATALOGUE = "catalogue.json"
CATALOGUE_SCHEMA = "catalogue.schema.json"
SCHEMA_FILE = Path(__file__).with_name(CATALOGUE_SCHEMA)  # published as written
SCHEMA_DIR = "schema"
CHANGES = "changes.json"
FEED = "changes.xml"
FEED_LIMIT = 100  # entries (commit and table) in the feed
NAMED = 12  # row ids a feed entry names per kind; the rest are counted


class CataloguePages(PageRecords):
    """docname -> True for the page that shows the ``data-catalogue`` (the Data page)."""

    attribute = "sosai_catalogue_pages"

    def record(self, app: Sphinx, doctree: nodes.document) -> bool | None:
        """Whether the page shows the catalogue list."""
        for listing in doctree.findall(nodes.bullet_list):
            if datatable.CATALOGUE_CLASS in listing["classes"]:
                return True
        return None


def _json(value: Any) -> Any:
    """A value as JSON has it (YAML's dates become text), as the downloads write it."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def table_entry(dataset: data.Dataset, changed: dict[str, str]) -> dict[str, Any]:
    """One table of the catalogue."""
    try:
        fresh_for: int | None = freshness.rule(dataset)
    except ValueError:
        fresh_for = None
    return {
        "title": dataset.schema.get("title", dataset.name),
        "description": dataset.schema.get("description"),
        "fresh_for_months": fresh_for,
        "as_of": data.oldest_as_of(dataset.rows),
        "schema": f"{data.EXPORT_DIR}/{SCHEMA_DIR}/{dataset.schema_path.name}",
        "columns": {f: dataset.title(f) for f in dataset.properties},
        "rows": _json(dataset.rows),
        "last_changed": {row_id: day[:10] for row_id, day in sorted(changed.items())},
    }


def catalogue(
    app: Sphinx,
    datasets: list[data.Dataset],
    histories: dict[str, rowhistory.FileHistory] | None,
    urls: dict[str, str],
) -> dict[str, Any]:
    """The whole catalogue (see the module's docstring)."""
    base = base_url(app.config)
    built = freshness.build_date().isoformat()
    cited = sorted({str(s) for d in datasets for r in d.rows for s in r.get("sources", [])})
    document: dict[str, Any] = {}
    if base:
        document["$schema"] = f"{base}{data.EXPORT_DIR}/{CATALOGUE_SCHEMA}"
    document |= {
        "title": app.config.project,
        "edition": getattr(app.config, "sosai_edition", "") or app.config.release or built[:4],
        "version": app.config.release or built,
        "built": built,
        "url": base,
        "licence": app.config.sosai_licence,
        "sources": {key: urls[key] for key in cited if key in urls},
        "tables": {},
    }
    for dataset in datasets:
        history = (histories or {}).get(dataset.name)
        changed = history.last_changed(dataset.rows) if history else {}
        document["tables"][dataset.name] = table_entry(dataset, changed)
    return document


def changes(histories: dict[str, rowhistory.FileHistory] | None) -> list[dict[str, Any]]:
    """Every row event, newest first (then by table and row)."""
    events = sorted(
        (e for h in (histories or {}).values() for e in h.events),
        key=lambda e: (e.table, e.row_id),
    )
    events.sort(key=lambda e: e.date, reverse=True)  # stable: table and row within a date
    return [
        {
            "date": e.date,
            "table": e.table,
            "row": e.row_id,
            "kind": e.kind,
            "fields": list(e.fields),
            "commit": e.commit,
        }
        for e in events
    ]


def _named(ids: list[str]) -> str:
    shown = ", ".join(ids[:NAMED])
    return shown + (f" and {len(ids) - NAMED} more" if len(ids) > NAMED else "")


def feed_entries(
    listed: list[dict[str, Any]], titles: dict[str, str], feed_url: str, repo: str, page: str
) -> list[FeedEntry]:
    """One entry per commit and table, newest first, at most :data:`FEED_LIMIT`."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for change in listed:
        groups.setdefault((change["commit"], change["table"]), []).append(change)
    entries = []
    for (commit, table), group in list(groups.items())[:FEED_LIMIT]:
        counts = Counter(c["kind"] for c in group)
        kinds = [k for k in (rowhistory.ADDED, rowhistory.CHANGED, rowhistory.REMOVED) if counts[k]]
        summary = []
        for kind in kinds:
            ids = [
                c["row"] + (f" ({', '.join(c['fields'])})" if c["fields"] else "")
                for c in group
                if c["kind"] == kind
            ]
            summary.append(f"{kind.capitalize()}: {_named(ids)}.")
        entries.append(
            FeedEntry(
                title=f"{titles.get(table, table)}: "
                + ", ".join(f"{counts[k]} {k}" for k in kinds),
                id=f"{feed_url}#{table}-{commit}",
                updated=group[0]["date"],
                link=f"{repo}/commit/{commit}" if repo else page,
                summary=" ".join(summary),
            )
        )
    return entries


def write_catalogue(app: Sphinx, exception: Exception | None) -> None:
    """Write the catalogue, the schemas, the changelog and its feed (HTML only)."""
    if exception is not None or app.builder.name not in WEB_BUILDERS:
        return
    folder = Path(app.outdir) / data.EXPORT_DIR
    (folder / SCHEMA_DIR).mkdir(parents=True, exist_ok=True)
    source = data.data_dir(app)
    for schema in sorted((source / data.SCHEMA_DIR).glob(f"*{data.SCHEMA_SUFFIX}")):
        shutil.copyfile(schema, folder / SCHEMA_DIR / schema.name)
    shutil.copyfile(SCHEMA_FILE, folder / CATALOGUE_SCHEMA)

    datasets = []
    for path in sorted(source.glob("*.yml")):
        try:
            datasets.append(data.load(path))
        except data.DataError:
            continue  # reported, at its file and line, when the build started
    histories = rowhistory.histories((d.path for d in datasets), app.doctreedir)
    document = catalogue(app, datasets, histories, data.bib_urls(app))
    _write_json(folder / CATALOGUE, document)
    listed = changes(histories)
    _write_json(folder / CHANGES, listed)

    base = base_url(app.config)
    pages = sorted(CataloguePages.of(app.env))
    if base is None:
        return
    feed_url = f"{base}{data.EXPORT_DIR}/{FEED}"
    page = base + app.builder.get_target_uri(pages[0]) if pages else base
    titles = {name: table["title"] for name, table in document["tables"].items()}
    entries = feed_entries(listed, titles, feed_url, repository_url(app.config), page)
    title = f"{app.config.project}: changes to the data"
    xml = atom_feed(title, feed_url, page, app.config.author, entries)
    (folder / FEED).write_text(xml, encoding="utf-8")


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def announce_feed(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """Announce the data's feed in the head of the page that shows the catalogue."""
    base = base_url(app.config)
    if base is None or pagename not in CataloguePages.of(app.env):
        return
    title = f"{app.config.project}: changes to the data"
    href = f"{base}{data.EXPORT_DIR}/{FEED}"
    context["metatags"] = context.get("metatags", "") + feed_link(title, href)


def setup(app: Sphinx) -> ExtensionMetadata:
    """Write the catalogue and its changelog in HTML builds; announce the feed."""
    app.setup_extension("sosai.features.datatable")
    add_setting_once(app, "sosai_licence", "CC-BY-4.0", "env", frozenset({str}))
    add_setting_once(app, "sosai_edition", "2026", "env", frozenset({str}))  # cite_this_book too
    app.add_env_collector(CataloguePages)
    app.connect("build-finished", write_catalogue)
    app.connect("html-page-context", announce_feed)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
