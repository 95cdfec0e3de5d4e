"""Benchmark the book: build times and what a first visit to each page transfers.

Usage: ``make bench`` (or ``python tools/bench.py [--keep DIR]``).

Works on a copy of the repository (with its git history, so contributors and dates
are computed as in CI) and prints:

- clean full build seconds (``jupyter-book build --builder dirhtml --all .``, after
  deleting ``_build``), the median of ``--runs`` builds: a shared 2-core machine's
  timings vary by a few seconds from run to run;
- no-change rebuild seconds (the same command without ``--all``), median of ``--runs``;
- one-chapter incremental rebuild seconds, after appending a paragraph to the longest
  chapter (median of ``--runs`` such edits), and, separately, after editing the
  glossary (which writes again every page that links to a term, so that their hover
  cards stay true);
- per page, the first-visit transfer: HTML + CSS + JS + fonts, gzip-compressed as a
  static host serves them, and the number of requests, both without content images;
  median and maximum over pages. With Chromium and Playwright installed
  (``/usr/bin/chromium``), each page is loaded in a fresh headless browser from a
  local gzip server (``tools/gzip_server.py``) and what the browser actually fetches
  is counted (third-party requests are refused and listed). Without them, the figure
  is estimated from the page's tags plus every font its stylesheets reference;
- Lighthouse (mobile) scores per page (each the median of ``--lighthouse-runs``
  audits), median and worst over pages, when ``tools/lighthouse``
  is installed (``make bench`` does it with npm).

With ``--speed``, it measures instead what each speed module (``_ext/sosai/speed/``)
saves: the clean build and the one-chapter rebuild with all of them, with none, and
with all but one, each the median of ``--runs``. The copy's ``_config.yml`` lists
the modules one by one in place of ``sosai.speed``; the book itself is not changed.

Budgets: clean build < 20 s, one-chapter rebuild < 3 s, every page < 300 KB gzipped
and <= 20 requests, Lighthouse performance >= 95, accessibility, best practices and
SEO 100. Figures are printed, never asserted in tests.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import yaml
from bs4 import BeautifulSoup

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools import gzip_server

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SKIP = shutil.ignore_patterns(
    ".venv", "_build", "__pycache__", ".pytest_cache", ".ruff_cache", "node_modules"
)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
NOT_CHAPTERS = {"whats-new", "glossary", "references"}  # pages made of other pages' parts
BUDGETS = {"clean": 20.0, "chapter": 3.0, "page_kb": 300.0, "requests": 20}


def timed_build(book: Path, *, clean: bool) -> float:
    """Seconds for one ``jupyter-book build`` of ``book``."""
    return cpu_timed_build(book, clean=clean)[0]


def cpu_timed_build(book: Path, *, clean: bool) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, the build and its children) of one build.

    CPU time barely moves when other work shares the machine, so it is the fairer
    figure for comparing variants on a busy 2-core machine; wall time is what people wait.
    """
    command = [str(BIN / "jupyter-book"), "build", "--builder", "dirhtml", "--quiet"]
    command += ["--all", "."] if clean else ["."]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=book, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def gzip_size(path: Path) -> int:
    """Bytes of ``path`` after gzip level 6."""
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def page_weight(site: Path, page: Path, cache: dict[Path, int]) -> tuple[int, int, list[str]]:
    """(gzipped bytes, requests, third-party URLs) for a first visit to ``page``."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    base = "/" + page.relative_to(site).as_posix()
    urls = [
        link["href"]
        for link in soup.select("link[rel~=stylesheet][href], link[rel~=preload][href]")
    ]
    urls += [script["src"] for script in soup.select("script[src]")]
    local, remote = set(), []
    for url in urls:
        if urlsplit(url).scheme or url.startswith("//"):
            remote.append(url)
            continue
        target = site / urlsplit(urljoin(base, url)).path.lstrip("/")
        if target.is_file():
            local.add(target)
    for css in [p for p in local if p.suffix == ".css"]:
        for ref in CSS_URL.findall(css.read_text(encoding="utf-8", errors="replace")):
            if ref.startswith("data:") or urlsplit(ref).scheme:
                continue
            target = (css.parent / urlsplit(ref).path).resolve()
            if target.suffix in {".woff2", ".woff", ".ttf"} and target.is_file():
                local.add(target)
    for path in local | {page}:
        if path not in cache:
            cache[path] = gzip_size(path)
    return sum(cache[p] for p in local | {page}), len(local) + 1 + len(remote), remote


CHROMIUM = Path("/usr/bin/chromium")
# Flags for a quiet headless Chromium on a machine without internet.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def browser_weights(
    site: Path, pages: list[Path], prefix: str
) -> dict[Path, tuple[int, int, list[str]]] | None:
    """(gzipped bytes, requests, third-party URLs) per page, measured in Chromium.

    The site is served with gzip, as a static host does; content images (``_images/``)
    are left out of bytes and requests, as the budget says.
    """
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - optional
    except ImportError:
        return None
    if not CHROMIUM.exists():
        return None
    results = {}
    with gzip_server.serve(site, prefix) as base, sync_playwright() as pw:
        origin = base[: base.index("/", len("http://"))]
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for page in pages:
            context = browser.new_context()
            context.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(origin) else route.abort()
                ),
            )
            tab = context.new_page()
            responses: list = []
            tab.on("response", lambda r, responses=responses: responses.append(r))
            third: list[str] = []
            tab.on(
                "request",
                lambda r, third=third: (
                    third.append(r.url) if not r.url.startswith(origin) else None
                ),
            )
            tab.goto(base + page_url(site, page), wait_until="networkidle")
            counted = [r for r in responses if "/_images/" not in r.url]
            size = sum(int(r.headers.get("content-length", 0)) for r in counted)
            results[page] = (size, len(counted) + len(third), third)
            context.close()
        browser.close()
    return results


def page_url(site: Path, page: Path) -> str:
    """A page's URL path below the site root (``models/`` for ``models/index.html``)."""
    return page.relative_to(site).as_posix().removesuffix("index.html")


