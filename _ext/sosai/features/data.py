"""Load and validate the book's data files, ``_data/*.yml``.

A data file is a YAML list of rows (mappings). ``_data/<name>.yml`` is validated
against the JSON Schema ``_data/schema/<name>.schema.json``, which may refer to the
shared definitions in ``_data/schema/common.schema.json`` (``as_of``, ``sources``)::

    # _data/engines.yml
    - id: vllm
      name: vLLM
      licence: Apache-2.0
      as_of: 2026-11
      sources: [vllm-repo]

Every problem is reported with the file, line, row and field, so an editor can go
straight to it. Beyond the schema, a file is refused, with one located problem, when:

- it is not UTF-8 text (the line and column of the first bad byte), or not YAML
  (where the parser stopped, also for control characters);
- a mapping has the same key twice (YAML would silently keep the last value);
- it is too large once YAML aliases are expanded (:data:`MAX_VALUES` values or
  :data:`MAX_CHARACTERS` characters: a "billion laughs" file of a few hundred bytes
  stops here), nests deeper than :data:`MAX_DEPTH`, or has an alias inside itself;
- two rows share an ``id``;
- a row's ``as_of`` is later than the month of the build (:func:`build_month`:
  ``SOURCE_DATE_EPOCH`` when it is set, else today).

As an extension (``sosai.features.data``), every data file is validated once at the start of
each build; the ``data-table`` and ``data-chart`` directives load files through
:func:`load`. HTML builds also publish every valid data file as
``data/<name>.csv`` and ``data/<name>.json`` (:data:`EXPORT_DIR`), for readers who
want the rows rather than the page. A table with ``sources`` gets a ``source_urls``
column beside it: each bib key's URL (or DOI link) from the bibliography, so the
downloads stand alone. A CSV text cell that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return is written with a leading apostrophe, so a spreadsheet
shows it as text rather than running it as a formula. Each row also gets
``last_changed``: the day its content last changed in git (``sosai.features.rowhistory``;
a CSV column after the others, a key in each JSON row), empty without git's history
or for a row edited since its last commit.

A field whose schema has ``x-join`` names a row of another data file by its ``id``
(``licence_family`` in ``models.yml`` names a row of ``model-licences.yml``)::

    "licence_family": {"x-join": {"data": "model-licences", "prefix": "licence_",
                                  "columns": ["commercial_use", "use_policy"]}}

The downloads then carry those columns of the named row beside the field, prefixed
(``licence_commercial_use``), and the named row's sources (``licence_sources``), so a
reader filtering the CSV needs no second file (:func:`with_joins`). The
``data-table`` directive joins the same way for a page (its ``:join:`` option,
:func:`join`).
"""

from __future__ import annotations

import csv
import io
import json
import pickle
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import referencing
import yaml
from sphinx.util import logging

from sosai import __version__
from sosai.features import freshness
from sosai.shared import WEB_BUILDERS, cache_key, load_kept

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

