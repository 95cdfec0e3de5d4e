"""The bibliography's ``.bib`` files, read strictly, each problem at its line.

sphinxcontrib-bibtex reads ``bibtex_bibfiles`` with pybtex when a build starts (and
again whenever a file changes). This module takes over that reading
(``sphinxcontrib.bibtex.bibfile.parse_bibdata``), with the same result for a good
file. For a bad one, each problem is one warning naming the file, the line and the
entry's key, instead of a traceback or a line pybtex guessed:

- bytes that are not UTF-8 (read as U+FFFD, so the rest of the file still works);
- a field not followed by a comma before the next one;
- unbalanced braces: a field whose ``{`` is still open when the next field starts
  (reported at that field), or an entry still open when the next entry or the end of
  the file comes (reported at the entry). The entry is then read as if the missing
  ``}`` were there (and a missing comma too), so the entries after it, and its
  citations, still work;
- an entry closed early by a ``}`` too many, so that its last fields fall outside it;
- a key or a field written twice (pybtex keeps the first);
- any other syntax error pybtex finds, at the line it gives;
- a ``url`` that is not an http(s) URL (``sosai.is_web_url``): ``javascript:``,
  ``data:``, a relative path. The field is dropped, so it never becomes a link on
  the References page or in the data downloads.

A file with problems is read again by the next build, so they are reported until
they are fixed. :func:`entry_location` gives where an entry is written, for messages
about entries found later: ``sosai.features.bibstyle`` reports a missing field (a ``year``)
there rather than on the References page.

Warnings have type ``sosai`` and subtype ``bib``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pybtex.errors
from pybtex.database import BibliographyDataError
from pybtex.database.input.bibtex import Parser
from pybtex.scanner import PybtexSyntaxError
from sphinx.util import logging
from sphinxcontrib.bibtex import bibfile as upstream

from sosai import __version__
from sosai.shared import is_web_url

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

ENTRY = re.compile(r"@\s*([A-Za-z]\w*)\s*\{\s*([^,\s{}]*)")  # "@online{key," starts one
FIELD = re.compile(r"\s*([A-Za-z][\w:.+-]*)\s*=")  # "  title = ..." starts a field
NOT_ENTRIES = frozenset({"comment", "preamble", "string"})  # commands without a key


@dataclass
class Span:
    """Where one entry is written: its key, first line and each field's line."""

    key: str
    line: int
    fields: dict[str, int] = field(default_factory=dict)  # lower-case name -> line


@dataclass(frozen=True)
class BibProblem:
    """One thing wrong in a ``.bib`` file."""

    path: Path
    line: int | None
    message: str

    @property
    def location(self) -> str:
        """``path:line`` in the form Sphinx prints before a warning."""
        return f"{self.path}:{self.line or ''}"


def scan(path: Path, text: str) -> tuple[list[Span], list[BibProblem], str]:
    """Read a ``.bib`` text line by line, as BibTeX counts braces.

    Returns its entries, its brace and repetition problems, and the text with each
    missing ``}`` added (on the same lines, so pybtex's line numbers stay true).
    """
    scanner = _Scanner(path, text.split("\n"))
    for number, line in enumerate(scanner.lines, start=1):
        scanner.read_line(number, line)
    if scanner.span is not None and scanner.depth > 0:
        scanner.never_closed(len(scanner.lines) + 1, "the end of the file")
    return scanner.spans, scanner.problems, "\n".join(scanner.lines)