def lighthouse(
    site: Path, pages: list[Path], prefix: str, runs: int = 1
) -> dict[Path, dict[str, float]] | None:
    """Lighthouse (mobile) category scores per page, or None if not installed.

    With ``runs`` > 1, each page is audited that many times and each score is the
    median, as Lighthouse's documentation advises for its variable performance score.
    """
    binary = ROOT / "tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists() or not CHROMIUM.exists():
        return None
    scores = {}
    with gzip_server.serve(site, prefix) as base, tempfile.TemporaryDirectory() as tmp:
        for page in pages:
            url = base + page_url(site, page)
            runs_of_page = [_lighthouse_once(binary, url, tmp) for _ in range(runs)]
            scores[page] = {
                category: statistics.median(run[category] for run in runs_of_page)
                for category in runs_of_page[0]
            }
    return scores


def _lighthouse_once(binary: Path, url: str, tmp: str) -> dict[str, float]:
    """One Lighthouse (mobile) audit of ``url``: its category scores out of 100."""
    report = Path(tmp) / "report.json"
    subprocess.run(
        [str(binary), url, "--quiet", f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
         "--form-factor=mobile", "--output=json", f"--output-path={report}",
         "--only-categories=performance,accessibility,best-practices,seo"],
        env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    categories = json.loads(report.read_text(encoding="utf-8"))["categories"]
    return {k: round(100 * (v["score"] or 0)) for k, v in categories.items()}


def chapters(book: Path) -> list[Path]:
    """The chapters' sources, from ``_toc.yml`` (not the landing page or the glossary)."""
    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    names = [c["file"] for c in toc["chapters"] if c["file"] not in NOT_CHAPTERS]
    return [book / f"{n}.md" for n in names]


def timed_edit(book: Path, page: Path) -> float:
    """Seconds to rebuild after appending a paragraph to one page."""
    with page.open("a", encoding="utf-8") as f:
        f.write("\nA paragraph added by the benchmark to time an incremental rebuild.\n")
    return timed_build(book, clean=False)


def build_times(book: Path, runs: int) -> tuple[list[float], list[float], Path, list[float], float]:
    """Clean builds, no-change rebuilds, and rebuilds after editing a chapter and the glossary.

    Clean builds, no-change rebuilds and chapter edits are each timed ``runs`` times
    (their medians are the figures); the slower glossary edit once.
    """
    cleans = []
    for _ in range(runs):
        shutil.rmtree(book / "_build", ignore_errors=True)
        cleans.append(timed_build(book, clean=True))
    unchanged = [timed_build(book, clean=False) for _ in range(runs)]
    chapter = max(chapters(book), key=lambda p: p.stat().st_size)
    edits = [timed_edit(book, chapter) for _ in range(runs)]
    glossary_edit = timed_edit(book, book / "glossary.md")
    return cleans, unchanged, chapter, edits, glossary_edit


def speed_variants() -> dict[str, list[str]]:
    """The speed modules to load in each variant: all, none, and all but each one."""
    sys.path.insert(0, str(ROOT / "_ext"))
    from sosai.speed import SPEED_EXTENSIONS  # noqa: PLC0415  (after _ext is on the path)

    variants = {"all": list(SPEED_EXTENSIONS), "none": []}
    for name in SPEED_EXTENSIONS:
        variants[f"without {name.rsplit('.', 1)[1]}"] = [n for n in SPEED_EXTENSIONS if n != name]
    return variants


def use_speed_modules(book: Path, original: str, modules: list[str]) -> None:
    """Write the copy's ``_config.yml`` with ``modules`` in place of ``sosai.speed``."""
    line = re.search(r"^( *)- sosai\.speed\b.*$", original, re.MULTILINE)
    if line is None:
        raise SystemExit("_config.yml does not list sosai.speed")
    listed = "".join(f"{line.group(1)}- {m}\n" for m in modules)
    text = original[: line.start()] + listed + original[line.end() + 1 :]
    (book / "_config.yml").write_text(text, encoding="utf-8")


def speed_savings(book: Path, runs: int) -> int:
    """Print clean and one-chapter rebuild times with each speed module left out."""
    original = (book / "_config.yml").read_text(encoding="utf-8")
    chapter = max(chapters(book), key=lambda p: p.stat().st_size)
    results: dict[str, list[float]] = {}
    for variant, modules in speed_variants().items():
        use_speed_modules(book, original, modules)
        cleans, edits = [], []
        for _ in range(runs):
            shutil.rmtree(book / "_build", ignore_errors=True)
            cleans.append(cpu_timed_build(book, clean=True))
            with chapter.open("a", encoding="utf-8") as f:
                f.write("\nA paragraph added by the benchmark to time an incremental rebuild.\n")
            edits.append(cpu_timed_build(book, clean=False))
        figures = [
            statistics.median(t[i] for t in times) for times in (cleans, edits) for i in (0, 1)
        ]
        results[variant] = figures
        print(
            f"{variant:24} clean {figures[0]:6.2f} s (CPU {figures[1]:6.2f} s)   "
            f"one chapter {figures[2]:5.2f} s (CPU {figures[3]:5.2f} s)",
            flush=True,
        )
    base = results["all"]
    print(f"\nsaved by each module (without it minus with all; medians; {chapter.name}):")
    for variant, figures in results.items():
        if variant.startswith("without "):
            saved = [f - b for f, b in zip(figures, base, strict=True)]
            print(
                f"{variant.removeprefix('without '):12} clean {saved[0]:+6.2f} s "
                f"(CPU {saved[1]:+6.2f} s)   one chapter {saved[2]:+5.2f} s "
                f"(CPU {saved[3]:+5.2f} s)"
            )
    return 0


def words(book: Path) -> int:
    """Words in the chapters listed in ``_toc.yml``."""
    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"], *(c["file"] for c in toc["chapters"])]
    return sum(len((book / f"{n}.md").read_text(encoding="utf-8").split()) for n in names)


def parse_args() -> argparse.Namespace:
    """The command line's options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--no-lighthouse", action="store_true", help="skip Lighthouse (faster)")
    parser.add_argument(
        "--runs", type=int, default=3, help="builds of each kind to take the median of"
    )
    parser.add_argument(
        "--lighthouse-runs", type=int, default=1, help="audits per page to take the median of"
    )
    parser.add_argument(
        "--speed", action="store_true", help="measure what each speed module saves, only"
    )
    return parser.parse_args()


def main() -> int:
    """Run the benchmark and print its figures."""
    args = parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="sosai-bench-"))
    book = workdir / "book"
    if book.exists():
        shutil.rmtree(book)
    shutil.copytree(ROOT, book, ignore=SKIP, symlinks=True)
    if args.speed:
        status = speed_savings(book, args.runs)
        if not args.keep:
            shutil.rmtree(workdir)
        return status

    cleans, unchanged_runs, chapter, edits, glossary_edit = build_times(book, args.runs)
    clean = statistics.median(cleans)
    unchanged = statistics.median(unchanged_runs)
    incremental = statistics.median(edits)

    site = book / "_build" / "dirhtml"
    pages = sorted(
        p for p in site.rglob("*.html") if p.parent.name != "search" and "_static" not in p.parts
    )
    cache: dict[Path, int] = {}
    # Served under the published path, as on GitHub Pages: the 404 page's links need it.
    config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8"))
    prefix = urlsplit(config["html"]["baseurl"]).path or "/"
    weights = browser_weights(site, pages, prefix)
    method = "measured in Chromium"
    if weights is None:
        weights = {p: page_weight(site, p, cache) for p in pages}
        method = "estimated from tags, no browser"
    sizes = [w[0] / 1024 for w in weights.values()]
    requests = [w[1] for w in weights.values()]
    third_party = sorted({u for w in weights.values() for u in w[2]})
    heaviest = max(weights, key=lambda p: weights[p][0])

    print(f"book: {len(pages)} pages, {words(book):,} words in the chapters")

    def runs(times: list[float]) -> str:
        return ", ".join(f"{t:.1f}" for t in times)

    print(
        f"clean full build:        {clean:6.2f} s   (budget {BUDGETS['clean']:.0f} s; "
        f"median of {runs(cleans)})"
    )
    print(f"no-change rebuild:       {unchanged:6.2f} s   (median of {runs(unchanged_runs)})")
    budget = BUDGETS["chapter"]
    print(
        f"one-chapter rebuild:     {incremental:6.2f} s   (budget {budget:.0f} s; {chapter.name}; "
        f"median of {runs(edits)})"
    )
    print(f"glossary edit rebuild:   {glossary_edit:6.2f} s   (rewrites pages that use terms)")
    print(
        f"first-visit weight, gzip: median {statistics.median(sizes):.0f} KB, "
        f"max {max(sizes):.0f} KB ({heaviest.relative_to(site)})   "
        f"(budget {BUDGETS['page_kb']:.0f} KB; {method})"
    )
    print(
        f"requests per page:       median {statistics.median(requests):.0f}, "
        f"max {max(requests)}   (budget {BUDGETS['requests']})"
    )
    print(f"third-party requests:    {', '.join(third_party) or 'none'}")
    scores = None if args.no_lighthouse else lighthouse(site, pages, prefix, args.lighthouse_runs)
    if scores:
        for category in ("performance", "accessibility", "best-practices", "seo"):
            values = [s[category] for s in scores.values()]
            worst = min(scores, key=lambda p: scores[p][category])
            print(
                f"lighthouse {category + ':':15} median {statistics.median(values):.0f}, "
                f"worst {min(values)} ({worst.relative_to(site)})"
            )
    else:
        print("lighthouse:              not run (make bench installs it; needs npm and Chromium)")
    if not args.keep:
        shutil.rmtree(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
