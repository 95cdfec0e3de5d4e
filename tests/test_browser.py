"""The built book in a real browser: headless Chromium (Debian's) driven by Playwright.

The site is served from 127.0.0.1 under its published path; every request to any
other host is refused, so these tests also prove the book works without third
parties. axe-core (from npm, ``tests/browser``) checks accessibility in light and
dark mode. Without Chromium these tests skip, unless ``SOSAI_REQUIRE_BROWSER`` is
set (as ``.ci/run`` does), in which case they fail.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sosai.features import data
from tests.conftest import BOOK, TESTS, chapters, chromium
from tools.search_queries import SPELLINGS, TOP_THREE

AXE = TESTS / "browser" / "node_modules" / "axe-core" / "axe.min.js"
NARROW = {"width": 375, "height": 800}
PHONE = {"width": 375, "height": 812}
WIDE = {"width": 1280, "height": 900}
DESKTOP = {"width": 1366, "height": 900}
# (query, the chapter that must come first in the results)
SEARCHES = [
    ("LoRA", "fine-tuning"),
    ("abliteration", "unaligned-models"),
    ("PagedAttention", "mlops-engines"),
]


@pytest.fixture(scope="session")
def site(built_book):
    """The site served on 127.0.0.1 under its published path; yields its base URL."""
    prefix = urlsplit(built_book.build.env.config.html_baseurl).path  # "/…/"
    root = str(built_book.outdir)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            path = "/" + path.removeprefix(prefix) if path.startswith(prefix) else "/__missing__"
            return super().translate_path(path)

        def send_error(self, code: int, message: str | None = None, explain: str | None = None):
            if code == 404:  # as GitHub Pages does: the site's 404 page, status 404
                body = (Path(root) / "404.html").read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body)
                return
            super().send_error(code, message, explain)

        def log_message(self, *args: object) -> None:
            pass

        def handle(self) -> None:
            # A page closed before a lazy image or a chart's SVG arrived: not an error.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                super().handle()

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=root)
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}{prefix}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser(built_book):
    """Headless Chromium, or a skip (a failure under SOSAI_REQUIRE_BROWSER).

    Depends on ``built_book`` so the book (and its PDF, printed with its own
    Playwright session) is built before this session starts. Module-scoped: the
    Playwright driver must be gone before later tests fork processes (charts are
    drawn in a forked process), or the forks inherit its pipes and
    closing it at the end of the run never completes.
    """
    path = chromium()
    if path is None:
        pytest.skip("no Chromium on this machine (.ci/run installs Debian's chromium)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - optional dependency

    from tools.downloads import CHROMIUM_ARGS  # noqa: PLC0415

    with sync_playwright() as pw:
        chrome = pw.chromium.launch(executable_path=str(path), args=CHROMIUM_ARGS)
        yield chrome
        chrome.close()


class Tab:
    """A page in a fresh browser context, with third parties blocked and errors logged."""

    def __init__(
        self, browser, site: str, *, viewport=WIDE, dark: bool = False, touch: bool = False
    ) -> None:
        """Open a context on ``site`` in light or dark mode, as a phone if ``touch``."""
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(site))
        self.site = site
        self.errors: list[str] = []
        self.third_party: list[str] = []
        self.context = browser.new_context(
            viewport=viewport,
            color_scheme="dark" if dark else "light",
            has_touch=touch,
            is_mobile=touch,
        )
        if dark:  # the theme's own switch stores the choice here
            self.context.add_init_script(
                "localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');"
            )

        def route(route):
            if route.request.url.startswith(origin):
                route.continue_()
            else:
                self.third_party.append(route.request.url)
                route.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(f"exception: {error}"))
        self.page.on(
            "console",
            lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None,
        )

    def open(self, path: str) -> None:
        """Load a page of the site and wait until the network is quiet."""
        self.page.goto(self.site + path, wait_until="networkidle")

    def lay_out_everything(self) -> None:
        """Lay out what the page lets the browser skip off screen (content-visibility)."""
        self.page.add_style_tag(content="* { content-visibility: visible !important; }")

    def load_every_image(self) -> None:
        """Load the page's images now, as scrolling to each would (they load lazily)."""
        self.page.evaluate(
            "Promise.all([...document.images].map(i => {"
            " i.loading = 'eager'; return i.decode().catch(() => null); }))"
        )

    def close(self) -> None:
        """Close the context."""
        self.context.close()

    def __enter__(self) -> Tab:
        """Use as ``with Tab(...) as tab:`` so a failing test still closes it."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the context."""
        self.close()


