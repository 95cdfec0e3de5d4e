"""Render a comparison table from a YAML data file.

Usage in MyST::

    ```{data-table} _data/engines.yml
    :columns: name, licence, backends, sources
    :sort: -release, name
    :filter: kind=engine|platform; open=true
    :caption: Inference engines for open models
    :name: tbl-engines
    ```

- The argument is the data file, relative to the page (or to the book with a leading
  ``/``). It is validated by ``sosai.features.data`` and becomes a dependency of the page, so
  editing it rebuilds the page.
- ``:columns:`` picks fields in order (default: every field in the schema except
  ``id`` and ``as_of``). Column headers are the schema's ``title`` for each field.
- ``:sort:`` is a comma-separated list of fields; ``-field`` sorts descending.
- ``:filter:`` keeps rows matching every ``;``-separated clause ``field=a|b`` (or
  ``field!=a|b``); a list field matches if any element does.
- ``:caption:`` is MyST inline text. The build appends "As of <Month YYYY>." using
  the oldest ``as_of`` among the rows shown, so readers know how stale it can be.
- Every table ends with a "Checked" column (before the sources): each row's
  ``as_of``. Where the table's schema gives a freshness rule (``x-fresh-for-months``,
  ``sosai.features.freshness``), a row checked longer ago than that in the build's month
  (``SOURCE_DATE_EPOCH`` when set) reads "2026-01 (due)", the word explained on hover,
  and the caption says that rows marked "due" were last checked more than N months
  ago: text, not colour, so it reads the same on screen, to a screen reader and on
  paper. When the month changes, an incremental build renders the tables again.
- Where git has the file's full history (``sosai.features.rowhistory``), a row whose
  content (every field but ``as_of`` and ``watch``) was last edited, after the commit
  that added it, in another month than it was checked gets a second line in that
  cell, "changed 2026-08", the word explained on hover. A commit that changes a data
  file's history renders the pages showing it again in an incremental build. Without
  git, or in a shallow clone, the cell gives only the month checked.
- ``:name:`` makes the table a ``{numref}`` target.
- ``:join:`` adds columns of another data file's rows, through a field that holds
  their ``id``: ``:join: licence_family -> _data/model-licences.yml: commercial_use,
  use_policy`` (several joins are separated by ``;``; the file is relative to the page
  like the argument). Each joined column is named ``field.column``
  (``licence_family.commercial_use``) in ``:columns:``, ``:sort:``, ``:filter:`` and
  ``:facets:``, and headed by the other file's title for it; joined columns that
  ``:columns:`` does not name come after the others. The joined row's sources are
  added to the row's sources, so every joined value stays cited. A row whose field
  names no row there gets empty joined cells and a warning at its line in the data
  file; an unknown field, file or column, or a file that does not load, is one
  warning at the directive, and the table is not rendered.
- ``:facets:`` names columns of listed values (a schema ``enum`` or a boolean):
  on the website each becomes a labelled list above the table ("Commercial use: any,
  yes, no …"), applied together with the text filter, with a live count of the rows
  shown (``static/sosai-figures.js``). A facet that is not a column of the table, or
  not a field of listed values, is a warning at the directive.
- ``:noun:`` is the word for the rows in that count ("12 of 39 models"; default "rows").

Cells are MyST inline markup, so links, ``{cite}`` and ``{term}`` work in them. A
cell cannot publish markup or script: raw HTML in it is shown as text (whatever the
project's MyST settings), and a link must go to an http(s) URL (``sosai.is_web_url``)
or a page of the book; a cell linking anywhere else (``javascript:``, ``data:``,
``//host``, MyST's ``path:``) is shown as written, with a warning naming the data
file, line, row and field. The ``sources`` field renders bib keys as citations and
URLs as links (link nodes built from the checked URL, never parsed as Markdown),
each shown as a number, "[1]", numbered through the table in order of first use, so
a row stays one or two lines. The number's link leads to the entry on the References
page (or to the URL) and says in words which source it is (for screen readers, the
hover card, the side-by-side view and find-in-page); a line under the table lists the
numbers with their sources, for print. In HTML, a line under the table links to the whole data
file as CSV and JSON (``sosai.features.data`` writes them); other builders leave the line out.

``{data-catalogue}`` (no argument, no options) lists every data file of the book: its
title, rows, the month its oldest row was checked, the pages that show it (as a table
or through a chart) and, on the website, its CSV and JSON downloads. With
``sosai.features.catalogue`` loaded, a line above the list links to the whole catalogue,
its schema, and the changelog with its feed. The "Using the data" page uses it.

Printed (and in the PDF) a table fits the page's width with every column; a table
of ten columns or more prints each row as a block of "Header: value" fields.

On the website the table's caption sits above it and stays within the page; its
header row and first column stay in view while it scrolls (``_static/sosai.css``);
and ``static/sosai-figures.js`` says above a table wider than the page that it
scrolls sideways, and shades the edge that hides columns.
"""