EXPORT_DIR = "data"  # in the HTML output
SOURCES_FIELD = "sources"
# libyaml's safe loader when PyYAML has it (about ten times faster), else Python's.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SCHEMA_DIR = "schema"
SCHEMA_SUFFIX = ".schema.json"
AS_OF = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# Limits on a file once its YAML aliases are expanded, far above the largest table
# (models.yml: 3,742 values, 28,780 characters, 4 levels), so that a small file of
# aliases ("billion laughs") cannot make validation and its messages take hours.
MAX_VALUES = 100_000  # mappings, lists and scalars
MAX_CHARACTERS = 1_000_000  # in scalars (keys and values)
MAX_DEPTH = 32  # nested lists and mappings
MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file, located as precisely as known."""

    path: Path
    message: str
    line: int | None = None
    row: int | None = None  # 1-based
    row_id: str | None = None
    field: str | None = None

    @property
    def location(self) -> str:
        """``path:line`` in the form Sphinx prints before a warning."""
        return f"{self.path}:{self.line or ''}"

    def __str__(self) -> str:
        """The problem with its row and field, as shown in a warning."""
        where = []
        if self.row is not None:
            where.append(f"row {self.row}" + (f" ({self.row_id})" if self.row_id else ""))
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class DataError(Exception):
    """A data file could not be loaded; ``problems`` says why and where."""

    def __init__(self, problems: list[Problem]) -> None:
        """Keep the problems and summarise them as the message."""
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class Dataset:
    """The validated rows of one data file, with the line each row starts on."""

    name: str
    path: Path
    schema_path: Path
    rows: list[dict[str, Any]]
    lines: list[int]
    field_lines: list[dict[str, int]] = field(repr=False)
    schema: dict[str, Any] = field(repr=False)

    @property
    def properties(self) -> dict[str, Any]:
        """The JSON Schema ``properties`` of a row."""
        return self.schema.get("items", {}).get("properties", {})

    def title(self, name: str) -> str:
        """A column's human title: the schema's ``title`` for the field, or its name."""
        return self.properties.get(name, {}).get("title", name)

    def row_id(self, index: int) -> str | None:
        """A short label for a row in messages: its ``id`` or ``name`` if it has one."""
        row = self.rows[index]
        value = row.get("id", row.get("name"))
        return str(value) if value is not None else None

    def line_of(self, index: int, name: str | None = None) -> int:
        """The line of a row, or of one of its fields when that field is present."""
        if name is not None and name in self.field_lines[index]:
            return self.field_lines[index][name]
        return self.lines[index]


def schema_path_for(path: Path) -> Path:
    """Where the schema of a data file lives: ``_data/schema/<name>.schema.json``."""
    return path.parent / SCHEMA_DIR / f"{path.stem}{SCHEMA_SUFFIX}"


def month_label(as_of: str) -> str:
    """``2026-11`` -> ``November 2026``."""
    year, month = as_of.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def oldest_as_of(rows: list[dict[str, Any]]) -> str | None:
    """The earliest ``as_of`` month among rows (``YYYY-MM`` sorts as text)."""
    months = [str(r["as_of"]) for r in rows if r.get("as_of")]
    return min(months) if months else None


_cache: dict[tuple[Path, tuple[int, ...]], Dataset] = {}


def _stamp(*paths: Path) -> tuple[int, ...]:
    stamps: list[int] = []
    for p in paths:
        try:
            st = p.stat()
            stamps += [st.st_mtime_ns, st.st_size]
        except FileNotFoundError:
            stamps += [0, 0]
    return tuple(stamps)


def load(path: Path | str) -> Dataset:
    """Parse, validate and return a data file; raise :class:`DataError` if it is bad.

    Results are cached until the file or its schemas change.
    """
    key = _key(path)
    if key not in _cache:
        _cache[key] = _load_uncached(key[0], schema_path_for(key[0]))
    return _cache[key]


def _key(path: Path | str) -> tuple[Path, tuple[int | str, ...]]:
    """A data file, the size and modification time of it and its schemas, and the month.

    The build's month is part of the key: an ``as_of`` valid in one month may be in the
    future of another.
    """
    path = Path(path).resolve()
    schema_path = schema_path_for(path)
    schemas = sorted(schema_path.parent.glob(f"*{SCHEMA_SUFFIX}"))
    return path, (*_stamp(path, schema_path, *schemas), build_month())


def build_month() -> str:
    """The month of this build, ``YYYY-MM`` (UTC): :func:`sosai.features.freshness.build_month`.

    From ``SOURCE_DATE_EPOCH`` (seconds since 1970) when it is set, as for reproducible
    builds, so a test can fix it; else today.
    """
    return freshness.build_month()


def _load_uncached(path: Path, schema_path: Path) -> Dataset:
    if not path.is_file():
        raise DataError([Problem(path, "data file not found")])
    tree = read_yaml(path)
    if not isinstance(tree, yaml.SequenceNode):
        raise DataError([Problem(path, "a data file must be a YAML list of rows", line=1)])
    rows = _construct(tree)

    lines = [item.start_mark.line + 1 for item in tree.value]
    field_lines = [
        {k.value: v.start_mark.line + 1 for k, v in item.value}
        if isinstance(item, yaml.MappingNode)
        else {}
        for item in tree.value
    ]

    if not schema_path.is_file():
        raise DataError(
            [Problem(path, f"no schema: expected {schema_path.name} in {schema_path.parent}")]
        )
    schema, validator = _validator(schema_path)
    dataset = Dataset(
        path.stem, path, schema_path, rows, lines, field_lines, _inline_refs(schema, validator)
    )

    problems = []
    for error in sorted(validator.iter_errors(rows), key=lambda e: list(map(str, e.path))):
        problems.append(_problem_from(error, dataset))
    problems += _duplicate_ids(dataset)
    problems += _future_as_of(dataset)
    if problems:
        raise DataError(problems)
    return dataset


def read_yaml(path: Path) -> yaml.Node | None:
    """A YAML file's node tree (None if empty), with lines; :class:`DataError` if bad.

    Refused with one located problem: bytes that are not UTF-8, malformed YAML
    (control characters included), a tree too large or too deep once its aliases are
    expanded or with an alias inside itself, and a mapping with a key twice.
    ``sosai.features.whatsnew`` reads ``changes.yml`` with it too.
    """
    return parse_yaml(path.read_bytes(), path)


def parse_yaml(raw: bytes, path: Path) -> yaml.Node | None:
    """:func:`read_yaml` of a file's bytes (an old version of it, read from git, say).

    ``path`` only locates the problems.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at column {column} of this line"
        raise DataError([Problem(path, message, line=line)]) from exc
    try:
        tree = yaml.compose(text, Loader=LOADER)  # nodes, with line numbers
    except yaml.YAMLError as exc:
        raise DataError([_yaml_problem(path, text, exc)]) from exc
    if tree is None:
        return None
    problems = _expansion_problems(path, tree) or _duplicate_keys(path, tree)
    if problems:
        raise DataError(problems)
    return tree


