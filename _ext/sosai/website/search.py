"""The book's search: both spellings found, chapters ranked by what they are about.

The book writes British English ("quantisation", "licence", "behaviour"); readers
often type American ("quantization", "license", "behavior"). Sphinx's English search
stems words with the Porter stemmer, which keeps the two apart. This extension
registers an English search language that maps each word to one spelling before
stemming, both when the index is built (Python) and when a query is typed (the same
rules, written into ``language_data.js`` for the search page). Nothing to write in
MyST; links of the form ``search/?q=…`` work as before.

The rules only need to be applied the same way on both sides: a word they change
that is not a spelling variant ("promise" -> "promize") still finds itself.

Sphinx scores every page that contains a word alike, so pages with equal scores came
out in alphabetical order ("RAG" listed Desktop Apps first). While pages are read,
this module counts each page's stemmed words (those used at least
:data:`MIN_COUNT` times) and writes the counts into ``language_data.js``, which only
the search page loads; the book's scorer (``_templates/search-scorer.js``) adds a
bonus that grows with the logarithm of how often a page uses the query's words, so
the chapter that is about a word comes first.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from sphinx.search.en import SearchEnglish

from sosai import __version__
from sosai.shared import PageRecords

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

MIN_COUNT = 3  # a page's words used fewer times than this give it no bonus
WORD = re.compile(r"[^\W_]+")  # letters and digits, as the search page splits a query

# Whole words whose spellings differ other than by a regular ending.
WORDS = {
    "licence": "license",
    "licences": "licenses",
    "licenced": "licensed",
    "behaviour": "behavior",
    "behaviours": "behaviors",
    "behavioural": "behavioral",
    "colour": "color",
    "colours": "colors",
    "favour": "favor",
    "favours": "favors",
    "labour": "labor",
    "centre": "center",
    "centres": "centers",
    "catalogue": "catalog",
    "catalogues": "catalogs",
    "defence": "defense",
    "defences": "defenses",
    "offence": "offense",
    "modelling": "modeling",
    "modelled": "modeled",
    "labelling": "labeling",
    "labelled": "labeled",
    "cancelled": "canceled",
    "travelling": "traveling",
    "programme": "program",
    "programmes": "programs",
    "grey": "gray",
}
# Regular endings, longest first; applied to words of at least MIN_LENGTH letters.
ENDINGS = [
    ("isations", "izations"),
    ("isation", "ization"),
    ("isers", "izers"),
    ("ising", "izing"),
    ("iser", "izer"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ise", "ize"),
    ("ysing", "yzing"),
    ("ysed", "yzed"),
    ("yses", "yzes"),
    ("yse", "yze"),
]
MIN_LENGTH = 6  # "rise", "wise" and "noise" stay as they are


def one_spelling(word: str) -> str:
    """The word in the spelling both the index and the query use (American)."""
    word = word.lower()
    if word in WORDS:
        return WORDS[word]
    if len(word) >= MIN_LENGTH:
        for british, american in ENDINGS:
            if word.endswith(british):
                return word[: -len(british)] + american
    return word


JS_SPELLING = f"""
var SosaiPorterStemmer = Stemmer;
var SOSAI_WORDS = {json.dumps(WORDS, sort_keys=True)};
var SOSAI_ENDINGS = {json.dumps(ENDINGS)};
var SOSAI_MIN_LENGTH = {MIN_LENGTH};
function sosaiOneSpelling(word) {{
  word = word.toLowerCase();
  if (Object.prototype.hasOwnProperty.call(SOSAI_WORDS, word)) {{ return SOSAI_WORDS[word]; }}
  if (word.length >= SOSAI_MIN_LENGTH) {{
    for (var i = 0; i < SOSAI_ENDINGS.length; i++) {{
      var british = SOSAI_ENDINGS[i][0];
      if (word.endsWith(british)) {{
        return word.slice(0, word.length - british.length) + SOSAI_ENDINGS[i][1];
      }}
    }}
  }}
  return word;
}}
Stemmer = function () {{
  var porter = new SosaiPorterStemmer();
  this.stemWord = function (word) {{ return porter.stemWord(sosaiOneSpelling(word)); }};
}};
"""


class SearchEnglishBothSpellings(SearchEnglish):
    """Sphinx's English search, with one spelling per word before stemming."""

    js_stemmer_code = SearchEnglish.js_stemmer_code + JS_SPELLING

    def stem(self, word: str) -> str:
        """Stem the word in its one spelling."""
        return super().stem(one_spelling(word))


class WordCounts(PageRecords):
    """Each page's stemmed words used at least ``MIN_COUNT`` times: stem -> times."""

    attribute = "sosai_search_counts"

    def record(self, app: Sphinx, doctree: nodes.document) -> dict[str, int]:
        """Count the stemmed words of the page just read."""
        language = SearchEnglishBothSpellings({})
        counts: Counter[str] = Counter()
        for word in WORD.findall(doctree.astext().lower()):
            if len(word) > 1 and word not in language.stopwords:
                counts[language.stem(word)] += 1
        return {w: n for w, n in counts.items() if n >= MIN_COUNT}


def publish_counts(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Give the search page's script every page's counts (before it is written)."""
    counts = {doc: dict(sorted(words.items())) for doc, words in sorted(WordCounts.of(env).items())}
    SearchEnglishBothSpellings.js_stemmer_code = (
        SearchEnglish.js_stemmer_code
        + JS_SPELLING
        + f"var SOSAI_TERM_COUNTS = {json.dumps(counts, separators=(',', ':'))};\n"
    )
    return []


def term_counts(env: Any) -> dict[str, dict[str, int]]:
    """Every page's counts, as published (for tests)."""
    return WordCounts.of(env)


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register the English search language that knows both spellings; count words."""
    app.add_search_language(SearchEnglishBothSpellings)
    app.add_env_collector(WordCounts)
    app.connect("env-updated", publish_counts)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