from __future__ import annotations

import re
from collections.abc import Container
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from markdown_it import MarkdownIt
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from sosai import __version__
from sosai.features import data, freshness, rowhistory
from sosai.shared import (
    connect_once,
    is_web_url,
    publish_static,
    resolve_site_file_links,
    site_file_link,
)

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

DIRECTIVE_NAME = "data-table"
HIDDEN_BY_DEFAULT = ("id", "as_of")
SOURCES = "sources"
CHECKED = "as_of"  # shown in every table, as "Checked", before the sources
CHECKED_TITLE = "Checked"
DUE_CLASS = "sosai-due"  # a row checked longer ago than its table's rule
CHANGED_CLASS = "sosai-changed"  # the Checked cell's second line: when the content changed
EMPTY_CELL = "—"
# Characters that mean a cell needs the Markdown parser; plain text skips it (speed).
MARKUP = re.compile(r"[`*_\[\]{}<>\\$]|https?://")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")  # "javascript:", "path:", "https:"
# Finds every link a cell's Markdown makes. MyST's own parser would drop a link to
# "javascript:" or "data:" and leave its text, silently; this one keeps them all.
LINK_FINDER = MarkdownIt("commonmark")
LINK_FINDER.validateLink = lambda url: True
NUMBER_GROUPING_FROM = 10_000
MIN_TEXT_WIDTH, MAX_TEXT_WIDTH = 10, 30
DOWNLOADS_CLASS = "sosai-downloads"
CATALOGUE_CLASS = "sosai-data-catalogue"  # the list of every data file
BOX_CLASS = "sosai-data-table-box"  # around each table
WIDE_CLASS = "sosai-wide"  # a table printed row by row, as blocks of fields
WIDE_FROM = 10  # columns: a table this wide does not fit a printed page legibly
SOURCES_CLASS = "sosai-sources"  # a row's sources cell
SOURCE_LIST_CLASS = "sosai-source-list"  # the numbered sources under a table
SOURCE_LABEL_CLASS = "sosai-source-label"  # a number's source in words (hidden in tables)
PROSE_CLASS = "sosai-prose"  # a cell of a column that holds sentences
PROSE_FROM = 80  # characters: a column with a longer value holds sentences
# Brackets and separators of a resolved citation in a sources cell, and what replaces
# them: the numbers stand alone, a space apart.
SEPARATORS = {"(": "", ")": "", "[": "", "]": "", ";": " ", "; ": " ", ", ": " "}


def _split(option: str | None, sep: str = ",") -> list[str]:
    return [part.strip() for part in (option or "").split(sep) if part.strip()]


def format_value(value: Any) -> str:
    """Turn one YAML value into cell text (MyST inline markup)."""
    if value is None or value in ("", []):
        return EMPTY_CELL
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and abs(value) >= NUMBER_GROUPING_FROM:
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def _match_text(value: Any) -> list[str]:
    if isinstance(value, list):
        return [t for v in value for t in _match_text(v)]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)]


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (2, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value)
    return (1, format_value(value).lower())