def _yaml_problem(path: Path, text: str, exc: yaml.YAMLError) -> Problem:
    """A parser's error as a problem on the line where the parser stopped."""
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow
        # The first one in the text: libyaml's position counts bytes, not characters.
        line = text.count("\n", 0, max(text.find(chr(exc.character)), 0)) + 1
        message = (
            f"malformed YAML: character U+{exc.character:04X} is not allowed "
            "(YAML cannot hold control characters)"
        )
        return Problem(path, message, line=line)
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    return Problem(path, f"malformed YAML: {problem}", line=line)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _expansion_problems(path: Path, tree: yaml.Node) -> list[Problem]:
    """Whether the tree, with every alias expanded, stays within the limits.

    Each distinct node is measured once (an alias is the same node again), so this is
    quick however large the expansion would be.
    """
    sizes: dict[int, tuple[int, int, int]] = {}  # node -> values, characters, depth
    open_nodes: set[int] = set()  # nodes whose children are being measured
    stack: list[tuple[yaml.Node, bool]] = [(tree, False)]
    while stack:
        node, measured_children = stack.pop()
        if measured_children:
            children = [sizes[id(child)] for child in _children(node)]
            own = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
            sizes[id(node)] = (
                1 + sum(c[0] for c in children),
                own + sum(c[1] for c in children),
                1 + max((c[2] for c in children), default=0),
            )
            open_nodes.discard(id(node))
        elif id(node) in open_nodes:
            message = "a YAML alias is used inside the value it names"
            return [Problem(path, message, line=node.start_mark.line + 1)]
        elif id(node) not in sizes:
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))
    values, characters, depth = sizes[id(tree)]
    if values <= MAX_VALUES and characters <= MAX_CHARACTERS and depth <= MAX_DEPTH:
        return []
    # The first row that takes the file over a limit, if it is a list of rows.
    line, total = 1, (0, 0)
    for item in _children(tree) if isinstance(tree, yaml.SequenceNode) else []:
        size = sizes[id(item)]
        total = (total[0] + size[0], total[1] + size[1])
        if total[0] > MAX_VALUES or total[1] > MAX_CHARACTERS or size[2] >= MAX_DEPTH:
            line = item.start_mark.line + 1
            break
    if depth > MAX_DEPTH:
        message = f"nested more than {MAX_DEPTH} levels deep"
    else:
        message = (
            f"too large once its YAML aliases are expanded: {values:,} values and "
            f"{characters:,} characters (at most {MAX_VALUES:,} and {MAX_CHARACTERS:,})"
        )
    return [Problem(path, message, line=line)]


