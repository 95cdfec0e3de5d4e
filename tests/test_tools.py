"""The small command-line checks in ``tools/``."""

from __future__ import annotations

from tools import check_prose


def test_prose_check_flags_banned_phrases_and_brand_spellings(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "We delve into a seamless, cutting-edge stack.\n"
        "Github hosts it; `Github` in code and https://Github.example are fine.\n"
        "GitHub and PyTorch are spelt right.\n"
    )
    found = check_prose.problems(page)
    assert f"{page}:1: banned phrase 'delve'" in found
    assert f"{page}:1: banned phrase 'seamless'" in found
    assert f"{page}:1: banned phrase 'cutting-edge'" in found
    assert f"{page}:2: write 'GitHub', not 'Github'" in found
    assert len(found) == 4
    assert check_prose.main([str(page)]) == 1


def test_prose_check_passes_clean_text(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("Plain sentences about GitHub and Hugging Face.\n")
    assert check_prose.main([str(page)]) == 0
