"""Measure the book's own search against Pagefind on the book's search test set.

Usage, after ``make build``::

    .venv/bin/pip install 'pagefind[extended]'  # for this measurement only
    .venv/bin/python tools/compare_search.py [SITE] [--json PATH]

``SITE`` is a built site (default ``_build/dirhtml``); it is not changed. Pagefind is
not one of the book's requirements: install it by hand as above to measure.

The site is copied to a temporary folder and the copy indexed with Pagefind (the
Python package runs the binary): the pages Sphinx indexes (``--glob``), and in each
only the article (``--root-selector``), without the feedback footer and the heading
anchors (``--exclude-selectors``), so the navigation, sidebars and footers are left
out, as Sphinx leaves them out. The copy is served from 127.0.0.1 with gzip, as a static host
serves it (``tools/gzip_server.py``), and headless Chromium (Debian's, driven by
Playwright; every request to another host refused) runs each query of
``tools/search_queries.py``, each in a fresh browser context, so nothing is cached:

- Sphinx: opens ``search/?q=…`` and reads the result links. Time to results is from
  the start of that page's load, as a reader waits after pressing Enter.
- Pagefind: on the already loaded landing page, through its JavaScript API
  (``import('/pagefind/pagefind.js')``, ``search``, then ``data()`` of the first three
  results), as a search box on the page would. Time to results is from the import.

Printed as Markdown (and written as JSON with ``--json``): per query, each engine's
first three results (a page can come twice in Sphinx's, once per matching section or
glossary term) and whether the expected chapter came first or in the top three; per
spelling pair, whether each engine puts the chapter in the top three for both
spellings; totals with the median time to results, what a search transfers, gzipped
(Sphinx: what its search page loads that the book's pages do not, including the whole
HTML of every result, which it fetches to cut an excerpt; Pagefind: every file under
``pagefind/``, with the fragments of the first three results), and the index on disk.
Figures are printed, never asserted in tests.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools import gzip_server
from tools.downloads import CHROMIUM_ARGS, chromium
from tools.search_queries import SPELLINGS, TOP_THREE

ROOT = Path(__file__).resolve().parent.parent
INSTALL = ".venv/bin/pip install 'pagefind[extended]'"
# Only the article: the theme's navigation, sidebars and footers lie outside it. Inside
# it, the feedback footer is the same on every page and the heading anchors are "#".
PAGEFIND_OPTIONS = [
    "--root-selector", "article.bd-article",
    "--exclude-selectors", ".sosai-footer",
    "--exclude-selectors", ".headerlink",
]  # fmt: skip
RESULT_LINKS = "#search-results ul.search li > a"
# Sphinx's search page says how many pages it found once it has shown them all.
SPHINX_FINISHED = """() => {
    const summary = document.querySelector('#search-results p.search-summary');
    return Boolean(summary && summary.textContent);
}"""
# True (as the time since the page started loading) once the first three results are
# shown, or once the search has finished with fewer.
SPHINX_TOP_THREE = f"""() => {{
    const links = document.querySelectorAll({json.dumps(RESULT_LINKS)});
    return links.length >= 3 || ({SPHINX_FINISHED})() ? performance.now() : false;
}}"""
PAGEFIND_SEARCH = """async (query) => {
    const start = performance.now();
    const pagefind = await import('/pagefind/pagefind.js');
    const search = await pagefind.search(query);
    const data = await Promise.all(search.results.slice(0, 3).map((r) => r.data()));
    return {urls: data.map((d) => d.url), ms: performance.now() - start};
}"""


@dataclass
class Run:
    """One query on one engine: its first three chapters, time and transfer.

    ``bytes`` is everything the search transferred, gzipped; ``index_bytes`` leaves out
    the excerpts shown under the results (Sphinx fetches the whole HTML page of every
    result to cut one; Pagefind a fragment file per result shown).
    """

    top: list[str]
    ms: float
    bytes: int
    index_bytes: int
    requests: int

    @classmethod
    def of(cls, top: list[str], ms: float, files: dict[str, int]) -> Run:
        """A run whose search fetched ``files`` (URL: gzipped bytes)."""
        index = [size for url, size in files.items() if not is_excerpt(url)]
        return cls(top, round(ms, 1), sum(files.values()), sum(index), len(files))


def is_excerpt(url: str) -> bool:
    """Whether a file a search fetched is there for a result's excerpt."""
    path = urlsplit(url).path
    return path.endswith(("/", ".html")) or "/pagefind/fragment/" in path