def _duplicate_keys(path: Path, tree: yaml.Node) -> list[Problem]:
    """A problem for each key written twice in one mapping, located in its row."""
    rows = tree.value if isinstance(tree, yaml.SequenceNode) else [tree]
    problems = []
    seen: set[int] = set()
    for index, row in enumerate(rows):
        in_row = isinstance(tree, yaml.SequenceNode)
        stack = [row]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.extend(_children(node))
            if not isinstance(node, yaml.MappingNode):
                continue
            first: dict[str, int] = {}
            for key, _value in node.value:
                if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                    continue
                line = key.start_mark.line + 1
                if key.value in first:
                    message = (
                        f"key '{key.value}' written twice (first on line {first[key.value]}); "
                        "YAML would keep only the last value"
                    )
                    problems.append(
                        Problem(
                            path,
                            message,
                            line=line,
                            row=index + 1 if in_row else None,
                            row_id=_node_id(row) if in_row else None,
                            field=key.value if node is row else None,
                        )
                    )
                else:
                    first[key.value] = line
    return problems


def _node_id(row: yaml.Node) -> str | None:
    """A row's ``id`` (or ``name``) read from its node, before it is constructed."""
    if isinstance(row, yaml.MappingNode):
        for wanted in ("id", "name"):
            for key, value in row.value:
                if key.value == wanted and isinstance(value, yaml.ScalarNode):
                    return value.value
    return None


def _construct(tree: yaml.Node) -> Any:
    """The Python value of a node tree (what ``yaml.safe_load`` returns for its text)."""
    loader = LOADER("")
    try:
        return loader.construct_document(tree)
    finally:
        loader.dispose()


def _validator(schema_path: Path) -> tuple[dict[str, Any], jsonschema.protocols.Validator]:
    """A validator for one schema, able to resolve refs to its sibling schemas."""
    resources = []
    for sibling in sorted(schema_path.parent.glob(f"*{SCHEMA_SUFFIX}")):
        contents = json.loads(sibling.read_text(encoding="utf-8"))
        resource = referencing.Resource.from_contents(
            contents, default_specification=referencing.jsonschema.DRAFT202012
        )
        resources.append((sibling.name, resource))
    registry = referencing.Registry().with_resources(resources)
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(schema)
    return schema, cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


def _inline_refs(schema: dict[str, Any], validator: Any) -> dict[str, Any]:
    """The schema with each row property's top-level ``$ref`` merged in (for titles)."""
    properties = schema.get("items", {}).get("properties", {})
    resolver = validator._resolver
    resolved = {}
    for name, prop in properties.items():
        if "$ref" in prop:
            target = resolver.lookup(prop["$ref"]).contents
            resolved[name] = {**target, **{k: v for k, v in prop.items() if k != "$ref"}}
        else:
            resolved[name] = prop
    items = {**schema.get("items", {}), "properties": resolved}
    return {**schema, "items": items}


def _problem_from(error: jsonschema.ValidationError, dataset: Dataset) -> Problem:
    path = list(error.absolute_path)
    if not path or not isinstance(path[0], int):
        return Problem(dataset.path, error.message, line=1)
    index = path[0]
    name = str(path[1]) if len(path) > 1 else None
    if name is None and error.validator == "additionalProperties":
        # "Additional properties are not allowed ('x' was unexpected)": point at 'x'.
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        name = extra[0] if extra else None
    message = error.message
    if name == "sources" and error.validator == "pattern":  # the regex says little
        message = (
            f"{error.instance!r} is neither a bib key nor an http(s) URL (percent-encode "
            "spaces, quotes, brackets and braces)"
        )
    return Problem(
        dataset.path,
        message,
        line=dataset.line_of(index, name),
        row=index + 1,
        row_id=dataset.row_id(index) if isinstance(dataset.rows[index], dict) else None,
        field=name,
    )


def _duplicate_ids(dataset: Dataset) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for index, row in enumerate(dataset.rows):
        if not isinstance(row, dict) or "id" not in row:
            continue
        row_id = str(row["id"])
        if row_id in seen:
            problems.append(
                Problem(
                    dataset.path,
                    f"duplicate id, first used in row {seen[row_id] + 1}",
                    line=dataset.line_of(index, "id"),
                    row=index + 1,
                    row_id=row_id,
                    field="id",
                )
            )
        else:
            seen[row_id] = index
    return problems


