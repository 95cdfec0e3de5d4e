"""The whole book as EPUB and PDF (``tools/downloads.py``), opened and read."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
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


def epubcheck() -> list[str] | None:
    """The command that runs EPUBCheck (Debian's ``epubcheck``), if installed."""
    found = shutil.which("epubcheck")
    java = shutil.which("java")
    if (found is None or java is None) and os.environ.get("SOSAI_REQUIRE_EPUBCHECK"):
        pytest.fail("SOSAI_REQUIRE_EPUBCHECK is set but epubcheck (or java) is not installed")
    if found is None or java is None:
        return None
    # Debian's /usr/bin/epubcheck is a link to the jar, which runs only where the
    # kernel hands jars to java (binfmt_misc): run the jar with java directly.
    return [java, "-jar", str(Path(found).resolve())]


def test_epub_passes_epubcheck(built_book):
    command = epubcheck()
    if command is None:
        pytest.skip("no epubcheck on this machine (.ci/run installs Debian's epubcheck)")
    result = subprocess.run(
        [*command, str(built_book.downloads["epub"])],
        capture_output=True,
        text=True,
        check=False,
    )
    report = result.stdout + result.stderr
    problems = [line for line in report.splitlines() if line.startswith(("FATAL", "ERROR"))]
    assert problems == []
    assert re.search(r"Messages: 0 fatals / 0 errors", report), report[-500:]
    assert result.returncode == 0


def test_pdf_has_every_field_of_every_row_of_the_wide_tables(built_book):
    if "pdf" not in built_book.downloads:
        pytest.skip("no Chromium on this machine to print the PDF (CI requires one)")
    text = " ".join(
        " ".join(
            page.extract_text() for page in PdfReader(built_book.downloads["pdf"]).pages
        ).split()
    )
    expected: dict[str, int] = {}  # "Header:" -> rows that print it
    for page in built_book.pages():
        for box in built_book.html(page).select("div.sosai-wide"):
            headers = [th.get_text(" ", strip=True) for th in box.select("thead th")]
            rows = len(box.select("tbody tr"))
            for header in headers[1:]:  # the first column is the row's name, unlabelled
                expected[f"{header}:"] = expected.get(f"{header}:", 0) + rows
    assert "Top-score date:" in expected  # the benchmarks' last columns, cut before
    missing = {
        label: (text.count(label), rows) for label, rows in expected.items()
        if text.count(label) < rows
    }  # fmt: skip
    assert missing == {}
