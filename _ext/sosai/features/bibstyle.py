"""The bibliography style of the book: ``bibtex_default_style = "sosai"``.

Based on pybtex's ``unsrt`` style, registered through pybtex's documented plugin
API (as sphinxcontrib-bibtex recommends). It differs in two ways:

- author lists longer than :data:`MAX_NAMES` show the first :data:`KEEP_NAMES`
  names followed by "et al.";
- entries are sorted by author, year and title, so the references page reads like
  an index;
- titles keep the capitalisation of the ``.bib`` file (``unsrt`` lower-cases them,
  which mangles names such as "vLLM" or "GPT-OSS" unless every one is braced);
- entries are labelled as the text cites them, "Meta AI, 2025" (``unsrt`` numbers
  them, which the book's author-year citations never show);
- a web source's ``urldate`` (BibLaTeX's field for the day the page was last read,
  ``YYYY-MM-DD``) follows its URL as "accessed 4 December 2026" (``unsrt`` writes
  "visited on" and the raw field).

URLs, DOIs and arXiv identifiers are links, as in ``unsrt`` (``sosai.features.bibfile`` has
dropped any ``url`` that is not http or https, with a warning).

An entry missing a field its type needs (an ``@article`` without a ``year``) is
reported at the entry, ``references.bib:<line>: entry 'key' (@article) has no year,
which the style needs`` (type ``sosai``, subtype ``bib``), once per build, instead of
at the References page; the entry shows "missing year in key" in bold, as upstream.

Speed, which matters because sphinxcontrib-bibtex formats every entry of the
bibliography on every build, even when one chapter changed:

- pybtex finds its plugins by scanning installed package metadata on every lookup
  (about 10 ms each), and sphinxcontrib-bibtex looks one up for every citation.
  ``setup()`` memoises pybtex's entry-point query; plugins registered at run time
  are still found first, as before.
- Formatted entries are kept between builds in the doctree folder
  (``sosai-bibstyle.pickle``), keyed by everything that goes into them (the style,
  the label and the entry's type, fields and names), so an unchanged entry is not
  formatted again. A clean build (``--all``) or a change to this module starts
  without it.
- LaTeX decoding of names and fields is memoised (``Text.from_latex``).

``sosai.speed.bibdomain`` speeds up the rest of sphinxcontrib-bibtex's work.

Usage in MyST::

    ```{bibliography}
    ```
"""

from __future__ import annotations

import codecs
import functools
import pickle
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import latexcodec  # noqa: F401 - registers the "ulatex" codec
import pybtex.plugin
from pybtex import richtext
from pybtex.markup import LaTeXParser
from pybtex.richtext import Tag, Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle as AuthorYearTitleSorting
from pybtex.style.template import FieldIsMissing, field, join, node, optional, sentence
from sphinx.environment import CONFIG_OK
from sphinx.util import logging
from sphinxcontrib.bibtex.style import template as citation_template

from sosai import __version__
from sosai.features import bibfile
from sosai.shared import cache_key, load_kept

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

STYLE_NAME = "sosai"
CACHE_FILE = "sosai-bibstyle.pickle"
FORMATTED: dict[tuple, Any] = {}  # cache key -> pybtex FormattedEntry
REPORTED: set[tuple[str, str]] = set()  # (key, field) missing, warned about this build
MAX_NAMES = 4  # more authors than this are truncated...
KEEP_NAMES = 3  # ...to this many, then "et al."


def _ends_with_others(persons: list) -> bool:
    """BibTeX's "and others", which pybtex reads as a person called "others"."""
    return bool(persons) and str(persons[-1]) == "others"


@node
def names_et_al(children, context, role, **kwargs):
    """Format a role's names, truncating long lists with "et al."."""
    try:
        persons = context["entry"].persons[role]
    except KeyError as exc:
        raise FieldIsMissing(role, context["entry"]) from exc
    style = context["style"]
    others = _ends_with_others(persons)
    persons = persons[:-1] if others else persons
    shown = persons[:KEEP_NAMES] if len(persons) > MAX_NAMES else persons
    formatted = [style.format_name(person, style.abbreviate_names) for person in shown]
    if others or len(persons) > MAX_NAMES:
        return Text(join(sep=", ")[formatted].format_data(context), " et al.")
    return join(**kwargs)[formatted].format_data(context)


ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def accessed_label(urldate: str) -> str:
    """``2026-12-04`` as "4 December 2026"; anything else as written."""
    match = ISO_DAY.match(urldate.strip())
    if not match:
        return urldate.strip()
    try:
        day = date(*map(int, match.groups()))
    except ValueError:  # 2026-02-30: show it as written rather than guess
        return urldate.strip()
    return f"{day.day} {day:%B %Y}"