def _future_as_of(dataset: Dataset) -> list[Problem]:
    """Rows checked, they say, in a month that has not come yet."""
    month = build_month()
    problems = []
    for index, row in enumerate(dataset.rows):
        as_of = row.get("as_of") if isinstance(row, dict) else None
        if isinstance(as_of, str) and AS_OF.match(as_of) and as_of > month:
            problems.append(
                Problem(
                    dataset.path,
                    f"as_of {as_of} is later than the month of this build, {month} "
                    "(as_of is the month the row was checked)",
                    line=dataset.line_of(index, "as_of"),
                    row=index + 1,
                    row_id=dataset.row_id(index),
                    field="as_of",
                )
            )
    return problems


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets may run as a formula
SOURCE_URLS = "source_urls"  # the exported column that resolves ``sources`` to URLs
LAST_CHANGED = "last_changed"  # the exported column: the day the row's content last changed


def _cell(value: Any) -> str:
    """A value as CSV text: lists joined with "; ", booleans as true/false, null empty.

    A mapping (a row's ``watch``) reads ``key: value`` pairs, ``github: owner/repo``.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_cell(item)}" for key, item in value.items())
    return str(value)


def _csv_cell(value: Any) -> str:
    """:func:`_cell`, with text that a spreadsheet would run as a formula made inert."""
    text = _cell(value)
    if isinstance(value, (str, list)) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _source_urls(row: dict[str, Any], urls: dict[str, str]) -> list[str]:
    """The row's sources as URLs: a bib key's URL or DOI link, a URL as itself."""
    return [s if s.startswith(("http://", "https://")) else urls.get(s, "") for s in row["sources"]]


def to_csv(
    dataset: Dataset, urls: dict[str, str] | None = None, changed: dict[str, str] | None = None
) -> str:
    """The rows as CSV, one column per schema field, field names as the header.

    With ``urls`` (bib key -> URL), a table with ``sources`` gets a ``source_urls``
    column after the schema's fields. With ``changed`` (row id -> the date its content
    last changed), a ``last_changed`` column follows: the day, or empty if unknown.
    """
    fields = list(dataset.properties)
    extra = urls is not None and "sources" in fields
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = [*fields, SOURCE_URLS] if extra else fields
    writer.writerow([*header, LAST_CHANGED] if changed is not None else header)
    for row in dataset.rows:
        cells = [_csv_cell(row.get(f)) for f in fields]
        if extra and urls is not None:
            cells.append(_csv_cell(_source_urls(row, urls) if "sources" in row else None))
        if changed is not None:
            cells.append(_last_changed(row, changed) or "")
        writer.writerow(cells)
    return out.getvalue()


def _last_changed(row: dict[str, Any], changed: dict[str, str]) -> str | None:
    """The day (``YYYY-MM-DD``) the row's content last changed, or None if unknown."""
    found = changed.get(str(row.get("id")))
    return found[:10] if found else None


