"""The speed extensions (``sosai.speed``) change nothing in the pages, only the time."""

from __future__ import annotations

import subprocess
import sys

from tests import book as bookbuild
from tests.conftest import BOOK

# Builds the book strictly without sosai.speed, in a process of its own: the speed
# extensions patch classes for the whole process, and the session's build ran here.
BUILD_WITHOUT_SPEED = """
import sys
from pathlib import Path
from tests import book
config = book.sphinx_config(Path(sys.argv[1]))
extensions = [e for e in config["extensions"] if e != "sosai.speed"]
assert len(extensions) == len(config["extensions"]) - 1, "sosai.speed is not listed"
result = book.build(Path(sys.argv[1]), Path(sys.argv[2]), overrides={"extensions": extensions})
assert result.exception is None, result.exception
assert result.warnings == "", result.warnings
"""


def test_the_book_without_its_speed_extensions_has_the_same_pages(built_book, tmp_path):
    slow = tmp_path / "without-speed"
    with bookbuild.no_network():
        subprocess.run(
            [sys.executable, "-c", BUILD_WITHOUT_SPEED, str(BOOK), str(slow)],
            cwd=BOOK,
            check=True,
        )
    pages = sorted(p.relative_to(built_book.outdir) for p in built_book.outdir.rglob("*.html"))
    assert len(pages) > 15
    assert sorted(p.relative_to(slow) for p in slow.rglob("*.html")) == pages
    different = [
        str(page)
        for page in pages
        if (built_book.outdir / page).read_bytes() != (slow / page).read_bytes()
    ]
    assert different == []
