"""The speed extensions (``sosai.speed``) change nothing in the pages, only the time."""

from __future__ import annotations

import importlib
import importlib.metadata
import platform
import re
import subprocess
import sys

import pytest

from sosai.speed import SPEED_EXTENSIONS
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


CHECKED_AGAINST = re.compile(r"^Checked against: (.+)\.$", re.MULTILINE)


@pytest.mark.parametrize("name", SPEED_EXTENSIONS)
def test_each_speed_module_was_checked_against_the_installed_versions(name):
    """A speed module patches upstream code: an upgrade means checking it again.

    Each module's docstring says what it patches, which versions it was checked
    against, what it saves and where upstream could take the fix; after an upgrade
    this fails until someone has checked the patch and updated that line.
    """
    doc = importlib.import_module(name).__doc__
    for heading in ("Patches: ", "Checked against: ", "Saves (", "Upstream: "):
        assert f"\n{heading}" in doc, f"{name}: no {heading.strip()} paragraph"
    versions = dict(v.rsplit(" ", 1) for v in CHECKED_AGAINST.search(doc).group(1).split(", "))
    for project, checked in versions.items():
        if project == "Python":
            installed = platform.python_version()
        else:
            installed = importlib.metadata.version(project)
        assert installed == checked, f"{name} was checked against {project} {checked}"