def chapter_of(url: str) -> str:
    """The page a result URL points to: ``models`` for ``…/models/#x``, ``index`` for ``/``."""
    path = urlsplit(url).path.removesuffix("index.html").removesuffix(".html").strip("/")
    return path.rsplit("/", 1)[-1] or "index"


def score(top: list[str], expected: str) -> dict[str, bool]:
    """Whether ``expected`` is the first result and whether it is among the first three."""
    return {"first": top[:1] == [expected], "top3": expected in top[:3]}


def indexed_pages(site: Path) -> list[str]:
    """The HTML files of the pages in Sphinx's search index (``models/index.html``)."""
    text = (site / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    # dirhtml writes "index" and "a/index" as such, any other page "a/b" as a/b/index.html.
    return [
        f"{name}.html" if name.rsplit("/", 1)[-1] == "index" else f"{name}/index.html"
        for name in index["docnames"]
    ]


def pagefind_version() -> str | None:
    """The Pagefind version the Python package runs, or None if it is not installed."""
    found = subprocess.run(
        [sys.executable, "-m", "pagefind", "--version"],
        check=False,
        capture_output=True,
        text=True,
    )
    return found.stdout.split()[-1] if found.returncode == 0 and found.stdout else None


def pagefind_command(site: Path, pages: list[str]) -> list[str]:
    """The command that indexes ``pages`` of ``site`` into ``site/pagefind``."""
    glob = "{" + ",".join(pages) + "}"
    return [sys.executable, "-m", "pagefind", "--site", str(site), "--glob", glob,
            *PAGEFIND_OPTIONS, "--quiet"]  # fmt: skip


def folder_bytes(folder: Path) -> int:
    """Bytes on disk of every file in ``folder``."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def index_sizes(site: Path) -> dict[str, dict[str, int]]:
    """Bytes on disk of each engine's search files.

    Sphinx's are the index and ``language_data.js`` (the stemmer, the spelling rules
    and each page's word counts). Pagefind's whole folder holds four UIs the JS API
    does not need, so its index (the index chunks, the page fragments, the metadata
    and the entry file) is given on its own too, and so is what its default UI would
    add to a search, gzipped.
    """
    pagefind = site / "pagefind"
    data = [pagefind / "index", pagefind / "fragment"]
    data_files = [*pagefind.glob("*.pf_meta"), pagefind / "pagefind-entry.json"]
    ui = [pagefind / "pagefind-ui.js", pagefind / "pagefind-ui.css"]
    return {
        "sphinx": {
            "index_bytes_on_disk": (site / "searchindex.js").stat().st_size
            + (site / "_static" / "language_data.js").stat().st_size,
        },
        "pagefind": {
            "index_bytes_on_disk": sum(folder_bytes(f) for f in data)
            + sum(f.stat().st_size for f in data_files),
            "folder_bytes_on_disk": folder_bytes(pagefind),
            "ui_bytes_gzipped": sum(len(gzip.compress(f.read_bytes(), 6)) for f in ui),
        },
    }


class Browser:
    """Headless Chromium on the served site; each search runs in a fresh context."""

    def __init__(self, playwright, base: str, pages: list[str]) -> None:
        """Launch Debian's Chromium for the site at ``base``, whose pages are ``pages``."""
        self.base = base
        self.origin = base[: base.index("/", len("http://"))]
        self.chrome = playwright.chromium.launch(
            executable_path=str(chromium()), args=CHROMIUM_ARGS
        )
        # What the pages load (styles, scripts, fonts) a reader has before searching.
        self.page_files: set[str] = set()
        for html in pages:
            page, fetched = self._open(html.removesuffix("index.html"), wait="networkidle")
            self.page_files |= fetched.keys()
            page.context.close()

    def _open(self, path: str, *, wait: str = "load"):
        """A fresh page on ``path`` and the URLs of what it fetches, with their sizes."""
        context = self.chrome.new_context()
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(self.origin) else route.abort()
            ),
        )
        page = context.new_page()
        fetched: dict[str, int] = {}  # URL: gzipped bytes, every file but the page itself

        def record(response) -> None:
            if response.request.resource_type != "document":
                fetched[response.url] = int(response.headers.get("content-length", 0))

        page.on("response", record)
        page.goto(self.base + path, wait_until=wait)
        return page, fetched

    def sphinx(self, query: str) -> Run:
        """The book's own search page for ``query``."""
        path = "search/?" + urlencode({"q": query})
        page, fetched = self._open(path, wait="commit")
        ms = page.wait_for_function(SPHINX_TOP_THREE, polling="raf", timeout=30_000).json_value()
        hrefs = page.eval_on_selector_all(RESULT_LINKS, "links => links.map(a => a.href)")
        # The page goes on fetching an excerpt for every result: part of what it costs.
        page.wait_for_function(SPHINX_FINISHED, timeout=30_000)
        page.wait_for_load_state("networkidle")
        # The search page's own HTML is left out (it stands for the page a search box
        # would be on), and so is what the book's pages load.
        search_files = {u: size for u, size in fetched.items() if u not in self.page_files}
        page.context.close()
        return Run.of([chapter_of(href) for href in hrefs[:3]], ms, search_files)

    def pagefind(self, query: str) -> Run:
        """Pagefind's JavaScript API, called on the landing page, for ``query``."""
        page, fetched = self._open("", wait="networkidle")
        found = page.evaluate(PAGEFIND_SEARCH, query)
        page.context.close()
        search_files = {u: size for u, size in fetched.items() if "/pagefind/" in u}
        return Run.of([chapter_of(url) for url in found["urls"]], found["ms"], search_files)

    def close(self) -> None:
        """Close Chromium."""
        self.chrome.close()