class _Scanner:
    """The state of :func:`scan` between lines."""

    def __init__(self, path: Path, lines: list[str]) -> None:
        self.path, self.lines = path, lines
        self.spans: list[Span] = []
        self.problems: list[BibProblem] = []
        self.first_line_of: dict[str, int] = {}  # lower-case key -> line of its first entry
        self.span: Span | None = None  # the entry being read
        self.depth = 0  # braces open in it, its own included
        self.field_name, self.field_line = "", 0  # its field being read
        self.field_runs_on = False  # whether that field's value goes on past its first line
        self.closed_on = 0  # the line the last entry closed on, until anything follows it

    def problem(self, line: int, message: str) -> None:
        self.problems.append(BibProblem(self.path, line, message))

    def read_line(self, number: int, line: str) -> None:
        stripped = line.lstrip()
        starts_entry = ENTRY.match(stripped)
        if self.span is not None and starts_entry:
            self.never_closed(number, f"the next entry, on line {number}")
        if self.span is None:
            if not starts_entry:
                self.between_entries(number, stripped)
                return  # text between entries is a comment to BibTeX: no braces count
            self.start_entry(number, starts_entry.group(1).lower(), starts_entry.group(2))
        elif (starts_field := FIELD.match(line)) is not None:
            self.start_field(number, starts_field.group(1).lower())
        for character in line:
            self.depth += {"{": 1, "}": -1}.get(character, 0)
            if self.depth == 0 and character == "}":
                self.span, self.closed_on = None, number
                return
        if number == self.field_line:
            self.field_runs_on = self.depth > 1

    def start_entry(self, number: int, kind: str, key: str) -> None:
        self.span, self.depth, self.field_name, self.closed_on = Span(key, number), 0, "", 0
        if kind in NOT_ENTRIES:
            return
        self.spans.append(self.span)
        first = self.first_line_of.setdefault(key.lower(), number)
        if first != number:
            message = f"entry '{key}' written twice (first on line {first}); the second is left out"
            self.problem(number, message)

    def start_field(self, number: int, name: str) -> None:
        assert self.span is not None
        if self.depth > 1:  # the previous field is still open
            message = (
                f"entry '{self.span.key}', field '{self.field_name}': a '{{' is never closed "
                f"(the next field starts on line {number})"
            )
            self.problem(self.field_line, message)
            self.add_braces(number, self.depth - 1, before_comma=True)
            self.depth = 1
        if self.depth == 1:
            self.need_comma(number)
            self.field_name, self.field_line = name, number
            first = self.span.fields.setdefault(name, number)
            if first != number:
                message = (
                    f"entry '{self.span.key}': field '{name}' written twice (first on line {first})"
                )
                self.problem(number, message)

    def need_comma(self, number: int) -> None:
        """A field starts: the one before it must end with a comma."""
        assert self.span is not None
        index = self.last_written(number)
        if self.field_name and not self.lines[index].rstrip().endswith(","):
            message = f"entry '{self.span.key}', field '{self.field_name}': no ',' after its value"
            self.problem(index + 1, message)
            self.lines[index] = self.lines[index].rstrip() + ","

    def between_entries(self, number: int, stripped: str) -> None:
        if self.closed_on and stripped and not stripped.startswith("%"):
            message = (
                f"entry '{self.spans[-1].key}' is closed on this line by a '}}' too many: "
                f"line {number} after it is outside any entry"
            )
            self.problem(self.closed_on, message)
            self.closed_on = 0

    def never_closed(self, number: int, runs_into: str) -> None:
        """The open entry runs into something: report it and close what is open."""
        assert self.span is not None
        # Inside its last field, or that field went on to a line whose "}" was the entry's.
        if self.depth > 1 or self.field_runs_on:
            where = f"entry '{self.span.key}', field '{self.field_name}'"
            line = self.field_line
        else:
            where, line = f"entry '{self.span.key}'", self.span.line
        self.problem(line, f"{where}: a '{{' is never closed (the entry runs into {runs_into})")
        self.add_braces(number, self.depth, before_comma=False)
        self.span, self.depth = None, 0

    def last_written(self, before: int) -> int:
        """The index in :attr:`lines` of the last non-blank line above line ``before``."""
        index = before - 2
        while index > 0 and not self.lines[index].strip():
            index -= 1
        return index

    def add_braces(self, before: int, count: int, *, before_comma: bool) -> None:
        """Close ``count`` braces at the end of the last non-blank line above ``before``."""
        index = self.last_written(before)
        closing = "}" * count
        line = self.lines[index]
        if before_comma:  # "title = {A {B}," -> "title = {A {B}},"
            self.lines[index] = re.sub(r",?\s*$", lambda m: closing + m.group(0), line, count=1)
        else:
            self.lines[index] = line + closing


_paths: list[Path] = []  # the bibliography files of this build
_locations: dict[str, str] = {}  # lower-case key -> "path:line"


