"""How citations read (``sosai.features.citestyle``), on ``tests/roots/test-citestyle``."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from sosai.features import citestyle


def page(app, name: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


def citations(app, name: str) -> list[str]:
    return [c.get_text() for c in page(app, name).select("span.bibtex-citation")]


@pytest.mark.sphinx("html", testroot="citestyle")
def test_works_sharing_a_label_get_letters_and_one_name(app, warning):
    app.build()
    assert warning.getvalue() == ""
    assert citations(app, "index") == [
        "(Meta AI, 2025; Ollama, 2026a, 2026b)",  # letters follow the titles: Alpha, Beta
        "(Meta AI, 2025; Ollama, 2025)",  # the repeated work appears once
        "Ollama (2026b)",
        "(.txt, 2024)",
    ]
    assert citations(app, "other") == ["(Ollama, 2025)"]


@pytest.mark.sphinx("html", testroot="citestyle")
def test_references_use_the_same_labels_and_open_with_an_a_to_z_line(app):
    app.build()
    refs = page(app, "references")
    labels = [s.get_text().strip("[]") for s in refs.select("div.citation > span.label")]
    assert labels == [
        ".txt, 2024",
        "Meta AI, 2025",
        "Ollama, 2025",
        "Ollama, 2026a",
        "Ollama, 2026b",
    ]
    alphabet = refs.select_one("p.sosai-alphabet")
    assert [a.get_text() for a in alphabet.select("a")] == ["#", "M", "O"]
    first_o = refs.select("div.citation")[2]["id"]
    assert alphabet.select("a")[-1]["href"] == f"#{first_o}"


@pytest.mark.sphinx("html", testroot="citestyle", srcdir="citestyle-incremental")
def test_a_new_work_reletters_its_group_on_every_page_citing_it(make_app, app_params):
    args, kwargs = app_params
    app = make_app(*args, **kwargs)
    app.build()
    bib = app.srcdir / "refs.bib"
    bib.write_text(
        bib.read_text() + "@online{ollama-d,\n  author = {{Ollama}},\n  title = {Delta},\n"
        "  year = {2025},\n  url = {https://example.org/delta}\n}\n"
    )
    (app.srcdir / "index.md").write_text(
        (app.srcdir / "index.md")
        .read_text()
        .replace("with {cite:p}", "and {cite:p}`ollama-d` with {cite:p}")
    )
    rebuilt = make_app(*args, **{**kwargs, "freshenv": False})
    rebuilt.build()
    # other.md did not change, but its work is now the second of two: Delta, Gamma.
    assert citations(rebuilt, "other") == ["(Ollama, 2025b)"]


def test_letters_go_on_past_z():
    assert [citestyle.letters(i) for i in (0, 25, 26, 27, 51, 52)] == [
        "a",
        "z",
        "aa",
        "ab",
        "az",
        "ba",
    ]