def measure(site: Path, queries: list[str]) -> dict[str, dict[str, Run]]:
    """Each engine's run of each query, on ``site`` served from 127.0.0.1."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - optional dependency

    runs: dict[str, dict[str, Run]] = {}
    with gzip_server.serve(site) as base, sync_playwright() as playwright:
        browser = Browser(playwright, base, indexed_pages(site))
        for query in queries:
            runs[query] = {"sphinx": browser.sphinx(query), "pagefind": browser.pagefind(query)}
        browser.close()
    return runs


def report(
    runs: dict[str, dict[str, Run]], sizes: dict, version: str, pages: list[str]
) -> dict[str, object]:
    """Per query, per spelling pair and in total, for both engines."""
    engines = ("sphinx", "pagefind")
    queries = [
        {"query": q, "expected": chapter}
        | {e: asdict(runs[q][e]) | score(runs[q][e].top, chapter) for e in engines}
        for q, chapter in TOP_THREE
    ]
    spellings = [
        {"american": us, "british": uk, "expected": chapter}
        | {e: all(chapter in runs[q][e].top for q in (us, uk)) for e in engines}
        for us, uk, chapter in SPELLINGS
    ]
    totals = {
        e: {
            "first": sum(q[e]["first"] for q in queries),
            "top3": sum(q[e]["top3"] for q in queries),
            "spellings": sum(s[e] for s in spellings),
            "median_ms": round(statistics.median(q[e]["ms"] for q in queries)),
            "median_bytes": round(statistics.median(q[e]["bytes"] for q in queries)),
            "max_bytes": max(q[e]["bytes"] for q in queries),
            "median_index_bytes": round(statistics.median(q[e]["index_bytes"] for q in queries)),
            "median_requests": statistics.median(q[e]["requests"] for q in queries),
            "max_requests": max(q[e]["requests"] for q in queries),
        }
        | sizes[e]
        for e in engines
    }
    return {
        "pagefind": {"version": version, "options": PAGEFIND_OPTIONS, "pages": pages},
        "queries": queries,
        "spellings": spellings,
        "totals": totals,
    }


def hit(result: dict) -> str:
    """A cell saying where the expected chapter came."""
    return "first" if result["first"] else "top 3" if result["top3"] else "**miss**"


def markdown(results: dict) -> str:
    """The report as Markdown tables."""
    lines = [
        "| Query | Expected | Sphinx top 3 | Sphinx | Pagefind top 3 | Pagefind |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for q in results["queries"]:
        s, p = q["sphinx"], q["pagefind"]
        lines.append(
            f"| {q['query']} | {q['expected']} | {', '.join(s['top'])} | {hit(s)} "
            f"| {', '.join(p['top'])} | {hit(p)} |"
        )
    lines += ["", "| Spelling pair | Expected | Sphinx | Pagefind |", "| --- | --- | --- | --- |"]
    for pair in results["spellings"]:
        found = ["both" if pair[e] else "**not both**" for e in ("sphinx", "pagefind")]
        lines.append(f"| {pair['american']} / {pair['british']} | {pair['expected']} | "
                     f"{found[0]} | {found[1]} |")  # fmt: skip
    n, pairs = len(results["queries"]), len(results["spellings"])
    s, p = results["totals"]["sphinx"], results["totals"]["pagefind"]
    lines += [
        "",
        "| Total | Sphinx | Pagefind |",
        "| --- | --- | --- |",
        f"| First place | {s['first']}/{n} | {p['first']}/{n} |",
        f"| Top 3 | {s['top3']}/{n} | {p['top3']}/{n} |",
        f"| Spelling pairs, both in top 3 | {s['spellings']}/{pairs} | {p['spellings']}/{pairs} |",
        f"| Median time to results | {s['median_ms']} ms | {p['median_ms']} ms |",
        f"| Bytes per search, median (max) | {kb(s['median_bytes'])} ({kb(s['max_bytes'])}) "
        f"| {kb(p['median_bytes'])} ({kb(p['max_bytes'])}) |",
        f"| Of which index and code, median | {kb(s['median_index_bytes'])} "
        f"| {kb(p['median_index_bytes'])} |",
        f"| Requests per search, median (max) | {s['median_requests']} ({s['max_requests']}) "
        f"| {p['median_requests']} ({p['max_requests']}) |",
        f"| Index on disk | {kb(s['index_bytes_on_disk'])} | {kb(p['index_bytes_on_disk'])} "
        f"(folder {kb(p['folder_bytes_on_disk'])}) |",
        f"| Pagefind's default UI would add, gzipped | | {kb(p['ui_bytes_gzipped'])} |",
        "",
        f"Pagefind {results['pagefind']['version']} on the {len(results['pagefind']['pages'])} "
        f"pages Sphinx indexes, with `{' '.join(results['pagefind']['options'])}`",
    ]
    return "\n".join(lines)


def kb(size: int) -> str:
    """Bytes as kilobytes (1 KB = 1,000 bytes), to one decimal."""
    return f"{size / 1000:.1f} KB"


def main(argv: list[str] | None = None) -> int:
    """Index a copy of the site with Pagefind, run every query on both engines, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, default=ROOT / "_build" / "dirhtml")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    if not (args.site / "searchindex.js").is_file():
        sys.exit(f"{args.site} is not a built site: run `make build` first")
    version = pagefind_version()
    if version is None:
        sys.exit(f"Pagefind is not installed; for this measurement only: {INSTALL}")
    if chromium() is None:
        sys.exit("no Chromium at /usr/bin/chromium (or $SOSAI_CHROMIUM)")
    spelt = [word for us, uk, _ in SPELLINGS for word in (us, uk)]
    queries = list(dict.fromkeys([query for query, _ in TOP_THREE] + spelt))
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(args.site, site)
        start = time.perf_counter()
        pages = indexed_pages(site)
        subprocess.run(pagefind_command(site, pages), check=True)
        print(f"Pagefind indexed the copy in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        results = report(measure(site, queries), index_sizes(site), version, pages)
    print(markdown(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
