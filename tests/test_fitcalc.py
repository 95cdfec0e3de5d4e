"""The "will it fit?" estimate (``features.fitcalc``).

Hand-worked examples, published measurements, and the directives on
``tests/roots/test-fitcalc``.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
import yaml
from bs4 import BeautifulSoup
from sphinx.util.console import strip_colors

from sosai.features import fitcalc
from sosai.features.fitcalc import GB, GIB, MIB, KVShape, weights_bytes
from tests.conftest import BOOK

DATA = BOOK / "_data"


def rows(name: str) -> dict[str, dict]:
    return {r["id"]: r for r in yaml.safe_load((DATA / f"{name}.yml").read_text(encoding="utf-8"))}


MODELS = rows("models")
MEASUREMENTS = rows("memory-measurements")
PRECISIONS = rows("precisions")


# Hand-worked examples ------------------------------------------------------------------


def test_llama3_8b_shape_holds_128_kib_per_token_as_the_book_says():
    # mlops-engines.md and hardware.md: 2 x 32 layers x 8 KV heads x 128 x 2 bytes.
    shape = fitcalc.LLAMA3_8B
    assert shape.kv_bytes(1, 2) == 2 * 32 * 8 * 128 * 2 == 128 * 1024
    assert shape.kv_bytes(8192, 2) == GIB  # "one 8,192-token conversation holds 1 GiB"
    assert shape.kv_bytes(8192, 2, batch=64) == 64 * GIB
    assert shape.kv_bytes(131072, 2) == 16 * GIB  # "16 GiB for one 128K-token context"


def test_opt_13b_holds_800_kb_per_token_as_in_the_vllm_paper():
    # 40 layers, hidden size 5,120 = 40 heads of 128; the paper's KB are 1,024 bytes.
    opt = KVShape(attention_layers=40, kv_heads=40, head_dim=128)
    assert opt.kv_bytes(1, 2) == 2 * 5120 * 40 * 2 == 800 * 1024
    assert round(opt.kv_bytes(2048, 2) / GB, 1) == 1.7  # up to 1.6 GiB: 1.5625 GiB
    assert opt.kv_bytes(2048, 2) / GIB == 1.5625


def test_a_window_caps_the_cache_of_windowed_layers_only():
    mistral = KVShape.from_architecture(MODELS["mistral-7b"]["architecture"])
    per_token = 32 * 2 * 8 * 128 * 2  # every layer has the 4,096-token window
    assert mistral.full == 0
    assert mistral.kv_bytes(1000, 2) == 1000 * per_token
    assert mistral.kv_bytes(4096, 2) == mistral.kv_bytes(100_000, 2) == 4096 * per_token
    gpt_oss = KVShape.from_architecture(MODELS["gpt-oss-120b"]["architecture"])
    layer = 2 * 8 * 64  # elements per token and layer
    assert (gpt_oss.full, gpt_oss.windowed, gpt_oss.window) == (18 * layer, 18 * layer, 128)
    assert gpt_oss.kv_bytes(1000, 2) == 2 * (18 * layer * 1000 + 18 * layer * 128)


def test_mla_caches_the_latent_and_the_rope_key():
    r1 = KVShape.from_architecture(MODELS["deepseek-r1"]["architecture"])
    assert r1.mla
    assert r1.per_layer == 512 + 64
    assert r1.kv_bytes(1, 2) == 61 * 576 * 2  # 70,272 bytes, not 2 x 128 heads x 128


def test_hybrid_models_count_only_their_attention_layers():
    nano = KVShape.from_architecture(MODELS["nemotron-3-nano"]["architecture"])
    assert nano.kv_bytes(1, 2) == 6 * 2 * 2 * 128 * 2


def test_weights_are_parameters_times_bits_over_eight():
    assert weights_bytes(8e9, 16) == 16 * GB  # hardware.md: "An 8B model needs 16 GB in BF16"
    assert weights_bytes(70e9, 16) == 140 * GB
    assert weights_bytes(117e9, 4.25) == 117e9 * 4.25 / 8


def test_kv_element_sizes():
    sizes = {k: p.bytes_per_element for k, p in fitcalc.KV_PRECISIONS.items()}
    assert sizes == {"f16": 2, "fp8": 1, "q8_0": 34 / 32, "q4_0": 18 / 32}


def test_estimate_adds_weights_kv_and_overhead():
    found = fitcalc.estimate(MODELS["llama-3.3-70b"], 16, 8192, "f16", batch=2, overhead_gb=1.5)
    assert found.weights == 140 * GB
    assert found.kv == 2 * 8192 * 2 * 80 * 8 * 128 * 2
    assert found.overhead == 1.5 * GB
    assert found.total == found.weights + found.kv + found.overhead


# Published measurements ----------------------------------------------------------------


def check(measurement: str, **where) -> fitcalc.CheckResult:
    found = [
        c for c in fitcalc.CHECKS
        if c.measurement == measurement and all(getattr(c, k) == v for k, v in where.items())
    ]  # fmt: skip
    assert len(found) == 1
    return fitcalc.run_check(found[0], MEASUREMENTS, MODELS, PRECISIONS)


def test_vllm_llama_31_8b_pool_is_exactly_the_token_count_times_128_kib():
    result = check("llama-3.1-8b-vllm-rtx3090")
    assert result.estimated == 31232 * 128 * 1024 == 3.8125 * GIB
    # vLLM prints the pool to two decimals ("kv_cache_size=3.81GiB"): within half a unit.
    assert "kv_cache_size=3.81GiB" in MEASUREMENTS["llama-3.1-8b-vllm-rtx3090"]["quote"]
    assert abs(result.estimated / GIB - 3.81) <= 0.005


def test_deepseek_r1_mla_cache_in_q8_0_is_exact_to_the_byte():
    result = check("deepseek-r1-mla-ik-llamacpp-32k")
    # 61 layers x 576 elements x 34/32 bytes x 32,768 tokens
    assert result.estimated == 61 * 576 * 34 * 32768 / 32 == 1166.625 * MIB
    assert f"{result.estimated / MIB:.2f}" == "1166.62"  # as the log prints it
    assert "1166.62 MiB" in MEASUREMENTS["deepseek-r1-mla-ik-llamacpp-32k"]["quote"]


def test_gpt_oss_sliding_window_cache_matches_with_llama_cpps_cells():
    quote = MEASUREMENTS["gpt-oss-120b-llamacpp-swa-2k"]["quote"]
    shape = KVShape.from_architecture(MODELS["gpt-oss-120b"]["architecture"])
    assert shape.full * 2 * 2016 == 70.875 * MIB  # printed "70.88 MiB ( 2016 cells, 18 layers"
    assert shape.windowed * 2 * 640 == 22.5 * MIB  # printed "22.50 MiB ( 640 cells, 18 layers"
    assert "70.88 MiB" in quote
    assert "22.50 MiB" in quote
    assert 640 == 128 + 512  # the window plus n_ubatch, which llama.cpp keeps
    exact = check("gpt-oss-120b-llamacpp-swa-2k", cells=(2016, 640))
    assert exact.estimated == (70.875 + 22.5) * MIB
    assert abs(exact.difference) < 0.001  # the row's 0.0912 GiB is rounded
    # The calculator's plain estimate for 2,000 tokens is lower: engines keep more.
    plain = check("gpt-oss-120b-llamacpp-swa-2k", tokens=2000)
    assert plain.estimated == 2 * (shape.full * 2000 + shape.windowed * 128)
    assert -0.21 < plain.difference < -0.19


@pytest.mark.parametrize(
    ("measurement", "params", "low", "high"),
    [
        # Q8_0's 8.5008 bits are Llama 3.1 8B's whole-file average; another model's mix of
        # tensors moves the average a little.
        ("qwen3-coder-30b-a3b-q8-0-llamacpp-weights", "30.53 B", -0.005, 0.005),
        ("mistral-7b-v0.2-q5-k-m-llamacpp-weights", "7.24 B", -0.01, 0.01),
        # MXFP4 holds only the experts; attention and embeddings stay in higher precision,
        # so the formula underestimates, more for the smaller model.
        ("gpt-oss-120b-mxfp4-llamacpp-weights", "116.83 B", -0.03, 0),
        ("gpt-oss-20b-mxfp4-llamacpp-weights", "20.91 B", -0.10, -0.05),
    ],
)
def test_weights_against_llama_cpp_sizes(measurement, params, low, high):
    assert params in MEASUREMENTS[measurement]["quote"]  # the count the check uses
    result = check(measurement)
    assert low <= result.difference <= high


def test_every_measurement_is_checked_or_says_why_not():
    checked = {c.measurement for c in fitcalc.CHECKS}
    assert checked | set(fitcalc.NOT_CHECKED) == set(MEASUREMENTS)
    assert len({c.measurement for c in fitcalc.CHECKS if c.quantity == "kv"}) >= 3


# The numbers handed to the page's script ------------------------------------------------


def script_total(
    entry: dict, precision: str, kv_bytes: float, n: int, *, batch: int, overhead: float
):
    """What static/sosai-fit.js computes, in the same order."""
    full = entry["full"] * kv_bytes
    windowed = entry["windowed"] * kv_bytes
    kv = batch * (full * n + windowed * min(n, entry["window"]))
    return entry["weights"][precision] + kv + overhead


def test_the_scripts_coefficients_give_the_same_estimate_for_every_model():
    models = list(MODELS.values())
    data = fitcalc.calculator_data(models, list(PRECISIONS.values()), [])
    usable = [m for m in models if fitcalc.fits(m)]
    assert len(data["models"]) == len(usable) >= 38
    for entry in data["models"]:
        model = MODELS[entry["id"]]
        for precision in ("bf16", "gguf-q4-k-m"):
            bits = PRECISIONS[precision]["bits_per_weight"]
            for kv in ("f16", "q8_0"):
                for n in (1, 777, 8192, 200_000):
                    ours = fitcalc.estimate(model, bits, n, kv, batch=3, overhead_gb=2).total
                    per = fitcalc.KV_PRECISIONS[kv].bytes_per_element
                    assert script_total(entry, precision, per, n, batch=3, overhead=2 * GB) == ours


def test_the_script_is_small_and_knows_no_model():
    script = (BOOK / "_ext" / "sosai" / "static" / fitcalc.SCRIPT).read_text(encoding="utf-8")
    assert len(script.encode()) < 10_000
    for word in ("kv_lora_rank", "head_dim", "sliding", "deepseek", "llama"):
        assert word not in script.lower()


def test_devices_are_compared_smallest_first_without_duplicates():
    devices = yaml.safe_load((DATA / "devices.yml").read_text(encoding="utf-8"))
    accelerators = yaml.safe_load((DATA / "accelerators.yml").read_text(encoding="utf-8"))
    found = fitcalc.devices(devices, accelerators)
    assert [d.memory_gb for d in found] == sorted(d.memory_gb for d in found)
    ids = [d.id for d in found]
    assert len(ids) == len(set(ids))
    assert "nvidia-gb10" not in ids  # the DGX Spark row stands for it
    assert "nvidia-dgx-spark" in ids
    assert "amd-ryzen-ai-max-plus-395" not in ids  # no stated memory
    assert all(d.sources for d in found)


# The directives, on tests/roots/test-fitcalc ----------------------------------------------


@pytest.fixture
def app_params(app_params):
    """The mini-project with the book's own schemas for its data files."""
    args, kwargs = app_params
    shutil.copytree(DATA / "schema", kwargs["srcdir"] / "_data" / "schema", dirs_exist_ok=True)
    return args, kwargs