@pytest.fixture
def tab(browser, site):
    opened = Tab(browser, site)
    yield opened
    opened.close()


def page_paths(built_book) -> list[str]:
    """Every page's path below the site root (``models/``, ``404.html``)."""
    paths = []
    for page in built_book.pages():
        text = page.as_posix()
        paths.append(text.removesuffix("index.html") if text.endswith("index.html") else text)
    return paths


def test_no_javascript_error_or_console_error_on_any_page(browser, site, built_book):
    problems, unnamed = {}, {}
    with Tab(browser, site) as tab:
        for path in page_paths(built_book):
            tab.errors.clear()
            tab.open(path)
            expected_404 = path in {"404/", "404.html"}
            errors = [e for e in tab.errors if not (expected_404 and "404" in e)]
            if errors:
                problems[path] = errors
            # the theme's inline script on each page ran, after the settings it extends
            name = tab.page.evaluate("DOCUMENTATION_OPTIONS.pagename")
            if name != (path.removesuffix("/").removesuffix(".html") or "index"):
                unnamed[path] = name
    assert problems == {}
    assert unnamed == {}


GENERATED = {"search/"}  # Sphinx's own page, not the book's content


def test_pages_render_fully_with_third_parties_blocked(browser, site, built_book):
    with Tab(browser, site) as tab:
        for path in page_paths(built_book):
            tab.open(path)
            if path not in GENERATED:
                assert tab.page.locator("article h1").count() == 1, path
            tab.load_every_image()
            broken = tab.page.evaluate(
                "[...document.querySelectorAll('article img')]"
                ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
            )
            assert broken == [], path
        assert tab.third_party == []  # nothing even tried to reach another host


@pytest.mark.parametrize(("query", "chapter"), SEARCHES)
def test_search_lists_the_right_chapter_first(tab, query, chapter):
    tab.open(f"search/?q={query}")
    first = tab.page.locator("#search-results ul.search li a").first
    first.wait_for(timeout=10_000)
    assert urlsplit(first.get_attribute("href")).path.rstrip("/").endswith(chapter)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_search_icon_leaves_the_query_readable(browser, site, viewport):
    with Tab(browser, site, viewport=viewport) as tab:
        tab.open("search/?q=RAG")
        gap = tab.page.evaluate(
            """(() => {
                const form = [...document.querySelectorAll('form.bd-search')]
                  .find(f => f.offsetParent);
                const icon = form.querySelector('i').getBoundingClientRect();
                const input = form.querySelector('input');
                const textStart = input.getBoundingClientRect().left
                  + parseFloat(getComputedStyle(input).paddingLeft);
                return textStart - icon.right;
            })()"""
        )
        assert gap >= 2


def test_search_puts_the_right_chapter_in_the_top_three(browser, site):
    misses = []
    with Tab(browser, site) as tab:
        for query, chapter in TOP_THREE:
            tab.open(f"search/?q={query}")
            tab.page.locator("#search-results ul.search li a").first.wait_for(timeout=10_000)
            pages = [
                urlsplit(href).path.rstrip("/").split("/")[-1]
                for href in tab.page.eval_on_selector_all(
                    "#search-results ul.search li > a", "links => links.map(a => a.href)"
                )
            ]
            if chapter not in pages[:3]:
                misses.append(f"{query!r}: {pages[:3]}")
    assert misses == []


@pytest.mark.parametrize(("american", "british", "chapter"), SPELLINGS)
def test_search_finds_both_spellings(tab, american, british, chapter):
    found = {}
    for query in (american, british):
        tab.open(f"search/?q={query}")
        tab.page.locator("#search-results ul.search li a").first.wait_for(timeout=10_000)
        found[query] = {
            urlsplit(href).path.strip("/").split("/")[-1]
            for href in tab.page.eval_on_selector_all(
                "#search-results ul.search li > a", "links => links.map(a => a.href)"
            )
        }
    assert chapter in found[american]
    assert found[american] & found[british] == found[british] & found[american]
    assert len(found[american]) >= len(found[british]) // 2