@node
def accessed(children, context):
    """The words "accessed <day>" if the entry has a ``urldate``; else optional[] drops them."""
    fields = context["entry"].fields
    if "urldate" not in fields:
        raise FieldIsMissing("urldate", context["entry"])
    return Text("accessed ", accessed_label(str(fields["urldate"])))


def _name(person: Any) -> str:
    """A person's surname (with "von" part), or an organisation's name, as plain text."""
    parts = [*person.prelast_names, *person.last_names] or [*person.first_names]
    return decode_latex(" ".join(parts)).replace("{", "").replace("}", "")


def author_label(entry: Any) -> str:
    """The names part of an in-text citation: "Able", "Able and Baker", "Able et al."."""
    persons = list(entry.persons.get("author") or entry.persons.get("editor") or [])
    others = bool(persons) and str(persons[-1]) == "others"
    names = [_name(p) for p in (persons[:-1] if others else persons)]
    if not names:
        return decode_latex(str(entry.fields.get("title", entry.key)))
    if len(names) > 2 or others:
        return f"{names[0]} et al."
    return " and ".join(names)


def citation_label(entry: Any) -> str:
    """The words "Author, Year", as the book's in-text citations read them."""
    return f"{author_label(entry)}, {entry.fields.get('year', 'n.d.')}"


class LabelStyle(BaseLabelStyle):
    """References-page labels that read as the text cites: "Meta AI, 2025"."""

    def format_labels(self, sorted_entries: Iterable[Any]) -> Iterable[str]:
        """One "Author, Year" label per entry."""
        for entry in sorted_entries:
            yield citation_label(entry)


class SortingStyle(AuthorYearTitleSorting):
    """Author, year, title; organisations (``{{Meta AI}}``) sort by their name."""

    def sorting_key(self, entry) -> tuple:
        """Author, year and title, the year without any letter ``sosai.features.citestyle`` added.

        Works that share a label then keep the order their letters were given in.
        """
        author, year, title = super().sorting_key(entry)
        return (author, re.sub(r"(?<=^\d{4})[a-z]+$", "", year), title)

    def person_key(self, person) -> str:
        """The usual key without BibTeX's protective braces, which sort after letters."""
        return super().person_key(person).replace("{", "").replace("}", "")


class Style(UnsrtStyle):
    """``unsrt`` with truncated author lists, sorted by author, year and title."""

    default_sorting_style = STYLE_NAME
    default_label_style = STYLE_NAME

    def format_entry(self, label, entry, bib_data=None):
        """Format an entry, or return the same entry formatted by an earlier build."""
        key = (
            __version__,
            type(self).__name__,
            label,
            entry.key,
            entry.type,
            tuple(sorted((name, str(value)) for name, value in entry.fields.items())),
            tuple((role, tuple(map(str, people))) for role, people in entry.persons.items()),
        )
        if key not in FORMATTED:
            try:
                FORMATTED[key] = super().format_entry(label, entry, bib_data)
            except FieldIsMissing as exc:  # not kept: reported again by the next build
                _report_missing(entry, exc.field_name)
                return FormattedEntry(entry.key, Tag("b", str(exc)), label)
        return FORMATTED[key]

    def format_names(self, role: str, as_sentence: bool = True):
        """Names joined as in ``unsrt``, but at most :data:`KEEP_NAMES` then "et al."."""
        formatted = names_et_al(role, sep=", ", sep2=" and ", last_sep=", and ")
        return sentence[formatted] if as_sentence else formatted

    def format_web_refs(self, e):
        """URL (with "accessed <day>" when the entry has a ``urldate``), e-print, DOI."""
        return sentence[
            optional[join(sep=", ")[self.format_url(e), optional[accessed]]],
            optional[self.format_eprint(e)],
            optional[self.format_pubmed(e)],
            optional[self.format_doi(e)],
        ]

    def format_title(self, e, which_field: str, as_sentence: bool = True):
        """The title as written in the ``.bib`` file."""
        title = field(which_field)
        return sentence[title] if as_sentence else title


