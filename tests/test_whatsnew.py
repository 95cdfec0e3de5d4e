"""The "What's new" page and its Atom feed (``sosai.whatsnew``), from a git history."""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from sosai import contributors
from tests.test_contributors import ISOLATED_GIT, commit

ATOM = "{http://www.w3.org/2005/Atom}"
TABLE = """
```{data-table} _data/things.yml
:caption: Things
```
"""


@pytest.fixture
def history(tmp_path: Path, rootdir: Path) -> Path:
    """Three content commits (chapter, data, both) and one build-only commit."""
    repo = tmp_path / "book"
    shutil.copytree(rootdir / "test-whatsnew", repo)
    schema = rootdir / "test-book-good" / "_data" / "schema" / "things.schema.json"
    shutil.copy(schema, repo / "_data" / "schema")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True,
                   env={**os.environ, **ISOLATED_GIT})  # fmt: skip
    commit(repo, "Ada", "ada@example.org", "Start the book")
    (repo / "chapter.md").write_text("# Chapter\n\nFirst line.\n" + TABLE)
    shutil.copy(rootdir / "test-book-good" / "_data" / "things.yml", repo / "_data")
    commit(repo, "Ada", "ada@example.org", "Add the things table")
    (repo / "conf.py").write_text((repo / "conf.py").read_text() + "\n# tweak\n")
    commit(repo, "Ada", "ada@example.org", "Tweak the build only")
    data = repo / "_data" / "things.yml"
    data.write_text(data.read_text().replace("size_b: 70", "size_b: 72"))
    commit(repo, "Ada", "ada@example.org", "Correct the large thing's size")
    contributors.history_problem.cache_clear()
    return repo


def build(make_app, srcdir: Path):
    app = make_app("dirhtml", srcdir=srcdir)
    app.build()
    return app


def test_lists_content_changes_newest_first(make_app, history):
    app = build(make_app, history)
    assert app._warning.getvalue() == ""
    soup = BeautifulSoup((app.outdir / "whats-new" / "index.html").read_text(), "html.parser")
    items = [li.get_text(" ", strip=True) for li in soup.select("ul.sosai-whats-new li")]
    assert len(items) == 3  # the build-only commit is not content
    assert "Chapter : Correct the large thing" in items[0]  # data file -> its chapter
    assert "Chapter : Add the things table" in items[1]
    assert "Start the book" in items[2]
    first = soup.select("ul.sosai-whats-new li")[0]
    assert first.select_one("a[href='../chapter/']")
    assert first.select_one("a[href^='https://github.com/example/book/commit/']")


def test_writes_an_atom_feed_announced_on_every_page(make_app, history):
    app = build(make_app, history)
    feed = ET.parse(app.outdir / "whats-new.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}summary").text for e in entries] == [
        "Correct the large thing's size", "Add the things table", "Start the book"]  # fmt: skip
    assert entries[0].find(f"{ATOM}link").get("href") == "https://book.example.org/chapter/"
    head = BeautifulSoup((app.outdir / "chapter" / "index.html").read_text(), "html.parser").head
    link = head.select_one("link[rel=alternate][type='application/atom+xml']")
    assert link["href"] == "https://book.example.org/whats-new.xml"
    page = BeautifulSoup((app.outdir / "whats-new" / "index.html").read_text(), "html.parser")
    assert page.select_one("p.sosai-feed a")["href"] == "../whats-new.xml"


def test_without_git_the_page_says_so(make_app, tmp_path, rootdir):
    srcdir = tmp_path / "no-git"
    shutil.copytree(rootdir / "test-whatsnew", srcdir)
    contributors.history_problem.cache_clear()
    app = build(make_app, srcdir)
    text = (app.outdir / "whats-new" / "index.html").read_text()
    assert "The change history is not available in this build." in text
    assert not (app.outdir / "whats-new.xml").exists()