def test_glossary_links_show_their_definition_and_land_on_it(tab):
    tab.open("models/")
    link = tab.page.locator("article a.sosai-term").first
    term_id = link.get_attribute("href").split("#", 1)[1]
    link.focus()
    card = tab.page.locator("#sosai-hovercard")
    assert card.is_visible()
    assert link.get_attribute("aria-describedby") == "sosai-hovercard"
    assert card.inner_text().lower().startswith(term_id.removeprefix("term-").replace("-", " "))
    tab.page.keyboard.press("Escape")
    assert card.is_hidden()
    link.hover()
    assert card.is_visible()
    link.click()
    tab.page.wait_for_load_state("networkidle")
    assert tab.page.url.endswith(f"#{term_id}")
    target = tab.page.locator(f"[id='{term_id}']")
    assert target.is_visible()
    assert target.evaluate("e => e.getBoundingClientRect().top >= 0")


def test_a_card_near_the_bottom_of_the_window_opens_above_its_link(tab):
    tab.open("models/")
    link = tab.page.locator("article a.sosai-term").nth(5)
    link.evaluate("e => e.scrollIntoView({block: 'end'})")
    tab.page.mouse.wheel(0, -2)  # the link's bottom now a pixel or two above the window's
    link.hover()
    card = tab.page.locator("#sosai-hovercard")
    assert card.is_visible()
    card_box, link_box = card.bounding_box(), link.bounding_box()
    assert card_box["y"] + card_box["height"] <= WIDE["height"]
    assert card_box["y"] + card_box["height"] <= link_box["y"]


@pytest.mark.parametrize("kind", ["a.sosai-term", ".bibtex-citation a"])
def test_first_tap_shows_the_card_and_a_second_follows_the_link(browser, site, kind):
    with Tab(browser, site, viewport=PHONE, touch=True) as tab:
        tab.open("models/")
        link = tab.page.locator(f"article {kind}").nth(2)
        link.scroll_into_view_if_needed()
        target = link.get_attribute("href")
        link.tap()
        card = tab.page.locator("#sosai-hovercard")
        card.wait_for(state="visible", timeout=5_000)
        assert on_screen(card, PHONE)
        assert tab.page.url.endswith("/models/")  # the first tap stayed on the page
        go = card.locator("a.sosai-hovercard__go")
        assert go.get_attribute("href") == link.evaluate("e => e.href")
        link.tap()
        tab.page.wait_for_url(f"**{target.split('#', 1)[0].lstrip('.')}*#{target.split('#', 1)[1]}")
        assert tab.errors == []


def test_citations_show_their_reference_on_focus(tab):
    tab.open("models/")
    link = tab.page.locator("article .bibtex-citation a").first
    link.focus()
    card = tab.page.locator("#sosai-hovercard")
    assert card.is_visible()
    assert len(card.inner_text()) > 20


def test_a_citation_lands_on_its_reference_among_hundreds(tab):
    # The references page lays out only the entries near the screen (content-visibility):
    # jumping to one far down must still put it in view.
    tab.open("vector-db/")
    link = tab.page.locator("article .bibtex-citation a").last
    target_id = link.get_attribute("href").split("#", 1)[1]
    link.click()
    tab.page.wait_for_load_state("networkidle")
    assert "/references/" in tab.page.url
    top = tab.page.locator(f"[id='{target_id}']").evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= top < tab.page.viewport_size["height"] / 2


def chart_corner_and_ink(tab) -> tuple[float, int, int]:
    """Brightness (0-255) of a chart's top-left corner, its darkest and lightest pixels."""
    from io import BytesIO  # noqa: PLC0415

    from PIL import Image  # noqa: PLC0415 - matplotlib brings Pillow

    tab.load_every_image()
    image = tab.page.locator("article figure.sosai-chart img").first
    image.scroll_into_view_if_needed()
    shot = Image.open(BytesIO(image.screenshot())).convert("L")
    corner = [shot.getpixel((x, y)) for x in range(2, 12) for y in range(2, 12)]
    darkest, lightest = shot.getextrema()
    return sum(corner) / len(corner), darkest, lightest