def page(app, name: str = "index") -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


@pytest.mark.sphinx("html", testroot="fitcalc")
def test_calculator_page_builds_without_warnings(app, warning):
    app.build()
    assert strip_colors(warning.getvalue()) == ""
    soup = page(app)
    form = soup.select_one("form.sosai-fit-form")
    assert form is not None
    assert not form.has_attr("hidden")  # shown and filled in for the defaults by the build
    first = fitcalc.initial_view(
        json.loads(soup.select_one("script#sosai-fit-data").string),
        json.loads(soup.select_one("script#sosai-fit-data").string)["defaults"],
    )
    assert soup.select_one("#fit-out-total").get_text() == first["total"]
    assert soup.select_one("#fit-summary").get_text() == first["summary"]
    holds = [li["id"] for li in soup.select("ul.sosai-fit-holds > li")]
    assert sorted(holds) == sorted(first["holding"])
    assert len(holds) + len(soup.select("ul.sosai-fit-short > li")) == 3
    for name in ("model", "precision", "context", "batch", "kv", "overhead"):
        control = form.select_one(f"#fit-{name}")
        assert control is not None
        assert form.select_one(f"label[for='fit-{name}']")  # every control has a label
    groups = [g["label"] for g in form.select("#fit-model optgroup")]
    assert groups == sorted(groups, key=str.casefold)
    assert form.select_one("#fit-model option[selected]")["value"] == "gpt-oss-120b"
    assert form.select_one("#fit-precision option[selected]")["value"] == "mxfp4"
    assert "assumption" in form.select_one("label[for='fit-overhead']").get_text()
    # The fallback is in <noscript>, the data in a JSON script element.
    assert "Without JavaScript" in soup.select_one("div.sosai-fit noscript").get_text()
    data = json.loads(soup.select_one("script#sosai-fit-data").string)
    assert {m["id"] for m in data["models"]} == {"llama-3.3-70b", "deepseek-r1", "gpt-oss-120b"}
    assert data["defaults"]["context"] == 8192
    assert len(data["devices"]) == 3  # RTX 4090, DGX Spark, H100 (GB10 is the Spark)
    for device in data["devices"]:
        item = soup.select_one(f"li#{device['id']}")
        assert item is not None
        assert item.select("a")  # memory with its sources