class DataTableDirective(SphinxDirective):
    """The ``data-table`` directive."""

    required_arguments = 1
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "columns": directives.unchanged_required,
        "sort": directives.unchanged_required,
        "filter": directives.unchanged_required,
        "caption": directives.unchanged_required,
        "name": directives.unchanged_required,
        "class": directives.class_option,
        "join": directives.unchanged_required,
        "facets": directives.unchanged_required,
        "noun": directives.unchanged_required,
    }

    def warn(self, message: str) -> list[nodes.Node]:
        """Warn at the directive and render nothing."""
        logger.warning(message, location=self.get_location(), type="sosai", subtype="datatable")
        return []

    def run(self) -> list[nodes.Node]:  # noqa: PLR0912 - one check per option, each warns
        """Load, filter, sort and render the rows."""
        relpath, abspath = self.env.relfn2path(self.arguments[0], self.env.docname)
        self.env.note_dependency(relpath)
        try:
            dataset = data.load(Path(abspath))
        except data.DataError as exc:
            return self.warn(
                f"table not rendered: {relpath} has {len(exc.problems)} problem(s): "
                + "; ".join(str(p) for p in exc.problems[:3])
            )
        self.env.note_dependency(str(dataset.schema_path))
        joined = self.apply_joins(dataset)
        if joined is None:
            return []
        dataset, joined_columns = joined

        fields = set(dataset.properties)
        columns = _split(self.options.get("columns")) or [
            f for f in dataset.properties if f not in HIDDEN_BY_DEFAULT
        ]
        columns += [c for c in joined_columns if c not in columns]
        unknown = [c for c in columns if c not in fields]
        if unknown:
            return self.warn(f"unknown column(s) {unknown} for {relpath}; fields: {sorted(fields)}")

        indices = list(range(len(dataset.rows)))
        for clause in _split(self.options.get("filter"), ";"):
            match = re.fullmatch(r"([\w-]+)\s*(!?=)\s*(.+)", clause)
            if not match:
                return self.warn(f"bad filter clause {clause!r}: use field=a|b or field!=a|b")
            name, op, wanted = match.group(1), match.group(2), set(_split(match.group(3), "|"))
            if name not in fields:
                return self.warn(f"filter on unknown field {name!r} for {relpath}")
            indices = [
                i
                for i in indices
                if bool(wanted & set(_match_text(dataset.rows[i].get(name)))) == (op == "=")
            ]
        if not indices:
            return self.warn(
                f"no rows of {relpath} match the filter {self.options['filter']!r}"
                if "filter" in self.options
                else f"table not rendered: {relpath} has no rows"
            )

        for key in reversed(_split(self.options.get("sort"))):
            name = key.lstrip("-")
            if name not in fields:
                return self.warn(f"sort on unknown field {name!r} for {relpath}")
            indices.sort(key=lambda i: _sort_key(dataset.rows[i].get(name)))
            if key.startswith("-"):
                # Descending, but keep empty values last.
                present = [i for i in indices if dataset.rows[i].get(name) is not None]
                indices = present[::-1] + [i for i in indices if i not in present]

        rows = [dataset.rows[i] for i in indices]
        as_of = data.oldest_as_of(rows)
        missing = [
            i
            for i in indices
            if not dataset.rows[i].get("as_of") or not dataset.rows[i].get(SOURCES)
        ]
        if missing or as_of is None:
            for i in missing:
                data.warn(
                    data.Problem(
                        dataset.path,
                        "every table row needs 'as_of' and at least one source",
                        line=dataset.line_of(i),
                        row=i + 1,
                        row_id=dataset.row_id(i),
                    ),
                    subtype="datatable",
                )
            return self.warn(f"table not rendered: rows of {relpath} lack as_of or sources")

        facets = self.facet_columns(dataset, columns)
        if facets is None:
            return []
        history = rowhistory.file_history(dataset.path, self.env.doctreedir)
        changed = history.last_edited(dataset.rows) if history else {}
        table = self.build_table(dataset, indices, columns, as_of, changed)
        mark_facets(table, columns, facets, self.options.get("noun"))
        self.add_name(table)
        self.set_source_info(table)
        # The box lets the website's stylesheet style the theme's scroll area around
        # this table without :has(), which EPUB readers reject.
        box = nodes.container(classes=[BOX_CLASS])
        if len(columns) >= WIDE_FROM:
            box["classes"].append(WIDE_CLASS)
        box += table
        return [box, self.download_line(dataset)]

    @staticmethod
    def download_line(dataset: data.Dataset) -> nodes.paragraph:
        """The line of download links; resolved to real links when HTML is written."""
        line = nodes.paragraph(classes=[DOWNLOADS_CLASS])
        line += nodes.Text(f"Download all {len(dataset.rows)} rows of {dataset.name}: ")
        for i, suffix in enumerate(("csv", "json")):
            if i:
                line += nodes.Text(", ")
            line += site_file_link(suffix.upper(), f"{data.EXPORT_DIR}/{dataset.name}.{suffix}")
        return line

    def build_table(
        self,
        dataset: data.Dataset,
        indices: list[int],
        columns: list[str],
        as_of: str,
        changed: dict[str, str] | None = None,
    ) -> nodes.table:
        """Build the docutils table: title, header row and one row per data row.

        ``changed`` maps a row's id to the date its content last changed (from git).
        """
        # colwidths-auto: HTML sizes columns to content; the widths below only guide
        # text and LaTeX output (in characters).
        table = nodes.table(
            classes=["sosai-data-table", "colwidths-auto", *self.options.get("class", [])]
        )
        caption = self.options.get("caption", "").strip()
        if caption and caption[-1] not in ".!?":
            caption += "."
        fresh_for = _fresh_for(dataset)
        month = freshness.build_month()
        due = {
            i
            for i in indices
            if fresh_for and freshness.is_past_due(str(dataset.rows[i]["as_of"]), fresh_for, month)
        }
        caption = f"{caption} As of {data.month_label(as_of)}."
        if due:
            caption += f" Rows marked “due” were last checked more than {fresh_for} months ago."
        title_nodes, _ = self.parse_inline(caption.strip(), lineno=self.lineno)
        table += nodes.title("", "", *title_nodes)
        shown = [c for c in columns if c != SOURCES] + [CHECKED]
        columns = shown + ([SOURCES] if SOURCES in columns else [])

        tgroup = nodes.tgroup(cols=len(columns))
        table += tgroup
        tgroup.extend(
            nodes.colspec(colwidth=self._width(dataset, indices, column)) for column in columns
        )
        thead = nodes.thead()
        tgroup += thead
        thead += self._row([nodes.paragraph("", _header(dataset, c)) for c in columns])
        tbody = nodes.tbody()
        tgroup += tbody
        prose = [self._is_prose(dataset, indices, c) for c in columns]
        for i in indices:
            row = dataset.rows[i]
            cells = [
                _checked_cell(
                    str(row["as_of"]),
                    fresh_for if i in due else None,
                    (changed or {}).get(str(row.get("id"))),
                )
                if c == CHECKED
                else self._cell(dataset, i, c, row.get(c))
                for c in columns
            ]
            tbody += self._row(cells, prose)
            if i in due:
                tbody[-1]["classes"].append(DUE_CLASS)
        return table

    @staticmethod
    def _is_prose(dataset: data.Dataset, indices: list[int], column: str) -> bool:
        """Whether a column holds sentences, which get a wider line than names and numbers."""
        if column in (SOURCES, CHECKED):
            return False
        return any(len(format_value(dataset.rows[i].get(column))) > PROSE_FROM for i in indices)

    @staticmethod
    def _width(dataset: data.Dataset, indices: list[int], column: str) -> int:
        """A column's width in characters for text-like builders (10 to 30)."""
        longest = max(
            [len(dataset.title(column))]
            + [len(format_value(dataset.rows[i].get(column))) for i in indices]
        )
        return max(MIN_TEXT_WIDTH, min(longest, MAX_TEXT_WIDTH))

    @staticmethod
    def _row(cells: list[nodes.Node], prose: list[bool] | None = None) -> nodes.row:
        row = nodes.row()
        for cell, is_prose in zip(cells, prose or [False] * len(cells), strict=True):
            entry = nodes.entry(classes=[PROSE_CLASS] if is_prose else [])
            entry += cell
            row += entry
        return row

    def _cell(self, dataset: data.Dataset, index: int, column: str, value: Any) -> nodes.Node:
        if column == SOURCES:
            return self._sources_cell(dataset, index, value)
        text = format_value(value)
        if not MARKUP.search(text):
            return nodes.paragraph("", text)
        bad = [t for t in _link_targets(text) if not _linkable(t)]
        if bad:
            self._warn_row(dataset, index, column, _not_a_link(bad[0]))
            return nodes.paragraph("", text)  # as written: neither a link nor markup
        parsed = self._inline_nodes(text)
        bad = [
            ref["refuri"]
            for ref in parsed.findall(nodes.reference)
            if ref.get("refuri") and not ref.get("internal") and not is_web_url(ref["refuri"])
        ]
        if bad:
            self._warn_row(dataset, index, column, _not_a_link(bad[0]))
            return nodes.paragraph("", text)
        return nodes.paragraph("", "", *parsed.children)

    def _inline_nodes(self, text: str) -> nodes.inline:
        """A cell's text parsed as MyST, with any raw HTML turned back into text."""
        container = nodes.inline()
        for node in self.parse_text_to_nodes(text, offset=self.lineno):
            # One paragraph per cell reads as inline text; keep anything richer as is.
            container += node.children if isinstance(node, nodes.paragraph) else node
        # Raw HTML is off for the whole book (myst_disable_syntax), but a cell must not
        # publish markup in a project that left it on either.
        for raw in list(container.findall(nodes.raw)):
            raw.replace_self(nodes.Text(raw.astext()))
        return container

    def _warn_row(self, dataset: data.Dataset, index: int, column: str, message: str) -> None:
        """Warn about one field of one row, located in the data file."""
        data.warn(
            data.Problem(
                dataset.path,
                message,
                line=dataset.line_of(index, column),
                row=index + 1,
                row_id=dataset.row_id(index),
                field=column,
            ),
            subtype="datatable",
        )

    def _sources_cell(self, dataset: data.Dataset, index: int, value: Any) -> nodes.paragraph:
        """Bib keys as one citation, then each URL as a link, separated by "; "."""
        keys: list[str] = []
        parts: list[str | nodes.Node] = []  # after the citation: links, or text as written
        known = self._bib_keys()
        for source in map(str, value or []):
            if is_web_url(source):
                host = re.sub(r"^https?://(www\.)?", "", source).split("/")[0]
                parts.append(nodes.reference("", host, refuri=source))
            elif known is not None and source in known:
                keys.append(source)
            elif SCHEME.match(source):  # javascript:, data:, or an http URL with a quote
                self._warn_row(dataset, index, SOURCES, _not_a_link(source))
                parts.append(source)
            elif known is None:  # no bibliography in this project: show the key
                parts.append(source)
            else:
                self._warn_row(
                    dataset, index, SOURCES, f"unknown bib key {source!r} (not in the bibliography)"
                )
                parts.append(source)
        cell = nodes.paragraph(classes=[SOURCES_CLASS])
        if keys:
            cell += self._inline_nodes(f"{{cite:p}}`{','.join(keys)}`").children
            parts.insert(0, "")  # a separator before the first link
        if not keys and not parts:
            cell += nodes.Text(EMPTY_CELL)
        text = ""  # as Markdown would: neighbouring text in one node
        for i, part in enumerate(parts):
            text += "; " if i else ""
            if isinstance(part, str):
                text += part
                continue
            if text:
                cell += nodes.Text(text)
                text = ""
            cell += part
        if text:
            cell += nodes.Text(text)
        return cell

    def apply_joins(self, dataset: data.Dataset) -> tuple[data.Dataset, list[str]] | None:
        """The rows with the ``:join:`` columns, and those columns' names; None if misused."""
        names: list[str] = []
        for clause in _split(self.options.get("join"), ";"):
            match = re.fullmatch(r"([\w-]+)\s*->\s*(\S+?)\s*:\s*(.+)", clause)
            if not match:
                self.warn(
                    f"bad join clause {clause!r}: use field -> _data/other.yml: column, column"
                )
                return None
            field, target_file, wanted = match.group(1), match.group(2), _split(match.group(3))
            if field not in dataset.properties:
                self.warn(f"join on unknown field {field!r} of {dataset.name}")
                return None
            relpath, abspath = self.env.relfn2path(target_file, self.env.docname)
            self.env.note_dependency(relpath)
            try:
                target = data.load(Path(abspath))
            except data.DataError as exc:
                self.warn(
                    f"unknown join target {relpath}: {len(exc.problems)} problem(s): "
                    + "; ".join(str(p) for p in exc.problems[:3])
                )
                return None
            self.env.note_dependency(str(target.schema_path))
            unknown = [c for c in wanted if c not in target.properties]
            if unknown:
                self.warn(
                    f"unknown join column(s) {unknown} in {relpath}; "
                    f"fields: {sorted(target.properties)}"
                )
                return None
            result = data.join(
                dataset,
                field,
                target,
                wanted,
                name=lambda c, f=field: f"{f}.{c}",
                title=target.title,
            )
            for index in result.unmatched:
                self._warn_row(
                    dataset,
                    index,
                    field,
                    f"{dataset.rows[index][field]!r} is not the id of a row of {relpath}, "
                    "so its joined columns are empty",
                )
            dataset = result.dataset
            names += [f"{field}.{c}" for c in wanted]
        return dataset, names

    def facet_columns(self, dataset: data.Dataset, columns: list[str]) -> list[str] | None:
        """The ``:facets:`` columns, each shown and of listed values; None if misused."""
        facets = _split(self.options.get("facets"))
        for facet in facets:
            if facet not in columns:
                self.warn(f"facet {facet!r} is not a column of this table; columns: {columns}")
                return None
            prop = dataset.properties.get(facet, {})
            types = prop.get("type", [])
            types = [types] if isinstance(types, str) else types
            if "enum" not in prop and "boolean" not in types:
                self.warn(f"facet {facet!r} is not a field of listed values (enum or boolean)")
                return None
        return facets

    def _bib_keys(self) -> Container[str] | None:
        """The bibliography's keys, or None when sphinxcontrib-bibtex is not loaded."""
        try:
            domain = self.env.get_domain("cite")
        except ExtensionError:
            return None
        return domain.bibdata.data.entries  # type: ignore[attr-defined]