def test_charts_follow_the_theme_switch_light_and_dark(browser, site):
    with Tab(browser, site) as tab:
        tab.open("models/")
        html = tab.page.locator("html")
        assert html.get_attribute("data-theme") == "light"
        background, darkest, _ = chart_corner_and_ink(tab)
        assert background > 240  # white chart background
        assert darkest < 100  # with dark text and lines on it
        for _ in range(3):  # the switch cycles auto -> light -> dark (or similar)
            tab.page.locator("button.theme-switch-button").first.click()
            if html.get_attribute("data-theme") == "dark":
                break
        assert html.get_attribute("data-theme") == "dark"
        background, _, lightest = chart_corner_and_ink(tab)
        assert background < 40  # a dark card, not a light slab, in dark mode
        assert lightest > 200  # with light text and lines on it


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_a_chart_opens_full_width_with_its_caption_on_a_phone(browser, site, mode):
    with Tab(browser, site, viewport=PHONE, dark=mode == "dark", touch=True) as tab:
        tab.open("models/")
        figure = tab.page.locator("article figure.sosai-chart").first
        caption = figure.locator("figcaption").inner_text()
        figure.locator("a.image-reference").scroll_into_view_if_needed()
        figure.locator("a.image-reference").tap()
        view = tab.page.locator("dialog.sosai-chart-view")
        view.wait_for(state="visible", timeout=5_000)
        assert tab.page.url.endswith("/models/")  # not the bare SVG
        assert view.locator(".sosai-chart-view__caption").inner_text() in caption
        image = view.locator("img")
        image.evaluate("i => i.decode()")
        assert image.bounding_box()["width"] >= 672  # drawn size: labels as legible as drawn
        tab.page.keyboard.press("Escape")
        assert not view.evaluate("d => d.open")
        assert tab.errors == []