def _report_missing(entry: Any, field_name: str) -> None:
    """Warn, once a build, that an entry lacks a field, at the entry in its file."""
    if (entry.key, field_name) in REPORTED:  # formatted again for the hover text
        return
    REPORTED.add((entry.key, field_name))
    logger.warning(
        f"entry '{entry.key}' (@{entry.type}) has no {field_name}, which the style needs",
        location=bibfile.entry_location(entry.key),
        type="sosai",
        subtype="bib",
    )


@functools.cache
def _installed_plugins(group: str, name: str) -> tuple:
    return tuple(_ENTRY_POINTS(group=group, name=name))


def _cached_entry_points(*, group: str, name: str) -> tuple:
    """The entry-point query pybtex makes, memoised (packages do not change mid-build)."""
    return _installed_plugins(group, name)


_ENTRY_POINTS = pybtex.plugin.entry_points


@functools.cache
def decode_latex(latex: str) -> str:
    """A BibTeX field or name as Unicode text (LaTeX accents decoded), memoised."""
    return codecs.decode(latex, "ulatex")


def _text_from_latex(cls: type, latex: str) -> Text:
    """``Text.from_latex`` with the LaTeX decoding memoised.

    pybtex decodes every name and field again each time a citation is formatted: the
    book's 1,700 in-text citations spent a second of each clean build there. The
    decoding is a pure function of the string; the parse still makes a fresh Text.
    """
    return LaTeXParser(decode_latex(latex)).parse()


# How many formatted entries load_formatted found, to save only when there are more.
_loaded: list[int] = []


def _cache_key() -> str:
    """What formatted entries depend on: this style, the strict reader, pybtex."""
    return cache_key(__file__, bibfile.__file__, packages=("pybtex", "latexcodec"))


def load_formatted(app: Sphinx) -> None:
    """Start from the entries formatted by the previous build (unless it is clean)."""
    FORMATTED.clear()
    REPORTED.clear()
    path = Path(app.doctreedir) / CACHE_FILE
    if app.env.config_status == CONFIG_OK and path.is_file():
        kept = load_kept(path)  # None for a stale or partial file: start afresh
        if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == _cache_key():
            FORMATTED.update(kept[1])  # entries formatted by this very style and pybtex
    _loaded[:] = [len(FORMATTED)]


def save_formatted(app: Sphinx, exception: Exception | None) -> None:
    """Keep the formatted entries for the next build, if this build added any."""
    # Entries are only ever added (the key holds everything formatting depends on).
    if exception is None and FORMATTED and [len(FORMATTED)] != _loaded:
        path = Path(app.doctreedir) / CACHE_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps((_cache_key(), FORMATTED)))


_UPSTREAM_NAMES = citation_template.names


@node
def names_in_citations(children, data, role, **kwargs):
    """In-text names: sphinxcontrib-bibtex's, with "and others" read as "et al."."""
    persons = data["entry"].persons.get(role, [])
    if not _ends_with_others(persons) or len(persons) < 2:  # a name, then "others"
        return _UPSTREAM_NAMES(role, **kwargs).format_data(data)
    style = data["style"]
    first = style.person.style_plugin.format(persons[0], style.person.abbreviate)
    return Text(first.format_data(data), kwargs.get("other") or " et al.")


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register the ``sosai`` pybtex styles."""
    app.setup_extension("sosai.features.bibfile")
    pybtex.plugin.entry_points = _cached_entry_points
    richtext.Text.from_latex = classmethod(_text_from_latex)
    citation_template.names = names_in_citations
    # force: a re-imported module (tests, autobuild) replaces its earlier class.
    pybtex.plugin.register_plugin("pybtex.style.sorting", STYLE_NAME, SortingStyle, force=True)
    pybtex.plugin.register_plugin("pybtex.style.labels", STYLE_NAME, LabelStyle, force=True)
    pybtex.plugin.register_plugin("pybtex.style.formatting", STYLE_NAME, Style, force=True)
    app.connect("builder-inited", load_formatted)
    app.connect("build-finished", save_formatted)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