def _fresh_for(dataset: data.Dataset) -> int | None:
    """The table's freshness rule in months, or None if its schema gives none."""
    try:
        return freshness.rule(dataset)
    except ValueError:
        return None


FACET_CLASS = "sosai-facet"  # the header of a column readers can filter by value
NOUN_CLASS = "sosai-rows-"  # + the word for the table's rows, for the live count


def mark_facets(
    table: nodes.table, columns: list[str], facets: list[str], noun: str | None
) -> None:
    """Mark the facet columns' headers, and name the rows, for ``static/sosai-figures.js``."""
    order = [c for c in columns if c != SOURCES] + [CHECKED]
    order += [SOURCES] if SOURCES in columns else []
    for thead in table.findall(nodes.thead):
        for index, entry in enumerate(thead[0].children):
            if order[index] in facets:
                entry["classes"].append(FACET_CLASS)
    if facets or noun:
        table["classes"].append(nodes.make_id(NOUN_CLASS + (noun or "rows")))


def _header(dataset: data.Dataset, column: str) -> str:
    return CHECKED_TITLE if column == CHECKED else dataset.title(column)


def _checked_cell(
    as_of: str, overdue_after: int | None, changed: str | None = None
) -> nodes.paragraph:
    """A row's Checked cell: "2026-08", or "2026-01 (due)" when past due.

    ``changed`` is the date the row's content last changed (git history); in a month
    other than ``as_of``, a second line reads "changed 2026-05": a span the stylesheet
    puts on its own line, after a space, so text and Markdown copies read "2026-08
    changed 2026-05" (one paragraph keeps the row as short as the others).
    """
    cell = nodes.paragraph("", as_of)
    if overdue_after:
        cell += nodes.Text(" (")
        cell += nodes.abbreviation(
            "due", "due", explanation=f"last checked more than {overdue_after} months ago"
        )
        cell += nodes.Text(")")
    if not changed or changed[:7] == as_of:
        return cell
    line = nodes.inline(classes=[CHANGED_CLASS])
    line += nodes.abbreviation(
        "changed", "changed", explanation="the month the row's content was last edited in the book"
    )
    line += nodes.Text(f" {changed[:7]}")
    cell += nodes.Text(" ")
    cell += line
    return cell


