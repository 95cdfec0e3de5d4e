"""Search finds British and American spellings alike (``sosai.searchspelling``)."""

from __future__ import annotations

import pytest

from sosai.website import search as searchspelling


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("quantisation", "quantization"),
        ("Quantised", "quantized"),
        ("tokeniser", "tokenizer"),
        ("optimising", "optimizing"),
        ("licence", "license"),
        ("behaviour", "behavior"),
        ("analysed", "analyzed"),
        ("modelling", "modeling"),
    ],
)
def test_both_spellings_stem_alike(british, american):
    language = searchspelling.SearchEnglishBothSpellings({})
    assert language.stem(british) == language.stem(american)


def test_short_words_and_other_words_are_left_alone():
    assert searchspelling.one_spelling("rise") == "rise"
    assert searchspelling.one_spelling("noise") == "noise"
    assert searchspelling.one_spelling("gguf") == "gguf"


def test_the_search_page_applies_the_same_rules(built_book):
    script = (built_book.outdir / "_static" / "language_data.js").read_text(encoding="utf-8")
    assert "sosaiOneSpelling" in script
    assert '"licence": "license"' in script
    assert '["isation", "ization"]' in script


def test_each_page_counts_the_words_it_uses_often(built_book):
    counts = searchspelling.term_counts(built_book.build.env)
    stem = searchspelling.SearchEnglishBothSpellings({}).stem
    assert counts["vector-db"][stem("rag")] > counts["hardware"].get(stem("rag"), 0)
    assert counts["model-formats"][stem("quantization")] >= searchspelling.MIN_COUNT
    assert all(n >= searchspelling.MIN_COUNT for page in counts.values() for n in page.values())
    script = (built_book.outdir / "_static" / "language_data.js").read_text(encoding="utf-8")
    assert "var SOSAI_TERM_COUNTS = {" in script
