"""Shared fixtures: Sphinx's testing fixtures, the test roots and the built book."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from pypdf import PdfReader

from tests import book as bookbuild
from tools import downloads

pytest_plugins = ("sphinx.testing.fixtures",)
collect_ignore = ["roots"]

TESTS = Path(__file__).parent
ROOTS = TESTS / "roots"
BOOK = TESTS.parent
# Latin ligatures a PDF's fonts may print, and the letters they stand for.
LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
)


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where ``@pytest.mark.sphinx(testroot=...)`` finds ``test-<name>/``."""
    return ROOTS


@pytest.fixture
def app_params(request: pytest.FixtureRequest, sphinx_test_tempdir: Path, rootdir: Path):
    """Sphinx's ``app_params``, except that each test builds its own fresh copy.

    Upstream copies a test project once and shares that copy between the tests that
    use it, output folder included: a test could see an earlier test's edits, or pass
    a "no warnings" check on a build that had nothing left to do.
    """
    positional: dict[int, object] = {}
    kwargs: dict[str, object] = {}
    for marker in reversed(list(request.node.iter_markers("sphinx"))):
        positional |= dict(enumerate(marker.args))
        kwargs.update(marker.kwargs)
    testroot = kwargs.pop("testroot", "root")
    test_id = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:10]
    srcdir = Path(sphinx_test_tempdir) / f"{kwargs.get('srcdir', testroot)}-{test_id}"
    shutil.rmtree(srcdir, ignore_errors=True)
    shutil.copytree(Path(rootdir) / f"test-{testroot}", srcdir)
    kwargs["srcdir"] = srcdir
    return [positional[i] for i in sorted(positional)], kwargs


@dataclass
class BuiltBook:
    """The real book, built once: its build record, downloads and parsed pages."""

    build: bookbuild.Build
    network: bookbuild.NetworkLog
    downloads: dict[str, Path]
    printed: Path | None = None  # the singlehtml build the PDF was printed from

    @property
    def outdir(self) -> Path:
        """The dirhtml output folder."""
        return self.build.outdir

    def pages(self) -> list[Path]:
        """Every HTML page, relative to the output folder (theme assets excluded)."""
        return sorted(
            p.relative_to(self.outdir)
            for p in self.outdir.rglob("*.html")
            if p.relative_to(self.outdir).parts[0] != "_static"
        )

    def html(self, page: str | Path) -> BeautifulSoup:
        """A page parsed with BeautifulSoup (``"models/index.html"``)."""
        return BeautifulSoup((self.outdir / page).read_text(encoding="utf-8"), "html.parser")

    @functools.cached_property
    def pdf_text(self) -> str | None:
        """The PDF's text, whitespace normalised (extracted once); None without a PDF.

        Typographic ligatures the fonts print ("ﬁ" in "Will it fit?") are spelt out,
        so the text reads as the source wrote it.
        """
        if "pdf" not in self.downloads:
            return None
        reader = PdfReader(self.downloads["pdf"])
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        return text.translate(LIGATURES)


def chapters() -> list[str]:
    """Docnames in ``_toc.yml``, root first."""
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"], *(entry["file"] for entry in toc["chapters"])]


def chromium() -> Path | None:
    """The local Chromium for the PDF and browser tests.

    Missing Chromium skips those tests on a developer's machine; with
    ``SOSAI_REQUIRE_BROWSER`` set (``.ci/run`` sets it) it fails them instead.
    """
    path = downloads.chromium()
    if path is None and os.environ.get("SOSAI_REQUIRE_BROWSER"):
        pytest.fail("SOSAI_REQUIRE_BROWSER is set but no Chromium was found")
    return path


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> BuiltBook:
    """The real book built once per session, strictly, with the network refused.

    The EPUB, and the PDF when Chromium is available, are built into its
    ``downloads/`` as ``make downloads`` does for the published site, by
    ``jupyter-book`` processes under the same refusal (``network.children``).
    With ``SOSAI_SITE_OUT`` set, the whole site is also copied there (CI publishes it).
    """
    work = tmp_path_factory.mktemp("book")
    outdir = work / "_build" / "dirhtml"
    folder = outdir / "downloads"
    with bookbuild.no_network() as network:
        result = bookbuild.build(BOOK, outdir)
        folder.mkdir(parents=True, exist_ok=True)
        files = {"epub": folder / f"{downloads.NAME}.epub"}
        shutil.copyfile(downloads.build_epub(BOOK, work / "epub"), files["epub"])
        browser = chromium()
        printed = None
        if browser is not None:
            out = downloads.jupyter_book(BOOK, work / "singlehtml", "--builder", "singlehtml")
            printed = out / "singlehtml"
            files["pdf"] = downloads.print_pdf(printed, folder / f"{downloads.NAME}.pdf", browser)
    publish_to = os.environ.get("SOSAI_SITE_OUT")
    if publish_to:  # CI deploys the site the tests checked, rather than build it again
        shutil.rmtree(publish_to, ignore_errors=True)
        shutil.copytree(outdir, publish_to)
    return BuiltBook(result, network, files, printed)


def git_commit_all(repo: Path, message: str = "Write the mini-book") -> None:
    """Make ``repo`` a git work tree with everything committed (as in a real clone)."""
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_SYSTEM": "/dev/null"}
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        [
            "-c",
            "user.name=Ada Editor",
            "-c",
            "user.email=ada@example.org",
            "commit",
            "-q",
            "-m",
            message,
        ],
    ):
        subprocess.run(["git", *args], cwd=repo, check=True, env={**os.environ, **env})


@pytest.fixture
def minibook(tmp_path: Path):
    """Build a mini-book from ``tests/roots/test-book-<case>`` with the real config.

    Each case folder holds only what differs from ``test-book-good``, which is copied
    first. The mini-book gets the book's own ``_config.yml`` (pointing at its own
    bibliography), extensions and shared schema, and is committed to a fresh git
    repository, so a test proves the real settings catch the problem.
    """

    def _build(case: str, edit=None, **options) -> bookbuild.Build:
        """Build a case; ``edit(srcdir)`` may change files first, ``options`` go to build()."""
        srcdir = tmp_path / case
        shutil.copytree(ROOTS / "test-book-good", srcdir)
        if case != "good":
            shutil.copytree(ROOTS / f"test-book-{case}", srcdir, dirs_exist_ok=True)
        skip = shutil.ignore_patterns("__pycache__")
        for folder in ("_ext", "_templates", "_static"):  # the book's own machinery
            shutil.copytree(BOOK / folder, srcdir / folder, ignore=skip, dirs_exist_ok=True)
        shutil.copy(BOOK / "_data" / "schema" / "common.schema.json", srcdir / "_data" / "schema")
        bookbuild.write_config(srcdir, BOOK / "_config.yml", bibtex_bibfiles=["references.bib"])
        if edit:
            edit(srcdir)
        git_commit_all(srcdir)
        return bookbuild.build(srcdir, **options)

    return _build
