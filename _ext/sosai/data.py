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
straight to it. As an extension (``sosai.data``), every data file is validated
once at the start of each build; the ``data-table`` and ``data-chart`` directives
load files through :func:`load`. HTML builds also publish every valid data file as
``data/<name>.csv`` and ``data/<name>.json`` (:data:`EXPORT_DIR`), for readers who
want the rows rather than the page. A table with ``sources`` gets a ``source_urls``
column beside it: each bib key's URL (or DOI link) from the bibliography, so the
downloads stand alone. A CSV text cell that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return is written with a leading apostrophe, so a spreadsheet
shows it as text rather than running it as a formula.
"""

from __future__ import annotations

import csv
import importlib.metadata
import io
import json
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import referencing
import yaml
from sphinx.util import logging

from sosai import WEB_BUILDERS, __version__, source_digest

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

EXPORT_DIR = "data"  # in the HTML output
# libyaml's safe loader when PyYAML has it (about ten times faster), else Python's.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SCHEMA_DIR = "schema"
SCHEMA_SUFFIX = ".schema.json"
AS_OF = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
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


def _key(path: Path | str) -> tuple[Path, tuple[int, ...]]:
    """A data file and the size and modification time of it and of every schema."""
    path = Path(path).resolve()
    schema_path = schema_path_for(path)
    schemas = sorted(schema_path.parent.glob(f"*{SCHEMA_SUFFIX}"))
    return path, _stamp(path, schema_path, *schemas)


def _load_uncached(path: Path, schema_path: Path) -> Dataset:
    if not path.is_file():
        raise DataError([Problem(path, "data file not found")])
    text = path.read_text(encoding="utf-8")
    try:
        tree = yaml.compose(text, Loader=LOADER)  # nodes, with line numbers
        rows = yaml.load(text, Loader=LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError([Problem(path, f"malformed YAML: {problem}", line=line)]) from exc

    if not isinstance(rows, list) or not isinstance(tree, yaml.SequenceNode):
        raise DataError([Problem(path, "a data file must be a YAML list of rows", line=1)])

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
    if problems:
        raise DataError(problems)
    return dataset


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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets may run as a formula
SOURCE_URLS = "source_urls"  # the exported column that resolves ``sources`` to URLs


def _cell(value: Any) -> str:
    """A value as CSV text: lists joined with "; ", booleans as true/false, null empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
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


def to_csv(dataset: Dataset, urls: dict[str, str] | None = None) -> str:
    """The rows as CSV, one column per schema field, field names as the header.

    With ``urls`` (bib key -> URL), a table with ``sources`` gets a ``source_urls``
    column after the schema's fields.
    """
    fields = list(dataset.properties)
    extra = urls is not None and "sources" in fields
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*fields, SOURCE_URLS] if extra else fields)
    for row in dataset.rows:
        cells = [_csv_cell(row.get(f)) for f in fields]
        if extra and urls is not None:
            cells.append(_csv_cell(_source_urls(row, urls) if "sources" in row else None))
        writer.writerow(cells)
    return out.getvalue()


def to_json(dataset: Dataset, urls: dict[str, str] | None = None) -> str:
    """The rows as JSON, with the column titles and the oldest ``as_of`` month.

    With ``urls``, each row with ``sources`` also has ``source_urls``.
    """
    rows = dataset.rows
    columns = {f: dataset.title(f) for f in dataset.properties}
    if urls is not None and "sources" in columns:
        rows = [{**r, SOURCE_URLS: _source_urls(r, urls)} if "sources" in r else r for r in rows]
        columns[SOURCE_URLS] = "Source URLs"
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
    if exception is not None or app.builder.name not in WEB_BUILDERS:
        return
    folder = Path(app.outdir) / EXPORT_DIR
    bibfiles = [Path(app.srcdir) / b for b in getattr(app.config, "bibtex_bibfiles", [])]
    urls: dict[str, str] | None = None
    for path in sorted(data_dir(app).glob("*.yml")):
        csv_file, json_file = folder / f"{path.stem}.csv", folder / f"{path.stem}.json"
        if _newer_than_inputs([csv_file, json_file], path, bibfiles):
            continue  # written by an earlier build from the same data, schema and code
        try:
            dataset = load(path)
        except DataError:
            continue  # already reported at the start of the build
        urls = bib_urls(app) if urls is None else urls
        folder.mkdir(exist_ok=True)
        csv_file.write_text(to_csv(dataset, urls), encoding="utf-8")
        json_file.write_text(to_json(dataset, urls), encoding="utf-8")


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


def data_dir(app: Sphinx) -> Path:
    """The folder holding the data files, from ``sosai_data_dir``."""
    return Path(app.srcdir) / app.config.sosai_data_dir


def warn(problem: Problem, subtype: str = "data") -> None:
    """Log one problem as a Sphinx warning located in the data file."""
    logger.warning(str(problem), location=problem.location, type="sosai", subtype=subtype)


def _cache_file(app: Sphinx) -> Path:
    return Path(app.doctreedir) / "sosai-data.pickle"


def _cache_version() -> str:
    """Changes when this module or the validator changes, invalidating the saved cache."""
    return f"{source_digest(__file__)} {importlib.metadata.version('jsonschema')}"


def _restore_cache(path: Path) -> None:
    try:
        saved_version, saved = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError, TypeError):
        return  # no cache yet, or one from other code: validate again
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
    app.connect("builder-inited", validate_all)
    app.connect("build-finished", export_all)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