def on_screen(locator, viewport: dict) -> bool:
    """Whether the element is laid out and lies within the window."""
    box = locator.bounding_box()
    return (
        box is not None
        and box["width"] > 0
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


def test_a_reader_lost_on_the_404_page_can_search_from_it(browser, site):
    with Tab(browser, site, viewport=PHONE, touch=True) as tab:
        tab.open("no-such-page/")
        box = tab.page.get_by_label("Search the book")
        box.fill("GGUF")
        box.press("Enter")
        tab.page.wait_for_url("**/search/?q=GGUF*")
        tab.page.locator("#search-results ul.search li a").first.wait_for(timeout=10_000)


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_phone_menu_opens_with_every_chapter(browser, site, built_book, mode):
    pages = [c for c in chapters() if c != "index"]
    with Tab(browser, site, viewport=PHONE, dark=mode == "dark", touch=True) as tab:
        tab.open("models/")
        menu = tab.page.locator("button.primary-toggle:visible")
        assert menu.count() == 1
        menu.tap()
        drawer = tab.page.locator("#pst-primary-sidebar-modal")
        drawer.locator("nav a").first.wait_for(state="visible", timeout=5_000)
        assert drawer.evaluate("d => d.open")
        for chapter in pages:
            link = drawer.locator(f"nav a[href$='{chapter}/']").first
            link.scroll_into_view_if_needed()
            assert on_screen(link, PHONE), chapter
        drawer.locator("nav a[href$='licences/']").first.tap()
        tab.page.wait_for_url("**/licences/")
        assert tab.errors == []


def test_phone_contents_button_lists_the_page_sections(browser, site):
    with Tab(browser, site, viewport=PHONE, touch=True) as tab:
        tab.open("models/")
        tab.page.locator("button.secondary-toggle:visible").tap()
        panel = tab.page.locator("#pst-secondary-sidebar-modal")
        first = panel.locator("nav a[href='#how-to-read-a-model-release']")
        first.wait_for(state="visible", timeout=5_000)
        assert on_screen(first, PHONE)
        assert panel.get_by_role("link", name="How to choose").count() == 1
        tab.page.keyboard.press("Escape")
        assert not panel.evaluate("d => d.open")


def test_desktop_sidebar_toggle_collapses_and_restores_the_sidebar(browser, site):
    with Tab(browser, site, viewport=DESKTOP) as tab:
        tab.open("models/")
        sidebar = tab.page.locator("#pst-primary-sidebar")
        toggle = tab.page.locator("button.primary-toggle:visible")
        assert sidebar.is_visible()
        toggle.click()
        sidebar.wait_for(state="hidden", timeout=5_000)
        toggle.click()
        sidebar.wait_for(state="visible", timeout=5_000)


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_header_controls_show_a_focus_ring(browser, site, mode):
    with Tab(browser, site, viewport=DESKTOP, dark=mode == "dark") as tab:
        tab.open("models/")
        missing = []
        for selector in ("button.primary-toggle", "button.theme-switch-button"):
            control = tab.page.locator(f".bd-header-article {selector}:visible").first
            control.focus()
            tab.page.keyboard.press("Shift+Tab")  # focus it from the keyboard, as a reader would
            tab.page.keyboard.press("Tab")
            style = control.evaluate(
                "e => [document.activeElement === e, getComputedStyle(e).outlineStyle,"
                " getComputedStyle(e).outlineWidth]"
            )
            if style[0] and (style[1] == "none" or style[2] == "0px"):
                missing.append(selector)
            assert style[0], f"{selector} did not take keyboard focus"
        assert missing == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_header_has_one_search_button_and_no_fullscreen_or_source_download(browser, site, viewport):
    with Tab(browser, site, viewport=viewport) as tab:
        tab.open("models/")
        assert tab.page.locator(".search-button__button:visible").count() == 1
        assert tab.page.locator(".btn-fullscreen-button").count() == 0
        assert tab.page.locator(".dropdown-download-buttons").count() == 0


TABLE_CHAPTERS = ["models/", "licences/", "eval-datasets/", "hardware/"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_table_captions_are_whole_and_scrollbars_within_reach(browser, site, viewport):
    clipped, unreachable = [], []
    with Tab(browser, site, viewport=viewport) as tab:
        for path in TABLE_CHAPTERS:
            tab.open(path)
            tab.lay_out_everything()
            for i, (caption, box, height) in enumerate(
                tab.page.evaluate(
                    """[...document.querySelectorAll('article table.sosai-data-table')].map(t => {
                        const box = t.parentElement.getBoundingClientRect();
                        const c = t.querySelector('caption').getBoundingClientRect();
                        return [[c.left, c.right], [box.left, box.right], box.height];
                    })"""
                )
            ):
                if caption[0] < box[0] - 1 or caption[1] > box[1] + 1:
                    clipped.append(f"{path} table {i}: caption {caption}, box {box}")
                if height > viewport["height"]:
                    unreachable.append(f"{path} table {i}: {height:.0f} px tall")
    assert clipped == []
    assert unreachable == []


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_table_header_and_first_column_stay_in_view_while_scrolling(browser, site, viewport, mode):
    with Tab(browser, site, viewport=viewport, dark=mode == "dark") as tab:
        tab.open("models/")
        box = tab.page.locator("#tbl-models-llm").locator("xpath=..")
        box.scroll_into_view_if_needed()
        hint = tab.page.locator("p.sosai-table-hint").first
        assert hint.is_visible()  # the models table is wider than a phone or a laptop page
        assert "columns" in hint.inner_text()
        before = box.bounding_box()
        box.evaluate("b => b.scrollBy(400, 600)")
        tab.page.wait_for_timeout(100)
        header = tab.page.locator("#tbl-models-llm thead th").first.bounding_box()
        first_cell = tab.page.locator("#tbl-models-llm tbody tr td").first
        assert abs(header["y"] - before["y"]) < 3  # the header row is still at the top
        assert abs(header["x"] - before["x"]) < 3  # and its first cell at the left
        cell = tab.page.locator("#tbl-models-llm tbody tr").nth(12).locator("td").first
        cell_box = cell.bounding_box()
        assert abs(cell_box["x"] - before["x"]) < 3  # the model names stay in view
        assert first_cell.evaluate("c => getComputedStyle(c).backgroundColor") not in {
            "rgba(0, 0, 0, 0)",
            "transparent",
        }


# Data tables whose rows are names, dates, numbers and sources (not sentences).
SHORT_ROW_TABLES = ["#tbl-models-llm", "#tbl-models-reasoning", "#tbl-models-vlm"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_table_rows_are_two_lines_at_most_with_sources_as_numbers(browser, site, viewport):
    with Tab(browser, site, viewport=viewport) as tab:
        tab.open("models/")
        tall = tab.page.evaluate(
            """tables => tables.flatMap(id => [...document.querySelectorAll(id + ' tbody tr')]
                .map(row => {
                  const style = getComputedStyle(row.cells[1]);
                  const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
                  const lines = (row.getBoundingClientRect().height - padding) /
                    parseFloat(style.lineHeight);
                  return [id, row.cells[0].textContent.trim(), Math.round(lines * 10) / 10];
                })
                .filter(([, , lines]) => lines > 2.2))""",
            SHORT_ROW_TABLES,
        )
        assert tall == []
        links = tab.page.locator("#tbl-models-llm td p.sosai-sources a")
        assert links.count() >= tab.page.locator("#tbl-models-llm tbody tr").count()
        shown = links.evaluate_all(
            "links => links.map(a => [a.firstChild.textContent, a.getBoundingClientRect().width])"
        )
        for number, width in shown:
            assert re.fullmatch(r"\[\d+\]", number), number
            assert width < 40  # "[12]", not "(Qwen Team, 2026e)"
        # the link says in words which source it is, and the list under the table too
        first = links.first
        label = first.locator(".sosai-source-label").text_content().strip()
        name = f"{first.text_content().split()[0]} {label}"  # "[1] Qwen Team, 2026e"
        assert tab.page.get_by_role("link", name=name, exact=True).count() >= 1
        listed = tab.page.locator(
            "div.sosai-data-table-box:has(#tbl-models-llm) p.sosai-source-list"
        )
        assert label in listed.inner_text()


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_table_stripes_run_under_the_first_column(browser, site, mode):
    with Tab(browser, site, viewport=DESKTOP, dark=mode == "dark") as tab:
        tab.open("models/")
        colours = tab.page.eval_on_selector_all(
            "#tbl-models-llm tbody tr",
            """rows => rows.slice(0, 4).map(r => [getComputedStyle(r).backgroundColor,
                getComputedStyle(r.cells[0]).backgroundColor])""",
        )
        assert all(row == first for row, first in colours)
        assert colours[0][0] != colours[1][0]  # striped
        assert "rgba(0, 0, 0, 0)" not in {row for row, _ in colours}  # opaque while scrolling


def column_values(tab, table: str, column: int) -> list[str]:
    return tab.page.eval_on_selector_all(
        f"{table} tbody tr:not([hidden])",
        f"rows => rows.map(r => r.cells[{column}].textContent.trim())",
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_readers_can_sort_a_table_by_any_column(browser, site, viewport):
    table = "#tbl-models-llm"
    with Tab(browser, site, viewport=viewport) as tab:
        tab.open("models/")
        headers = [h.strip() for h in tab.page.locator(f"{table} thead th").all_inner_texts()]
        column = next(i for i, h in enumerate(headers) if h.startswith("Total params"))
        button = tab.page.locator(f"{table} thead th").nth(column).locator("button")
        button.click()
        header = tab.page.locator(f"{table} thead th").nth(column)
        assert header.get_attribute("aria-sort") == "descending"
        numbers = [float(v.replace(",", "")) for v in column_values(tab, table, column) if v != "—"]
        assert numbers == sorted(numbers, reverse=True)
        assert column_values(tab, table, column)[-1] == "—" or "—" not in column_values(
            tab, table, column
        )
        button.click()
        assert header.get_attribute("aria-sort") == "ascending"
        numbers = [float(v.replace(",", "")) for v in column_values(tab, table, column) if v != "—"]
        assert numbers == sorted(numbers)
        name = tab.page.locator(f"{table} thead th").first.locator("button")
        name.focus()
        tab.page.keyboard.press("Enter")  # from the keyboard, too
        names = [v.casefold() for v in column_values(tab, table, 0)]
        assert names == sorted(names)
        assert tab.errors == []


def test_readers_can_filter_a_table_by_typing(browser, site):
    table = "#tbl-models-llm"
    with Tab(browser, site, viewport=PHONE, touch=True) as tab:
        tab.open("models/")
        total = tab.page.locator(f"{table} tbody tr").count()
        bar = tab.page.locator(table).locator(
            "xpath=../preceding-sibling::p[contains(@class, 'sosai-table-filter')][1]"
        )
        bar.get_by_label("Filter rows").fill("qwen apache")
        rows = tab.page.locator(f"{table} tbody tr:not([hidden])")
        shown = rows.count()
        assert 0 < shown < total
        for text in rows.all_inner_texts():
            assert "qwen" in text.lower()
            assert "apache" in text.lower()
        assert bar.locator(".sosai-table-count").inner_text() == f"{shown} of {total} models"
        bar.get_by_label("Filter rows").fill("")
        assert tab.page.locator(f"{table} tbody tr:not([hidden])").count() == total


def language_models_by_commercial_use(value: str) -> tuple[list[str], int]:
    """The general language models whose licence row says ``commercial_use: value``."""
    models = [m for m in data.load(BOOK / "_data" / "models.yml").rows if m["kind"] == "llm"]
    licences = {r["id"]: r for r in data.load(BOOK / "_data" / "model-licences.yml").rows}
    chosen = [
        m["name"]
        for m in models
        if licences.get(m["licence_family"], {}).get("commercial_use") == value
    ]
    return chosen, len(models)


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_readers_can_filter_models_by_licence_with_the_keyboard(browser, site, viewport, mode):
    table = "#tbl-models-llm"
    expected, total = language_models_by_commercial_use("yes")
    assert 0 < len(expected) < total
    with Tab(browser, site, viewport=viewport, dark=mode == "dark") as tab:
        tab.open("models/")
        bar = tab.page.locator(table).locator(
            "xpath=../preceding-sibling::p[contains(@class, 'sosai-table-filter')][1]"
        )
        count = bar.locator(".sosai-table-count")
        assert count.inner_text() == f"{total} models"
        select = bar.get_by_label("Commercial use")
        for facet in ("Use restrictions", "Training on outputs", "Open data"):
            assert bar.get_by_label(facet).is_visible()  # one labelled list per facet
        box = select.bounding_box()
        assert box["x"] >= 0  # on screen, also on a phone
        assert box["x"] + box["width"] <= viewport["width"]
        bar.get_by_label("Filter rows").focus()
        for _ in range(6):  # from the text filter, Tab reaches the list
            if select.evaluate("s => s === document.activeElement"):
                break
            tab.page.keyboard.press("Tab")
        assert select.evaluate("s => s === document.activeElement")
        tab.page.keyboard.press("y")  # "yes", typed into the closed list
        assert select.input_value() == "yes"
        assert sorted(column_values(tab, table, 0)) == sorted(expected)
        assert count.inner_text() == f"{len(expected)} of {total} models"
        tab.page.keyboard.press("Home")  # back to "any"
        assert select.input_value() == ""
        assert tab.page.locator(f"{table} tbody tr:not([hidden])").count() == total
        assert count.inner_text() == f"{total} models"
        assert tab.errors == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_readers_can_compare_two_to_four_rows_side_by_side(browser, site, viewport):
    table = "#tbl-models-llm"
    with Tab(browser, site, viewport=viewport, touch=viewport is PHONE) as tab:
        tab.open("models/")
        rows = tab.page.locator(f"{table} tbody tr")
        names = [rows.nth(i).locator("td").first.inner_text().strip() for i in range(5)]
        panel = tab.page.locator(table).locator(
            "xpath=../preceding-sibling::section[contains(@class, 'sosai-compare')][1]"
        )
        rows.nth(0).locator("input.sosai-tick").check()
        assert panel.is_hidden()  # one row is not a comparison
        for i in range(1, 5):
            rows.nth(i).locator("input.sosai-tick").click()
        assert not rows.nth(4).locator("input.sosai-tick").is_checked()  # four at most
        assert panel.is_visible()
        compared = panel.locator("table tr").first.locator("td").all_inner_texts()
        assert [c.strip() for c in compared] == names[:4]
        sources = panel.locator("table tr").last
        assert sources.locator("th").inner_text() == "Sources"
        assert sources.locator("td a").count() >= 4  # each row's sources, as links
        panel.get_by_role("button", name="Clear").click()
        assert panel.is_hidden()
        assert tab.errors == []


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder without logging each request."""

    def log_message(self, *args: object) -> None:
        pass


# The PDF's page: A4 less its 15 mm side margins (tools/downloads.py), in CSS pixels.
A4_TEXT_WIDTH = round((210 - 2 * 15) / 25.4 * 96)


@pytest.fixture(scope="module")
def printed_page(browser, built_book):
    """The single-page build the PDF is printed from, laid out as Chromium prints it."""
    if built_book.printed is None:
        pytest.skip("no Chromium: the PDF and its single-page build were not made")
    handler = functools.partial(QuietHandler, directory=str(built_book.printed))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(viewport={"width": A4_TEXT_WIDTH, "height": 1000})
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{server.server_port}/index.html", wait_until="networkidle")
    page.emulate_media(media="print")
    yield page
    context.close()
    server.shutdown()


def test_every_column_of_every_table_fits_the_printed_page(printed_page):
    outside = printed_page.evaluate(
        """(() => {
          const page = document.querySelector('article').getBoundingClientRect();
          const out = [];
          for (const table of document.querySelectorAll('table.sosai-data-table')) {
            // a wide table prints its headers as each field's label instead
            const wide = table.closest('div.sosai-wide') !== null;
            for (const cell of table.querySelectorAll(wide ? 'td' : 'th, td')) {
              const box = cell.getBoundingClientRect();
              if (box.width === 0) { out.push([table.id, cell.textContent.trim(), 'hidden']); }
              else if (box.left < page.left - 1 || box.right > page.right + 1) {
                out.push([table.id, cell.textContent.trim().slice(0, 30), box.right - page.right]);
              }
            }
          }
          return out;
        })()"""
    )
    assert printed_page.locator("table.sosai-data-table").count() >= 30
    assert outside == []


def test_wide_tables_print_each_row_as_labelled_fields(printed_page):
    wide = printed_page.locator("div.sosai-wide table.sosai-data-table")
    assert wide.count() >= 5  # benchmarks, engines, embeddings, desktop apps, accelerators
    for i in range(wide.count()):
        table = wide.nth(i)
        headers = table.locator("thead th").all_text_contents()
        assert len(headers) >= 10
        assert table.locator("thead").evaluate("h => getComputedStyle(h).display") == "none"
        row = table.locator("tbody tr").first
        assert row.evaluate("r => getComputedStyle(r).display") == "grid"
        labels = row.locator("td").evaluate_all("cells => cells.map(c => c.dataset.label)")
        assert labels == [h.strip() for h in headers]
        shown = (
            row.locator("td")
            .nth(len(headers) - 1)
            .evaluate("c => getComputedStyle(c, '::before').content")
        )
        assert shown == f'"{headers[-1].strip()}: "'


def test_no_page_scrolls_sideways_on_a_phone(browser, site, built_book):
    with Tab(browser, site, viewport=NARROW) as tab:
        too_wide, unscrollable = [], []
        for path in page_paths(built_book):
            tab.open(path)
            tab.lay_out_everything()
            if tab.page.evaluate("document.documentElement.scrollWidth") > NARROW["width"] + 1:
                too_wide.append(path)
            if path in GENERATED:  # the general index lays out its own columns
                continue
            unscrollable += [
                f"{path}: table {i}"
                for i, ok in enumerate(
                    tab.page.evaluate(
                        """[...document.querySelectorAll('article table')].map(t => {
                            for (let e = t.parentElement; e; e = e.parentElement) {
                              const o = getComputedStyle(e).overflowX;
                              if (o === 'auto' || o === 'scroll') return true;
                            }
                            return false;
                          })"""
                    )
                )
                if not ok
            ]
    assert too_wide == []
    assert unscrollable == []


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_no_serious_accessibility_violations(browser, site, built_book, mode):
    if not AXE.is_file():
        if os.environ.get("SOSAI_REQUIRE_BROWSER"):
            pytest.fail("axe-core is missing: run `make install` (needs npm)")
        pytest.skip("axe-core is not installed (make install, with npm)")
    with Tab(browser, site, dark=mode == "dark") as tab:
        found = {}
        for path in page_paths(built_book):
            tab.open(path)
            tab.lay_out_everything()
            tab.page.add_script_tag(path=str(AXE))
            violations = tab.page.evaluate(
                """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3)
                       .map(n => n.target.join(' ')).join(', ')}`)"""
            )
            if violations:
                found[path] = violations
    assert found == {}