def recheck_in_a_new_month(
    app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Pages with data tables, in a new month or after a commit to their data.

    A row's "due" marker depends on the build's month, which no file records: in a
    new month every page that shows a data file is rendered again. Its "changed" line
    depends on git history: a page is rendered again when a file it shows has a new
    last commit (asked only when HEAD has moved).
    """
    month = freshness.build_month()
    previous = getattr(env, "sosai_tables_month", None)
    env.sosai_tables_month = month
    shown = {
        docname: {Path(str(d)).name for d in dependencies if _is_data_file(app, d)}
        for docname, dependencies in env.dependencies.items()
    }
    if previous is not None and previous != month:
        return sorted(docname for docname, files in shown.items() if files)
    folder = data.data_dir(app)
    head = rowhistory.head(folder)
    if head is None or getattr(env, "sosai_tables_head", None) == head:
        return []
    before = getattr(env, "sosai_tables_commits", None)
    commits = {p.name: rowhistory.last_commit(p) for p in sorted(folder.glob("*.yml"))}
    env.sosai_tables_head, env.sosai_tables_commits = head, commits
    if before is None:
        return []
    moved = {name for name, commit in commits.items() if before.get(name) != commit}
    return sorted(docname for docname, files in shown.items() if files & moved)


def _is_data_file(app: Sphinx, dependency: Any) -> bool:
    path = Path(str(dependency))
    return path.parent.name == app.config.sosai_data_dir and path.suffix == ".yml"


def _link_targets(text: str) -> list[str]:
    """Where each link and image of a cell's Markdown points, valid or not."""
    targets = []
    for block in LINK_FINDER.parse(text):
        for token in block.children or []:  # links and images are inline tokens
            if token.type == "link_open":
                targets.append(str(token.attrGet("href") or ""))
            elif token.type == "image":
                targets.append(str(token.attrGet("src") or ""))
    return targets


def _linkable(target: str) -> bool:
    """An http(s) URL, or a page or anchor of the book (which Sphinx resolves)."""
    if SCHEME.match(target) or target.startswith("//"):
        return is_web_url(target)
    return True


def _not_a_link(target: str) -> str:
    return (
        f"{target!r} is not an http(s) URL, so it is not made a link (percent-encode "
        "spaces, quotes, brackets and braces in a URL)"
    )


CHART_DATA = re.compile(r"^DATA\s*=\s*\[([^\]]*)\]", re.MULTILINE)  # in a chart script


class DataCatalogueDirective(SphinxDirective):
    """The ``data-catalogue`` directive: every data file, with where it is shown."""

    has_content = False

    def pages_showing(self, name: str) -> list[str]:
        """Pages with a table of ``name``, or a chart drawn from it, in reading order."""
        charts_name = getattr(self.config, "sosai_charts_dir", None)  # with sosai.features.charts
        charts_dir = Path(self.env.srcdir) / charts_name if charts_name else None
        charts = {
            script.stem
            for script in sorted(charts_dir.glob("*.py") if charts_dir else [])
            if (found := CHART_DATA.search(script.read_text(encoding="utf-8")))
            and f'"{name}"' in found.group(1)
        }
        shown = []
        for docname in sorted(self.env.found_docs):
            source = Path(self.env.doc2path(docname))
            text = source.read_text(encoding="utf-8") if source.is_file() else ""
            if f"_data/{name}.yml" in text or any(
                re.search(rf"\{{data-chart\}}\s+{re.escape(c)}\b", text) for c in charts
            ):
                shown.append(docname)
        return shown

    def run(self) -> list[nodes.Node]:
        """A bullet list: one item per data file."""
        folder = Path(self.env.srcdir) / self.config.sosai_data_dir
        items = nodes.bullet_list(classes=[CATALOGUE_CLASS])
        for path in sorted(folder.glob("*.yml")):
            self.env.note_dependency(str(path))
            try:
                dataset = data.load(path)
            except data.DataError:
                continue  # reported, file and line, when the build starts
            as_of = data.oldest_as_of(dataset.rows)
            entry = nodes.paragraph()
            entry += nodes.strong("", dataset.schema.get("title", dataset.name))
            checked = f", oldest row checked {data.month_label(as_of)}" if as_of else ""
            entry += nodes.Text(f" ({dataset.name}: {len(dataset.rows)} rows{checked})")
            pages = self.pages_showing(dataset.name)
            if pages:
                entry += nodes.Text("; shown in ")
                for i, docname in enumerate(pages):
                    if i:
                        entry += nodes.Text(", ")
                    ref = addnodes.pending_xref(
                        "", refdomain="std", reftype="doc", reftarget=f"/{docname}",
                        refexplicit=False, refdoc=self.env.docname, refwarn=True,
                    )  # fmt: skip
                    ref += nodes.inline("", docname)
                    entry += ref
            entry += nodes.Text(".")
            item = nodes.list_item("", entry)
            downloads = DataTableDirective.download_line(dataset)
            downloads[0] = nodes.Text("Download: ")  # not "Download all N rows of …"
            item += downloads
            items += item
        self.set_source_info(items)
        if "sosai.features.catalogue" not in self.env.app.extensions:
            return [items]
        return [self.catalogue_line(), items]

    @staticmethod
    def catalogue_line() -> nodes.paragraph:
        """Links to the whole catalogue, its schema and the changelog (website only)."""
        line = nodes.paragraph(classes=[DOWNLOADS_CLASS])
        parts = [
            ("Every table in one file: ", "catalogue.json"),
            (" (its schema: ", "catalogue.schema.json"),
            ("). Rows added, changed and removed: ", "changes.json"),
            (", also as an Atom feed, ", "changes.xml"),
        ]
        for text, name in parts:
            line += nodes.Text(text)
            line += site_file_link(name, f"{data.EXPORT_DIR}/{name}")
        line += nodes.Text(".")
        return line


def number_sources(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Show each table's sources as "[n]" links, and list the numbers under the table.

    Runs once citations are resolved to links, so the number keeps the citation's
    link, its title (the full reference, which the hover card shows) and its ids
    (which the References page's "Cited in" lines point to).
    """
    for table in list(doctree.findall(nodes.table)):
        if "sosai-data-table" not in table["classes"]:
            continue
        numbers: dict[str, int] = {}  # link target -> its number in this table
        listed: list[nodes.reference] = []  # one link per number, for the list
        for cell in table.findall(nodes.paragraph):
            if SOURCES_CLASS not in cell["classes"]:
                continue
            for text in list(cell.findall(nodes.Text)):
                if text.astext() in SEPARATORS and not isinstance(text.parent, nodes.reference):
                    if SEPARATORS[text.astext()]:
                        text.parent.replace(text, nodes.Text(SEPARATORS[text.astext()]))
                    else:
                        text.parent.remove(text)
            for ref in list(cell.findall(nodes.reference)):
                target = ref.get("refuri") or "#" + ref.get("refid", "")
                if target not in numbers:
                    numbers[target] = len(numbers) + 1
                    listed.append(ref.deepcopy())
                label = ref.astext()
                ref.clear()
                ref.extend([
                    nodes.Text(f"[{numbers[target]}]"),
                    nodes.inline("", f" {label}", classes=[SOURCE_LABEL_CLASS]),
                ])  # fmt: skip
        if listed:
            table.parent.insert(table.parent.index(table) + 1, source_list(listed))


def source_list(links: list[nodes.reference]) -> nodes.paragraph:
    """The line under a table: "Sources: [1] Qwen Team, 2026e; [2] …"."""
    line = nodes.paragraph(classes=[SOURCE_LIST_CLASS])
    line += nodes.Text("Sources: ")
    for number, link in enumerate(links, start=1):
        if number > 1:
            line += nodes.Text("; ")
        line += nodes.Text(f"[{number}]\N{NO-BREAK SPACE}")
        line += link
    line += nodes.Text(".")
    return line


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register the ``data-table`` directive (and data validation it relies on)."""
    app.setup_extension("sosai.features.data")
    app.add_directive(DIRECTIVE_NAME, DataTableDirective)
    app.add_directive("data-catalogue", DataCatalogueDirective)
    app.connect("builder-inited", publish_static)
    connect_once(app, "doctree-resolved", resolve_site_file_links)  # the download links
    app.connect("doctree-resolved", number_sources)
    app.connect("env-get-outdated", recheck_in_a_new_month)
    app.add_js_file("sosai-figures.js", loading_method="defer")
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