@pytest.mark.sphinx("html", testroot="fitcalc")
def test_the_script_loads_only_on_the_calculators_page(app):
    app.build()
    assert page(app).select_one(f"script[src*='{fitcalc.SCRIPT}']") is not None
    assert page(app, "other").select_one(f"script[src*='{fitcalc.SCRIPT}']") is None
    assert (app.outdir / "_static" / fitcalc.SCRIPT).is_file()


def table_rows(soup: BeautifulSoup, name: str) -> list[list[str]]:
    table = soup.select_one(f"table#{name}")
    return [
        [" ".join(td.get_text().split()) for td in tr.select("td")]
        for tr in table.select("tbody tr")
    ]


@pytest.mark.sphinx("html", testroot="fitcalc")
def test_common_configurations_table_carries_the_python_estimate(app):
    app.build()
    found = table_rows(page(app), "tbl-common")
    headers = [th.get_text(strip=True) for th in page(app).select("table#tbl-common thead th")]
    assert headers[-2:] == ["Checked", "Sources"]  # as in every data table
    assert {r[-2] for r in found} <= {"2026-11", "2026-12"}
    assert [r[:2] for r in found][:2] == [
        ["Llama 3.3 70B", "BF16 / FP16"],
        ["Llama 3.3 70B", "GGUF Q4_K_M"],
    ]
    model = MODELS["llama-3.3-70b"]
    bits = PRECISIONS["gguf-q4-k-m"]["bits_per_weight"]
    for n, (kv_cell, total_cell) in zip((8192, 32768), ((3, 4), (5, 6)), strict=True):
        expected = fitcalc.estimate(model, bits, n)
        assert found[1][kv_cell] == fitcalc.gb(expected.kv)
        assert found[1][total_cell] == fitcalc.gb(expected.total)
    assert found[1][2] == fitcalc.gb(weights_bytes(70e9, bits))
    assert all(re.match(r"\[\d+\]", r[-1]) for r in found)  # sources, numbered


