"""Search finds British and American spellings alike (``sosai.searchspelling``)."""

from __future__ import annotations

import pytest

from sosai import searchspelling


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