def entry_location(key: str) -> str | None:
    """Where the entry ``key`` is written, ``path:line``, if it is in a ``.bib`` file."""
    if not _locations:  # not read by this process (unchanged since the last build)
        for path in _paths:
            if path.is_file():
                text = path.read_bytes().decode("utf-8-sig", errors="replace")
                _note_locations(path, scan(path, text)[0])
    return _locations.get(key.lower())


def _note_locations(path: Path, spans: list[Span]) -> None:
    for span in spans:
        _locations.setdefault(span.key.lower(), f"{path}:{span.line}")


def read(path: Path, encoding: str, parser: Parser) -> list[BibProblem]:
    """Read one ``.bib`` file into ``parser``; return its problems."""
    raw = path.read_bytes()
    problems = []
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at column {column} of this line"
        problems.append(BibProblem(path, line, message))
        text = raw.decode(encoding, errors="replace")
    spans, found, repaired = scan(path, text)
    problems += found
    earlier = {key.lower(): key for key in parser.data.entries}  # from other files
    for span in spans:
        if span.key.lower() in earlier:
            message = f"entry '{span.key}' is already in {entry_location(span.key)}"
            problems.append(BibProblem(path, span.line, message))
    _note_locations(path, spans)
    parser.filename = str(path)
    with pybtex.errors.capture() as errors:
        parser.parse_string(repaired)
    for error in errors:
        if isinstance(error, PybtexSyntaxError):
            keys = [span.key for span in spans if span.line <= (error.lineno or 0)]
            entry = f"entry '{keys[-1]}': " if keys else ""
            message = f"{entry}{error.error_type}: {error.args[0]}"
            problems.append(BibProblem(path, error.lineno, message))
        elif not isinstance(error, BibliographyDataError):  # repeated: reported above
            problems.append(BibProblem(path, None, str(error)))
    for span in spans:
        entry = parser.data.entries.get(span.key)
        url = str(entry.fields.get("url", "")) if entry is not None else ""
        if url and not is_web_url(url):
            message = (
                f"entry '{span.key}': url {url!r} is not an http(s) URL, so it is left out "
                "(percent-encode spaces, quotes, brackets and braces)"
            )
            problems.append(BibProblem(path, span.fields.get("url", span.line), message))
            del entry.fields["url"]
    return problems


def parse_bibdata(bibfilenames: list[Path], encoding: str) -> upstream.BibData:
    """sphinxcontrib-bibtex's ``parse_bibdata``, with :func:`read` for each file."""
    parser = Parser(encoding)
    bibfiles: dict[Path, upstream.BibFile] = {}
    keys: dict[str, None] = {}
    for filename in bibfilenames:
        logger.info(f"parsing bibtex file {filename}... ", nonl=True)
        if not filename.is_file():
            message = f"could not open bibtex file {filename}."
            logger.warning(message, location=f"{filename}:", type="sosai", subtype="bib")
            bibfiles[filename] = upstream.BibFile(mtime=-math.inf, keys={})
            continue
        problems = read(filename, encoding, parser)
        for problem in problems:
            logger.warning(problem.message, location=problem.location, type="sosai", subtype="bib")
        keys, old_keys = dict.fromkeys(parser.data.entries.keys()), keys
        new_keys = dict.fromkeys(key for key in keys if key not in old_keys)
        logger.info(f"parsed {len(new_keys)} entries")
        # A file with problems is read again next time, so they are reported again.
        mtime = -math.inf if problems else upstream.get_mtime(filename)
        bibfiles[filename] = upstream.BibFile(mtime=mtime, keys=new_keys)
    return upstream.BibData(encoding=encoding, bibfiles=bibfiles, data=parser.data)


def note_paths(app: Sphinx) -> None:
    """Remember this build's bibliography files (as sphinxcontrib-bibtex finds them)."""
    _locations.clear()
    files = app.config.bibtex_bibfiles or []
    _paths[:] = [(Path(app.confdir) / file).resolve() for file in files]


def setup(app: Sphinx) -> ExtensionMetadata:
    """Read the bibliography with :func:`parse_bibdata`."""
    app.setup_extension("sphinxcontrib.bibtex")
    upstream.parse_bibdata = parse_bibdata  # looked up by process_bibdata at each build
    app.connect("builder-inited", note_paths, priority=400)  # before the bibliography is read
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