def rows_for_export(
    dataset: Dataset, urls: dict[str, str] | None = None, changed: dict[str, str] | None = None
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The columns (name -> title) and rows of the JSON downloads and the catalogue.

    With ``urls``, each row with ``sources`` also has ``source_urls``; with ``changed``,
    each row has ``last_changed`` (a day, or None).
    """
    rows = dataset.rows
    columns = {f: dataset.title(f) for f in dataset.properties}
    if urls is not None and "sources" in columns:
        rows = [{**r, SOURCE_URLS: _source_urls(r, urls)} if "sources" in r else r for r in rows]
        columns[SOURCE_URLS] = "Source URLs"
    if changed is not None:
        rows = [{**r, LAST_CHANGED: _last_changed(r, changed)} for r in rows]
        columns[LAST_CHANGED] = "Last changed"
    return columns, rows


def to_json(
    dataset: Dataset, urls: dict[str, str] | None = None, changed: dict[str, str] | None = None
) -> str:
    """The rows as JSON, with the column titles and the oldest ``as_of`` month.

    ``urls`` and ``changed`` add columns as in :func:`rows_for_export`.
    """
    columns, rows = rows_for_export(dataset, urls, changed)
    document = {
        "name": dataset.name,
        "title": dataset.schema.get("title", dataset.name),
        "as_of": oldest_as_of(dataset.rows),
        "columns": columns,
        "rows": rows,
    }
    return json.dumps(document, ensure_ascii=False, indent=1, default=str) + "\n"


def bib_urls(app: Sphinx) -> dict[str, str]:
    """Every bib key's URL, or its DOI as a link, from sphinxcontrib-bibtex's data."""
    domain = app.env.get_domain("cite") if "cite" in app.env.domains else None
    if domain is None:
        return {}
    urls = {}
    for key, entry in domain.bibdata.data.entries.items():
        url, doi = entry.fields.get("url"), entry.fields.get("doi")
        if url or doi:
            urls[key] = str(url) if url else f"https://doi.org/{doi}"
    return urls


def export_all(app: Sphinx, exception: Exception | None) -> None:
    """Write every valid data file as CSV and JSON into the HTML output."""
    from sosai.features import rowhistory  # noqa: PLC0415 (it imports this module)

    if exception is not None or app.builder.name not in WEB_BUILDERS:
        return
    folder = Path(app.outdir) / EXPORT_DIR
    bibfiles = [Path(app.srcdir) / b for b in getattr(app.config, "bibtex_bibfiles", [])]
    urls: dict[str, str] | None = None
    for path in sorted(data_dir(app).glob("*.yml")):
        csv_file, json_file = folder / f"{path.stem}.csv", folder / f"{path.stem}.json"
        history = rowhistory.file_history(path, app.doctreedir)
        # The history's cache is rewritten whenever the file's history may have moved.
        kept = rowhistory.cache_file_of(path, app.doctreedir)
        if _newer_than_inputs([csv_file, json_file], path, [*bibfiles, *join_targets(path), kept]):
            continue  # written by an earlier build from the same data, schema and code
        try:
            dataset = load(path)
        except DataError:
            continue  # already reported at the start of the build
        urls = bib_urls(app) if urls is None else urls
        dataset = with_joins(dataset)
        changed = history.last_changed(dataset.rows) if history else {}
        folder.mkdir(exist_ok=True)
        csv_file.write_text(to_csv(dataset, urls, changed), encoding="utf-8")
        json_file.write_text(to_json(dataset, urls, changed), encoding="utf-8")


def _new_build(app: Sphinx) -> None:
    """Forget the git HEAD and histories an earlier build in this process read."""
    from sosai.features import rowhistory  # noqa: PLC0415 (it imports this module)

    rowhistory.clear()


def _newer_than_inputs(outputs: list[Path], path: Path, others: list[Path] | None = None) -> bool:
    """Whether every output exists and is newer than its inputs.

    The inputs: the data file, the schemas, this code and ``others`` (the bibliography).
    """
    schemas = schema_path_for(path).parent.glob(f"*{SCHEMA_SUFFIX}")
    inputs = [path, *schemas, Path(__file__), *(p for p in others or [] if p.is_file())]
    try:
        oldest_output = min(output.stat().st_mtime_ns for output in outputs)
    except FileNotFoundError:
        return False
    return oldest_output > max(p.stat().st_mtime_ns for p in inputs)


JOIN = "x-join"  # the schema keyword of a field that names a row of another data file


@dataclass(frozen=True)
class Join:
    """The rows of ``dataset`` with columns of the rows their ``field`` names in ``target``.

    ``unmatched`` lists the rows whose value names no row of the target (their joined
    columns are empty).
    """

    dataset: Dataset
    unmatched: list[int]


def join(
    dataset: Dataset,
    field: str,
    target: Dataset,
    columns: list[str],
    *,
    name: Any,
    title: Any,
    sources: str | None = SOURCES_FIELD,
) -> Join:
    """Add ``columns`` of the ``target`` row whose ``id`` is each row's ``field``.

    ``name(column)`` and ``title(column)`` give each new column's field name and title;
    the new columns follow ``field``. With ``sources`` set to a field name (by default
    the row's own ``sources``), the target row's sources are appended to it, each
    once; with ``None`` they become a joined column like the others (``name("sources")``).
    """
    by_id = {str(row["id"]): row for row in target.rows if "id" in row}
    rows, unmatched = [], []
    for index, row in enumerate(dataset.rows):
        value = row.get(field)
        other = by_id.get(str(value)) if value is not None else None
        if value is not None and other is None:
            unmatched.append(index)
        new = {}
        for key, item in row.items():
            new[key] = item
            if key == field:
                new.update({name(c): (other or {}).get(c) for c in columns})
        if sources is None and other is not None:
            new[name(SOURCES_FIELD)] = other.get(SOURCES_FIELD)
        elif sources and other is not None and row.get(sources) is not None:
            new[sources] = list(dict.fromkeys([*row[sources], *other.get(SOURCES_FIELD, [])]))
        rows.append(new)
    properties: dict[str, Any] = {}
    added = [*columns, *([SOURCES_FIELD] if sources is None else [])]
    for key, prop in dataset.properties.items():
        properties[key] = prop
        if key == field:
            for column in added:
                joined = dict(target.properties.get(column, {}))
                joined["title"] = title(column)
                properties[name(column)] = joined
    items = {**dataset.schema.get("items", {}), "properties": properties}
    schema = {**dataset.schema, "items": items}
    return Join(replace(dataset, rows=rows, schema=schema), unmatched)


def join_targets(path: Path) -> list[Path]:
    """The data files that the schema of ``path`` joins through ``x-join``."""
    try:
        schema = json.loads(schema_path_for(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    properties = schema.get("items", {}).get("properties", {})
    return [
        path.parent / f"{prop[JOIN]['data']}.yml"
        for prop in properties.values()
        if isinstance(prop, dict) and isinstance(prop.get(JOIN), dict) and "data" in prop[JOIN]
    ]


def with_joins(dataset: Dataset) -> Dataset:
    """The dataset with the columns its schema's ``x-join`` fields name, for the downloads.

    A target that does not load adds nothing (its problems are reported when the build
    starts); a value that names no row leaves its joined columns empty.
    """
    for field_name, prop in list(dataset.properties.items()):
        spec = prop.get(JOIN)
        if not isinstance(spec, dict):
            continue
        try:
            target = load(dataset.path.parent / f"{spec['data']}.yml")
        except (DataError, KeyError):
            continue
        prefix = spec.get("prefix", f"{field_name}_")
        columns = [c for c in spec.get("columns", []) if c in target.properties]
        dataset = join(
            dataset,
            field_name,
            target,
            columns,
            name=lambda c, p=prefix: f"{p}{c}",
            title=lambda c, f=field_name, t=target, d=dataset: f"{d.title(f)}: {t.title(c)}",
            sources=None,
        ).dataset
    return dataset


def data_dir(app: Sphinx) -> Path:
    """The folder holding the data files, from ``sosai_data_dir``."""
    return Path(app.srcdir) / app.config.sosai_data_dir


def warn(problem: Problem, subtype: str = "data") -> None:
    """Log one problem as a Sphinx warning located in the data file."""
    logger.warning(str(problem), location=problem.location, type="sosai", subtype=subtype)


def _cache_file(app: Sphinx) -> Path:
    return Path(app.doctreedir) / "sosai-data.pickle"


def _cache_version() -> str:
    """Changes when this module, the reader or the validator changes."""
    return cache_key(__file__, freshness.__file__, packages=("jsonschema", "PyYAML"))


def _restore_cache(path: Path) -> None:
    kept = load_kept(path)
    if not isinstance(kept, tuple) or len(kept) != 2:
        return  # no cache yet, or one from other code: validate again
    saved_version, saved = kept
    if saved_version == _cache_version():
        _cache.update(saved)


def validate_all(app: Sphinx) -> None:
    """Validate every data file at the start of a build (``builder-inited``).

    Valid files are remembered between builds (in the doctree folder, keyed by each
    file's and its schemas' size and modification time): schema validation is the
    slowest step of an incremental rebuild's start otherwise.
    """
    folder = data_dir(app)
    cache_file = _cache_file(app)
    _restore_cache(cache_file)
    before = set(_cache)
    valid = {}
    for path in sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml")):
        try:
            valid[_key(path)] = load(path)
        except DataError as exc:
            for problem in exc.problems:
                warn(problem)
    if not set(valid) <= before:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_bytes(pickle.dumps((_cache_version(), valid)))


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register ``sosai_data_dir``; validate the data on every build and export it."""
    app.add_config_value("sosai_data_dir", "_data", "env", types=frozenset({str}))
    app.connect("builder-inited", _new_build, priority=100)
    app.connect("builder-inited", validate_all)
    app.connect("build-finished", export_all)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