@pytest.mark.sphinx("html", testroot="fitcalc")
def test_inputs_and_checks_tables_cite_their_sources(app):
    app.build()
    soup = page(app)
    inputs = table_rows(soup, "tbl-inputs")
    assert [r[0] for r in inputs] == ["DeepSeek-R1", "Llama 3.3 70B", "gpt-oss-120b"]
    assert "Falcon 180B" in soup.select_one("p.sosai-fit-missing").get_text()
    checks = table_rows(soup, "tbl-checks")
    assert len(checks) == len(fitcalc.CHECKS) + len(fitcalc.NOT_CHECKED)
    r1 = next(r for r in checks if "MLA" in r[3])
    assert r1[4] == r1[5] == f"{1166.625 * MIB / GIB:.4f}"
    cited = {a["href"].split("#")[-1] for a in soup.select("table a[href*='#']")}
    assert cited  # citations resolved to the bibliography
    bib = soup.select("div.citation, dl.citation > dt, .citation")
    assert bib


@pytest.mark.sphinx("text", testroot="fitcalc")
def test_other_builders_get_the_fallback_and_the_tables(app):
    app.build()
    text = (app.outdir / "index.txt").read_text(encoding="utf-8")
    assert "Without JavaScript" in text
    assert "Q4_K_M" in text
    assert "142.68" in text  # the static table: weights + KV at 8K
    assert "sosai-fit-data" not in text
    assert "<form" not in text


@pytest.mark.sphinx("html", testroot="fitcalc")
def test_an_unknown_model_id_gives_one_located_warning(app, warning):
    index = app.srcdir / "index.md"
    text = index.read_text(encoding="utf-8")
    index.write_text(
        text.replace(":models: llama-3.3-70b,", ":models: no-such-model, llama-3.3-70b,"),
        encoding="utf-8",
    )
    app.build()
    warnings = [w for w in strip_colors(warning.getvalue()).splitlines() if w.strip()]
    assert len(warnings) == 1
    expected = r"index\.md:\d+: WARNING: fit-table: unknown model id\(s\) \['no-such-model'\]"
    assert re.search(expected, warnings[0])
    assert table_rows(page(app), "tbl-common")  # the other models are still shown
