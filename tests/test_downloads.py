"""The whole book as EPUB and PDF (``tools/downloads.py``), opened and read."""

from __future__ import annotations

import zipfile
from xml.etree import ElementTree as ET

import pytest
from pypdf import PdfReader

from tests.conftest import chapters

CHAPTERS = chapters()
OPF = "{http://www.idpf.org/2007/opf}"


def titles(built_book) -> list[str]:
    return [built_book.build.env.titles[d].astext() for d in CHAPTERS]


def test_epub_package_lists_every_chapter_with_figures(built_book):
    with zipfile.ZipFile(built_book.downloads["epub"]) as epub:
        names = epub.namelist()
        opf_name = next(n for n in names if n.endswith(".opf"))
        package = ET.fromstring(epub.read(opf_name))
        items = {i.get("href") for i in package.iter(f"{OPF}item")}
        spine = [i.get("idref") for i in package.iter(f"{OPF}itemref")]
        assert {f"{d}.xhtml" for d in CHAPTERS} <= items
        assert len(spine) >= len(CHAPTERS)
        assert any(name.endswith(".svg") for name in names)  # charts travel with the book
        references = epub.read(next(n for n in names if n.endswith("references.xhtml")))
        assert b'class="citation"' in references
        models = epub.read("models.xhtml")
        assert b"<img" in models
        assert b"loading=" not in models  # lazy loading is for the website only


def test_pdf_contains_every_chapter_title(built_book):
    if "pdf" not in built_book.downloads:
        pytest.skip("no Chromium on this machine to print the PDF (CI requires one)")
    missing = [t for t in titles(built_book) if t not in built_book.pdf_text]
    assert missing == []
    assert len(PdfReader(built_book.downloads["pdf"]).pages) > len(CHAPTERS)


def test_every_page_links_to_both_downloads(built_book):
    for page in built_book.pages():
        footer = built_book.html(page).select_one("p.sosai-book-downloads")
        assert footer is not None, page
        hrefs = [a["href"] for a in footer.select("a")]
        assert any(h.endswith("downloads/state-of-open-source-ai.pdf") for h in hrefs)
        assert any(h.endswith("downloads/state-of-open-source-ai.epub") for h in hrefs)
