"""The bibliography style of the book: ``bibtex_default_style = "sosai"``.

Based on pybtex's ``unsrt`` style, registered through pybtex's documented plugin
API (as sphinxcontrib-bibtex recommends). It differs in two ways:

- author lists longer than :data:`MAX_NAMES` show the first :data:`KEEP_NAMES`
  names followed by "et al.";
- entries are sorted by author, year and title, so the references page reads like
  an index;
- titles keep the capitalisation of the ``.bib`` file (``unsrt`` lower-cases them,
  which mangles names such as "vLLM" or "GPT-OSS" unless every one is braced).

URLs, DOIs and arXiv identifiers are links, as in ``unsrt``. Usage in MyST::

    ```{bibliography}
    ```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pybtex.plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.sorting.author_year_title import SortingStyle as AuthorYearTitleSorting
from pybtex.style.template import FieldIsMissing, field, join, node, sentence

from sosai import __version__

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

STYLE_NAME = "sosai"
MAX_NAMES = 4  # more authors than this are truncated...
KEEP_NAMES = 3  # ...to this many, then "et al."


@node
def names_et_al(children, context, role, **kwargs):
    """Format a role's names, truncating long lists with "et al."."""
    try:
        persons = context["entry"].persons[role]
    except KeyError as exc:
        raise FieldIsMissing(role, context["entry"]) from exc
    style = context["style"]
    truncated = len(persons) > MAX_NAMES
    shown = persons[:KEEP_NAMES] if truncated else persons
    formatted = [style.format_name(person, style.abbreviate_names) for person in shown]
    if truncated:
        return Text(join(sep=", ")[formatted].format_data(context), " et al.")
    return join(**kwargs)[formatted].format_data(context)


class SortingStyle(AuthorYearTitleSorting):
    """Author, year, title; organisations (``{{Meta AI}}``) sort by their name."""

    def person_key(self, person) -> str:
        """The usual key without BibTeX's protective braces, which sort after letters."""
        return super().person_key(person).replace("{", "").replace("}", "")


class Style(UnsrtStyle):
    """``unsrt`` with truncated author lists, sorted by author, year and title."""

    default_sorting_style = STYLE_NAME

    def format_names(self, role: str, as_sentence: bool = True):
        """Names joined as in ``unsrt``, but at most :data:`KEEP_NAMES` then "et al."."""
        formatted = names_et_al(role, sep=", ", sep2=" and ", last_sep=", and ")
        return sentence[formatted] if as_sentence else formatted

    def format_title(self, e, which_field: str, as_sentence: bool = True):
        """The title as written in the ``.bib`` file."""
        title = field(which_field)
        return sentence[title] if as_sentence else title


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register the ``sosai`` pybtex formatting and sorting styles."""
    # force: a re-imported module (tests, autobuild) replaces its earlier class.
    pybtex.plugin.register_plugin("pybtex.style.sorting", STYLE_NAME, SortingStyle, force=True)
    pybtex.plugin.register_plugin("pybtex.style.formatting", STYLE_NAME, Style, force=True)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
