"""The "will it fit?" calculator in a real browser (the fixtures of ``test_browser``).

Keyboard only, on a phone and a desktop: the total shown is the Python estimate for
the same inputs, the device lists follow it, nothing logs an error, and the form reads
in light and dark mode.
"""

from __future__ import annotations

import json

import pytest
import yaml
from bs4 import BeautifulSoup

from sosai.features import fitcalc
from tests.conftest import BOOK
from tests.test_browser import DESKTOP, PHONE, Tab, browser, site  # noqa: F401 - fixtures

PAGE = "will-it-fit/"
MODELS = {m["id"]: m for m in yaml.safe_load((BOOK / "_data" / "models.yml").read_text())}
PRECISIONS = {p["id"]: p for p in yaml.safe_load((BOOK / "_data" / "precisions.yml").read_text())}


def value(tab: Tab, selector: str) -> str:
    return tab.page.eval_on_selector(selector, "e => e.value")


def tab_to(tab: Tab, element_id: str) -> None:
    """Press Tab until the element has the focus."""
    for _ in range(300):
        if tab.page.evaluate("document.activeElement.id") == element_id:
            return
        tab.page.keyboard.press("Tab")
    pytest.fail(f"#{element_id} never took the focus")


def shown(tab: Tab) -> dict[str, str]:
    return {name: value(tab, f"#fit-out-{name}") for name in ("weights", "kv", "overhead", "total")}


def expected(model: str, precision: str, tokens: int, kv: str, *, batch: int, overhead: float):
    bits = PRECISIONS[precision]["bits_per_weight"]
    return fitcalc.estimate(MODELS[model], bits, tokens, kv, batch=batch, overhead_gb=overhead)


def check_devices(tab: Tab, total: float) -> tuple[int, int]:
    """Every device is in the right list; returns how many hold the total and how many not."""
    data = json.loads(tab.page.locator("#sosai-fit-data").text_content())
    memory = {d["id"]: d["bytes"] for d in data["devices"]}
    holds = tab.page.eval_on_selector_all("ul.sosai-fit-holds > li", "ls => ls.map(l => l.id)")
    short = tab.page.eval_on_selector_all("ul.sosai-fit-short > li", "ls => ls.map(l => l.id)")
    assert sorted(holds + short) == sorted(memory)
    assert all(memory[i] >= total for i in holds)
    assert all(memory[i] < total for i in short)
    return len(holds), len(short)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_keyboard_only_estimate_matches_python(browser, site, viewport):  # noqa: F811
    with Tab(browser, site, viewport=viewport, touch=viewport is PHONE) as tab:
        tab.open(PAGE)
        assert tab.page.locator("form.sosai-fit-form").is_visible()
        # The page's defaults: gpt-oss-20b in MXFP4, 8,192 tokens, batch 1, 16-bit, 2 GB.
        first = expected("gpt-oss-20b", "mxfp4", 8192, "f16", batch=1, overhead=2)
        assert shown(tab)["total"] == fitcalc.gb(first.total)
        before = check_devices(tab, first.total)

        tab_to(tab, "fit-model")
        tab.page.keyboard.type("DeepSeek-R")  # type-ahead: DeepSeek-R1
        assert value(tab, "#fit-model") == "deepseek-r1"
        tab.page.keyboard.press("ArrowDown")  # the next option: the Qwen-based distil
        assert value(tab, "#fit-model") == "r1-distill-qwen-32b"
        tab.page.keyboard.press("Tab")
        for _ in range(3):  # MXFP4 -> IQ4_XS -> NVFP4 -> Q4_K_M
            tab.page.keyboard.press("ArrowUp")
        assert value(tab, "#fit-precision") == "gguf-q4-k-m"
        tab.page.keyboard.press("Tab")
        tab.page.keyboard.press("Control+A")
        tab.page.keyboard.type("32768")
        tab.page.keyboard.press("Tab")
        tab.page.keyboard.press("Control+A")
        tab.page.keyboard.type("2")
        tab.page.keyboard.press("Tab")
        tab.page.keyboard.press("ArrowDown")  # 16-bit -> FP8
        assert value(tab, "#fit-kv") == "fp8"

        found = expected("r1-distill-qwen-32b", "gguf-q4-k-m", 32768, "fp8", batch=2, overhead=2)
        assert shown(tab) == {
            "weights": fitcalc.gb(found.weights),
            "kv": fitcalc.gb(found.kv),
            "overhead": fitcalc.gb(found.overhead),
            "total": fitcalc.gb(found.total),
        }
        after = check_devices(tab, found.total)
        assert after != before  # the lists followed the total
        assert fitcalc.gb(found.total) in tab.page.locator("#fit-summary").inner_text()
        assert tab.errors == []
        assert tab.third_party == []


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_the_form_reads_in_light_and_dark(browser, site, mode):  # noqa: F811
    with Tab(browser, site, viewport=DESKTOP, dark=mode == "dark") as tab:
        tab.open(PAGE)
        ratios = tab.page.evaluate(
            """() => {
                const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
                const lum = ([r, g, b]) => [r, g, b].map(v => {
                    v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
                }).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
                const background = e => {
                    for (; e; e = e.parentElement) {
                        const c = getComputedStyle(e).backgroundColor;
                        if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c;
                    }
                    return 'rgb(255, 255, 255)';
                };
                const sel = 'div.sosai-fit label, div.sosai-fit select, div.sosai-fit input, '
                  + 'div.sosai-fit output, div.sosai-fit th, p.sosai-fit-summary';
                return [...document.querySelectorAll(sel)].map(e => {
                    const [a, b] = [lum(rgb(getComputedStyle(e).color)), lum(rgb(background(e)))];
                    return [e.tagName, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
                });
            }"""
        )
        assert ratios
        low = [(tag, round(r, 2)) for tag, r in ratios if r < 4.5]
        assert low == []
        assert tab.errors == []


LAYOUT_SHIFT = """() => new Promise(resolve => {
    let sum = 0;
    new PerformanceObserver(list => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) sum += entry.value;
    }).observe({type: 'layout-shift', buffered: true});
    setTimeout(() => resolve(sum), 1000);
})"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_nothing_moves_when_the_script_starts(browser, site, built_book, viewport):  # noqa: F811
    """The build writes what the script shows first: no layout shift (Lighthouse's CLS)."""
    built = BeautifulSoup((built_book.outdir / PAGE / "index.html").read_text(), "html.parser")
    with Tab(browser, site, viewport=viewport, touch=viewport is PHONE) as tab:
        tab.open(PAGE)
        assert shown(tab) == {
            name: built.select_one(f"#fit-out-{name}").get_text()
            for name in ("weights", "kv", "overhead", "total")
        }
        assert (
            tab.page.locator("#fit-summary").inner_text()
            == built.select_one("#fit-summary").get_text()
        )
        holds = tab.page.eval_on_selector_all("ul.sosai-fit-holds > li", "ls => ls.map(l => l.id)")
        assert holds == [li["id"] for li in built.select("ul.sosai-fit-holds > li")]
        assert tab.page.evaluate(LAYOUT_SHIFT) < 0.01
        assert tab.errors == []
