"""Will it fit? Memory for a model's weights and KV cache, from the book's data.

One implementation of the estimate, used by the page, its tables and the tests:

- weights, in bytes: parameters x bits per weight / 8 (:func:`weights_bytes`); a
  mixture-of-experts model counts all its parameters, since every expert is held;
- KV cache for ``n`` tokens: ``batch x (full x n + windowed x min(n, window))``
  (:meth:`KVShape.kv_bytes`), where ``full`` and ``windowed`` are the bytes per token
  of all full-attention layers and of all sliding-window layers. Per layer a token
  stores ``kv_lora_rank + rope_head_dim`` elements under multi-head latent attention
  (MLA) and ``2 x kv_heads x head_dim`` (a key and a value) otherwise, at the bytes per
  element of the cache's precision (:data:`KV_PRECISIONS`: 2 for 16-bit, 1 for FP8,
  34/32 for llama.cpp's q8_0 and 18/32 for q4_0, whose blocks of 32 values carry a
  16-bit scale);
- overhead: a figure the reader sets (the engine's context, activations, buffers),
  an assumption rather than a fact.

The architecture of each text model is the ``architecture`` block of
``_data/models.yml`` (see its schema). At build time each model is reduced to a few
numbers (:func:`calculator_data`): its weights in bytes at every precision of
``_data/precisions.yml``, the KV elements per token of its full and windowed layers,
and the window. The page's script, ``static/sosai-fit.js``, only evaluates
``weights + batch x bytes_per_element x (full x n + windowed x min(n, window)) +
overhead`` with those numbers and compares the total with each device's memory; it
holds no knowledge of any model.

Usage in MyST::

    ```{fit-calculator}
    :model: gpt-oss-20b
    :precision: mxfp4
    :context: 8192
    :overhead: 2

    What readers without JavaScript (and the PDF) read instead of the form.
    ```

    ```{fit-table}
    :models: llama-3.3-70b, gpt-oss-20b
    :precisions: bf16, gguf-q4-k-m
    :contexts: 8192, 32768
    :caption: Weights and KV cache for common configurations
    :name: tbl-fit-common
    ```

    ```{fit-inputs}
    :caption: The architecture behind each estimate
    :name: tbl-fit-inputs
    ```

    ```{fit-checks}
    :caption: Estimates checked against published measurements
    :name: tbl-fit-checks
    ```

- ``fit-calculator``: the form (model, weight precision, context, batch, KV precision,
  overhead), the results, and the list of devices (``_data/devices.yml``) and
  accelerators (``_data/accelerators.yml``) with their memory and sources, which the
  script splits into those that hold the total and those that do not. The form and
  its data (a ``<script type="application/json">`` written by this module's own HTML
  visitor, not a raw node) appear only on the website; the directive's content is
  what other builders, and browsers without JavaScript, show. The script loads only
  on pages with a calculator.
- ``fit-table``: weights and KV cache (16-bit unless ``:kv:`` says otherwise) for the
  listed models and precisions at each context length, batch 1, computed at build
  time, so the PDF and the page without JavaScript carry the numbers.
- ``fit-inputs``: every model with an architecture, with its inputs and their
  sources, and a line naming the text models without one.
- ``fit-checks``: every row of ``_data/memory-measurements.yml``, with the estimate
  for the same inputs where :data:`CHECKS` defines one, and why not otherwise.

An unknown model or precision id, or a model without an architecture, is reported
once per directive with its location (type ``sosai``, subtype ``fitcalc``); the
table is rendered without it.

Memory is compared in bytes; device and accelerator memory is read as the vendor
lists it, in GB of 10^9 bytes (where a vendor means GiB this understates the device by
about 7%). Results are shown in GB.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from sosai import __version__
from sosai.features import data, freshness
from sosai.features.datatable import (
    BOX_CLASS,
    CHECKED_TITLE,
    DUE_CLASS,
    PROSE_CLASS,
    SOURCES_CLASS,
    WIDE_CLASS,
    WIDE_FROM,
    _checked_cell,
)
from sosai.shared import WEB_BUILDERS, publish_static

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

GB = 10**9
GIB = 2**30
MIB = 2**20
SCRIPT = "sosai-fit.js"
DATA_ID = "sosai-fit-data"
DEVICE_ID_PREFIX = "fit-device-"
EMPTY = "—"


@dataclass(frozen=True)
class KVPrecision:
    """A KV-cache element type: its name, bytes per element and where that comes from."""

    id: str
    name: str
    bytes_per_element: float
    sources: tuple[str, ...] = ()


# 16-bit and 8-bit types hold one element in 2 and 1 bytes. llama.cpp's q8_0 stores
# blocks of 32 int8 values with one 16-bit scale (34 bytes), q4_0 blocks of 32 4-bit
# values with one 16-bit scale (18 bytes): ggml/src/ggml-common.h.
KV_PRECISIONS: dict[str, KVPrecision] = {
    p.id: p
    for p in (
        KVPrecision("f16", "16-bit (FP16 or BF16)", 2),
        KVPrecision("fp8", "FP8", 1),
        KVPrecision("q8_0", "llama.cpp q8_0", 34 / 32, ("ggml-common-h",)),
        KVPrecision("q4_0", "llama.cpp q4_0", 18 / 32, ("ggml-common-h",)),
    )
}


@dataclass(frozen=True)
class KVShape:
    """What a model's KV cache depends on: the ``architecture`` block of models.yml."""

    attention_layers: int
    kv_heads: int | None = None
    head_dim: int | None = None
    sliding_layers: int = 0
    sliding_window: int | None = None
    kv_lora_rank: int | None = None
    rope_head_dim: int | None = None

    @classmethod
    def from_architecture(cls, architecture: dict[str, Any]) -> KVShape:
        """The shape from a models.yml ``architecture`` block."""
        return cls(
            attention_layers=architecture["attention_layers"],
            kv_heads=architecture.get("kv_heads"),
            head_dim=architecture.get("head_dim"),
            sliding_layers=architecture.get("sliding_layers") or 0,
            sliding_window=architecture.get("sliding_window"),
            kv_lora_rank=architecture.get("kv_lora_rank"),
            rope_head_dim=architecture.get("rope_head_dim"),
        )

    @property
    def mla(self) -> bool:
        """Whether the cache holds MLA's compressed latent rather than keys and values."""
        return self.kv_lora_rank is not None

    @property
    def per_layer(self) -> int:
        """Elements one token stores in one layer's cache."""
        if self.mla:
            return int(self.kv_lora_rank or 0) + int(self.rope_head_dim or 0)
        if self.kv_heads is None or self.head_dim is None:
            raise ValueError("a shape without MLA needs kv_heads and head_dim")
        return 2 * self.kv_heads * self.head_dim

    @property
    def windowed_layers(self) -> int:
        """Layers that keep only the last ``sliding_window`` tokens."""
        return self.sliding_layers if self.sliding_window else 0

    @property
    def full_layers(self) -> int:
        """Layers that keep every token."""
        return self.attention_layers - self.windowed_layers

    @property
    def full(self) -> int:
        """Elements per token over all full-attention layers."""
        return self.full_layers * self.per_layer

    @property
    def windowed(self) -> int:
        """Elements per token over all sliding-window layers (up to the window)."""
        return self.windowed_layers * self.per_layer

    @property
    def window(self) -> int:
        """The window in tokens, 0 when no layer has one."""
        return int(self.sliding_window or 0) if self.windowed_layers else 0

    def kv_bytes(self, tokens: int, bytes_per_element: float, batch: int = 1) -> float:
        """Bytes of KV cache for ``batch`` sequences of ``tokens`` tokens."""
        full = self.full * bytes_per_element
        windowed = self.windowed * bytes_per_element
        return batch * (full * tokens + windowed * min(tokens, self.window))


def weights_bytes(params: float, bits_per_weight: float) -> float:
    """Bytes of weights: parameters x bits per weight / 8."""
    return params * bits_per_weight / 8


@dataclass(frozen=True)
class Estimate:
    """Memory for one configuration, in bytes."""

    weights: float
    kv: float
    overhead: float = 0

    @property
    def total(self) -> float:
        """Weights, KV cache and overhead."""
        return self.weights + self.kv + self.overhead


def estimate(
    model: dict[str, Any],
    bits_per_weight: float,
    tokens: int,
    kv: str = "f16",
    *,
    batch: int = 1,
    overhead_gb: float = 0,
) -> Estimate:
    """The estimate for a models.yml row (with an architecture), as the calculator gives it."""
    shape = KVShape.from_architecture(model["architecture"])
    return Estimate(
        weights=weights_bytes(model["total_params_b"] * 1e9, bits_per_weight),
        kv=shape.kv_bytes(tokens, KV_PRECISIONS[kv].bytes_per_element, batch),
        overhead=overhead_gb * GB,
    )


def gb(value: float) -> str:
    """Bytes as the page shows them: GB with two decimals (the script writes the same)."""
    return f"{value / GB:,.2f}"


def fits(model: dict[str, Any]) -> bool:
    """Whether a models.yml row can be estimated: an architecture and a parameter count."""
    return bool(model.get("architecture")) and model.get("total_params_b") is not None


# Checks against published measurements ----------------------------------------------


@dataclass(frozen=True)
class Check:
    """How to estimate one measurement of memory-measurements.yml.

    ``shape`` is a models.yml id, or a :class:`KVShape` with the bib keys it comes from.
    For weights, ``params`` is the parameter count printed in the measurement's own
    log and ``precision`` a precisions.yml id. ``cells`` overrides the tokens held by
    full and by windowed layers, as an engine that keeps more than the window does.
    """

    measurement: str
    quantity: str  # "kv" or "weights"
    inputs: str  # what the estimate assumes, in words
    shape: str | KVShape | None = None
    shape_sources: tuple[str, ...] = ()
    kv: str = "f16"
    tokens: int | None = None
    cells: tuple[int, int] | None = None
    params: float | None = None
    precision: str | None = None


# Llama 3 8B and Llama 3.1 8B: 32 layers, 8 KV heads of 128 (the Llama 3 paper's table 3).
LLAMA3_8B = KVShape(attention_layers=32, kv_heads=8, head_dim=128)

CHECKS: tuple[Check, ...] = (
    Check(
        "llama-3.1-8b-vllm-rtx3090", "kv",
        "Llama 3 8B's shape (32 layers, 8 KV heads of 128), 16-bit, for the 31,232 tokens "
        "of vLLM's pool (1,952 blocks of 16)",
        shape=LLAMA3_8B, shape_sources=("llama3-paper",), tokens=31232,
    ),
    Check(
        "deepseek-r1-mla-ik-llamacpp-32k", "kv",
        "DeepSeek-R1's MLA (61 layers of 512 + 64), q8_0, 32,768 tokens",
        shape="deepseek-r1", kv="q8_0", tokens=32768,
    ),
    Check(
        "gpt-oss-120b-llamacpp-swa-2k", "kv",
        "gpt-oss-120b, 16-bit, 2,000 tokens: 18 full layers and 18 with a 128-token window",
        shape="gpt-oss-120b", tokens=2000,
    ),
    Check(
        "gpt-oss-120b-llamacpp-swa-2k", "kv",
        "As above with llama.cpp's cells: 2,016 (the context, padded) for full layers, "
        "640 (the window plus n_ubatch, 512) for windowed layers",
        shape="gpt-oss-120b", cells=(2016, 640),
    ),
    Check(
        "gpt-oss-120b-mxfp4-llamacpp-weights", "weights",
        "116.83 B parameters (from the log) at MXFP4's 4.25 bits",
        params=116.83e9, precision="mxfp4",
    ),
    Check(
        "gpt-oss-20b-mxfp4-llamacpp-weights", "weights",
        "20.91 B parameters (from the log) at MXFP4's 4.25 bits",
        params=20.91e9, precision="mxfp4",
    ),
    Check(
        "qwen3-coder-30b-a3b-q8-0-llamacpp-weights", "weights",
        "30.53 B parameters (from the log) at Q8_0's 8.5008 bits",
        params=30.53e9, precision="gguf-q8-0",
    ),
    Check(
        "mistral-7b-v0.2-q5-k-m-llamacpp-weights", "weights",
        "7.24 B parameters (from the log) at Q5_K_M's 5.7036 bits",
        params=7.24e9, precision="gguf-q5-k-m",
    ),
)  # fmt: skip

# Measurements with no estimate, and why.
NOT_CHECKED = {
    "qwen3-235b-a22b-fp8-vllm-4xh100": (
        "Not estimated: models.yml has no verified architecture for Qwen3-235B-A22B"
    ),
    "deepseek-r1-q8-0-ik-llamacpp-weights": (
        "Not estimated: the file is labelled Q8_0 but averages about 3.9 bits per weight, "
        "which no row of precisions.yml describes"
    ),
}


@dataclass(frozen=True)
class CheckResult:
    """A measurement and the estimate for the same inputs, both in bytes."""

    check: Check
    measured: float
    estimated: float
    sources: tuple[str, ...]

    @property
    def difference(self) -> float:
        """(estimate - measured) / measured."""
        return (self.estimated - self.measured) / self.measured


def run_check(
    check: Check,
    measurements: dict[str, dict[str, Any]],
    models: dict[str, dict[str, Any]],
    precisions: dict[str, dict[str, Any]],
) -> CheckResult:
    """Estimate one measurement with the module's formula."""
    row = measurements[check.measurement]
    sources: list[str] = []
    if check.quantity == "weights":
        assert check.params is not None
        assert check.precision is not None
        precision = precisions[check.precision]
        estimated = weights_bytes(check.params, precision["bits_per_weight"])
        measured = row["measured"]["weights_gib"] * GIB
        sources += precision.get("sources", [])
    else:
        if isinstance(check.shape, KVShape):
            shape = check.shape
            sources += check.shape_sources
        else:
            model = models[str(check.shape)]
            shape = KVShape.from_architecture(model["architecture"])
            sources += model["architecture"]["sources"]
        per_element = KV_PRECISIONS[check.kv].bytes_per_element
        sources += KV_PRECISIONS[check.kv].sources
        if check.cells:
            full, windowed = check.cells
            estimated = per_element * (shape.full * full + shape.windowed * windowed)
        else:
            estimated = shape.kv_bytes(int(check.tokens or 0), per_element)
        measured = row["measured"]["kv_cache_gib"] * GIB
    sources += row["sources"]
    return CheckResult(check, measured, estimated, tuple(dict.fromkeys(sources)))


# Devices ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Device:
    """A device or accelerator the calculator compares with: one memory configuration."""

    id: str
    name: str
    memory_gb: float
    kind: str
    sources: tuple[str, ...]

    @property
    def bytes(self) -> float:
        """Memory in bytes, reading the vendor's figure as GB."""
        return self.memory_gb * GB


def devices(
    device_rows: list[dict[str, Any]], accelerator_rows: list[dict[str, Any]]
) -> list[Device]:
    """Consumer devices and accelerators with a stated memory, smallest first.

    An accelerator that a device row names (``accelerator``) is left out: the device
    stands for it.
    """
    found: list[Device] = []
    named = {r.get("accelerator") for r in device_rows}
    for row in device_rows:
        sizes = row.get("memory_gb") or []
        for size in sizes:
            suffix = f"-{size:g}" if len(sizes) > 1 else ""
            name = f"{row['name']} ({size:g} GB)" if len(sizes) > 1 else row["name"]
            found.append(Device(row["id"] + suffix, name, size, row["kind"], tuple(row["sources"])))
    for row in accelerator_rows:
        if row.get("memory_gb") is None or row["id"] in named:
            continue
        found.append(
            Device(row["id"], row["name"], row["memory_gb"], row["kind"], tuple(row["sources"]))
        )
    return sorted(found, key=lambda d: (d.memory_gb, d.name))


# Data for the page's script ---------------------------------------------------------


def calculator_data(
    models: list[dict[str, Any]],
    precisions: list[dict[str, Any]],
    compared: list[Device],
) -> dict[str, Any]:
    """Everything the script needs, each model reduced to a few numbers."""
    usable = [p for p in precisions if p.get("bits_per_weight") is not None]
    out_models = []
    for model in models:
        if not fits(model):
            continue
        shape = KVShape.from_architecture(model["architecture"])
        params = model["total_params_b"] * 1e9
        out_models.append({
            "id": model["id"],
            "name": model["name"],
            "org": model["organisation"],
            "weights": {p["id"]: weights_bytes(params, p["bits_per_weight"]) for p in usable},
            "full": shape.full,
            "windowed": shape.windowed,
            "window": shape.window,
            "context": model.get("context_tokens"),
            "note": model["architecture"].get("note", ""),
        })  # fmt: skip
    return {
        "models": out_models,
        "precisions": [{"id": p["id"], "name": p["name"]} for p in usable],
        "kv": [
            {"id": k.id, "name": k.name, "bytes": k.bytes_per_element}
            for k in KV_PRECISIONS.values()
        ],
        "devices": [
            {"id": DEVICE_ID_PREFIX + d.id, "bytes": d.bytes, "unified": "unified" in d.kind}
            for d in compared
        ],
    }


def _gb(value: float) -> str:
    """Bytes as GB with two decimals and thousands commas, as the script's ``format``."""
    return f"{value / 1e9:,.2f}"


def initial_view(fit: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """What the script shows for the defaults, written into the page at build time.

    The same figures and sentences as ``update()`` in ``static/sosai-fit.js`` for the
    first configuration, so that nothing on the page moves when the script starts (a
    layout shift of a quarter of the window, measured by Lighthouse, before this).
    """
    model = next((m for m in fit["models"] if m["id"] == defaults["model"]), fit["models"][0])
    weights = model["weights"].get(defaults["precision"], 0)
    per_element = next((k["bytes"] for k in fit["kv"] if k["id"] == defaults["kv"]), 2)
    n, batch = int(defaults["context"]), int(defaults["batch"])
    overhead = float(defaults["overhead"]) * 1e9
    kv = batch * (
        model["full"] * per_element * n + model["windowed"] * per_element * min(n, model["window"])
    )
    total = weights + kv + overhead
    holding = {d["id"] for d in fit["devices"] if d["bytes"] >= total}
    notes = []
    if model["context"] and n > model["context"]:
        notes.append(
            f"{n:,} tokens is more than {model['name']}'s {model['context']:,}-token context."
        )
    if model["windowed"] and n > model["window"]:
        notes.append(
            f"Windowed layers hold {model['window']:,} tokens each; engines may keep more."
        )
    if model["note"]:
        notes.append(model["note"])
    return {
        "weights": _gb(weights),
        "kv": _gb(kv),
        "overhead": _gb(overhead),
        "total": _gb(total),
        "holding": holding,
        "summary": f"{model['name']}: about {_gb(total)} GB in all; {len(holding)} of "
        f"{len(fit['devices'])} devices and accelerators listed below hold it.",
        "note": " ".join(notes),
    }


def script_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# Nodes -----------------------------------------------------------------------------


class fit_calculator(nodes.container):
    """The form, results and data; its children are the text shown without it.

    A container, so any writer without a rule for it (text, LaTeX, the Markdown
    copies) writes its children: the fallback text.
    """


def visit_fit_calculator(self: Any, node: fit_calculator) -> None:
    """Website: the fallback in ``<noscript>``; elsewhere only the fallback."""
    if self.builder.name not in WEB_BUILDERS:
        self.body.append(self.starttag(node, "div", CLASS="sosai-fit-fallback"))
        return
    self.body.append(self.starttag(node, "div", CLASS="sosai-fit"))
    self.body.append("<noscript>")


def depart_fit_calculator(self: Any, node: fit_calculator) -> None:
    """Website: close the fallback, then write the form, the results and the data."""
    if self.builder.name not in WEB_BUILDERS:
        self.body.append("</div>\n")
        return
    self.body.append("</noscript>\n")
    self.body.append(form_html(node["sosai_fit"], node["sosai_fit_defaults"]))
    self.body.append(
        f'<script type="application/json" id="{DATA_ID}">'
        f"{script_json({**node['sosai_fit'], 'defaults': node['sosai_fit_defaults']})}"
        "</script>\n</div>\n"
    )


def _options(items: list[tuple[str, str]], selected: str) -> str:
    return "".join(
        f'<option value="{html.escape(value)}"{" selected" if value == selected else ""}>'
        f"{html.escape(label)}</option>"
        for value, label in items
    )


def form_html(fit: dict[str, Any], defaults: dict[str, Any]) -> str:
    """The form and the results, filled in for the defaults (:func:`initial_view`)."""
    view = initial_view(fit, defaults)
    groups: dict[str, list[tuple[str, str]]] = {}
    for model in sorted(fit["models"], key=lambda m: (m["org"].casefold(), m["name"].casefold())):
        groups.setdefault(model["org"], []).append((model["id"], model["name"]))
    models = "".join(
        f'<optgroup label="{html.escape(org)}">{_options(items, defaults["model"])}</optgroup>'
        for org, items in groups.items()
    )
    precisions = _options([(p["id"], p["name"]) for p in fit["precisions"]], defaults["precision"])
    kv = _options([(k["id"], k["name"]) for k in fit["kv"]], defaults["kv"])

    def field(name: str, label: str, control: str, hint: str = "") -> str:
        hint_html = f' <span class="sosai-fit-hint">{hint}</span>' if hint else ""
        return (
            f'<p class="sosai-fit-field"><label for="fit-{name}">{label}{hint_html}</label>'
            f"{control}</p>"
        )

    number = (
        '<input id="fit-{0}" name="{0}" type="number" inputmode="{1}" min="{2}" step="{3}"'
        ' value="{4}">'
    )
    return (
        '<form class="sosai-fit-form">'
        + field("model", "Model", f'<select id="fit-model" name="model">{models}</select>')
        + field(
            "precision", "Weight precision",
            f'<select id="fit-precision" name="precision">{precisions}</select>',
        )
        + field(
            "context", "Context length",
            number.format("context", "numeric", 1, 1, defaults["context"]),
            "(tokens per sequence)",
        )
        + field("batch", "Batch size", number.format("batch", "numeric", 1, 1, defaults["batch"]),
                "(sequences held at once)")
        + field("kv", "KV-cache precision", f'<select id="fit-kv" name="kv">{kv}</select>')
        + field(
            "overhead", "Overhead in GB",
            number.format("overhead", "decimal", 0, "any", defaults["overhead"]),
            "(an assumption: set it to what your engine reports)",
        )
        + "</form>\n"
        '<div class="sosai-fit-result">'
        '<div class="sosai-fit-sum-box"><table class="sosai-fit-sum">'
        "<caption>Estimated memory, in GB (10<sup>9</sup> bytes)</caption><tbody>"
        + "".join(
            f'<tr{extra}><th scope="row">{label}</th>'
            f'<td><output id="fit-out-{name}">{view[name]}</output></td></tr>'
            for name, label, extra in (
                ("weights", "Weights", ""),
                ("kv", "KV cache", ""),
                ("overhead", "Overhead (assumed)", ""),
                ("total", "Total", ' class="sosai-fit-total"'),
            )
        )
        + "</tbody></table></div>"
        '<p class="sosai-fit-summary" id="fit-summary" aria-live="polite">'
        f"{html.escape(view['summary'])}</p>"
        f'<p class="sosai-fit-note" id="fit-note">{html.escape(view["note"])}</p>'
        "</div>\n"
    )  # fmt: skip


# Directives ------------------------------------------------------------------------


class FitDirective(SphinxDirective):
    """Shared parts: loading the data files, warnings, citations, tables."""

    def warn(self, message: str) -> None:
        """A warning at the directive."""
        logger.warning(message, location=self.get_location(), type="sosai", subtype="fitcalc")

    def dataset(self, name: str) -> data.Dataset | None:
        """A data file of the book, noted as a dependency of the page."""
        path = Path(self.env.srcdir) / self.config.sosai_data_dir / f"{name}.yml"
        self.env.note_dependency(str(path))
        try:
            dataset = data.load(path)
        except (data.DataError, FileNotFoundError) as exc:
            self.warn(f"{self.name}: cannot read {path.name}: {exc}")
            return None
        self.env.note_dependency(str(dataset.schema_path))
        try:
            self.rules[name] = freshness.rule(dataset)
        except ValueError:
            self.rules[name] = None
        return dataset

    @property
    def rules(self) -> dict[str, int | None]:
        """Each data file's freshness rule in months (None without one), as read."""
        if not hasattr(self, "_rules"):
            self._rules: dict[str, int | None] = {}
        return self._rules

    def checked(self, *pairs: tuple[str, dict[str, Any]]) -> tuple[str, int | None]:
        """The month a row was checked and, if that is past its table's rule, the rule.

        ``pairs`` are (data file, row) for every row an output row draws on; the
        oldest ``as_of`` is shown, marked due when any of them is past its file's rule.
        """
        month = freshness.build_month()
        oldest = min(str(row["as_of"]) for _, row in pairs)
        for name, row in sorted(pairs, key=lambda pair: str(pair[1]["as_of"])):
            rule = self.rules.get(name)
            if rule and freshness.is_past_due(str(row["as_of"]), rule, month):
                return oldest, rule
        return oldest, None

    def rows(self, name: str) -> list[dict[str, Any]] | None:
        """A data file's rows, or None (warned) when it cannot be read."""
        dataset = self.dataset(name)
        return None if dataset is None else dataset.rows

    def cite(self, keys: list[str] | tuple[str, ...]) -> list[nodes.Node]:
        """A ``{cite:p}`` of the keys (bib keys only; URLs become links)."""
        keys = [k for k in dict.fromkeys(keys) if not k.startswith("http")]
        out: list[nodes.Node] = []
        if keys:
            parsed, _ = self.parse_inline(f"{{cite:p}}`{','.join(keys)}`", lineno=self.lineno)
            out += parsed
        return out

    def sources_cell(self, keys: list[str] | tuple[str, ...]) -> nodes.paragraph:
        """A table's sources cell, numbered under the table like a data table's."""
        cell = nodes.paragraph(classes=[SOURCES_CLASS])
        cell += self.cite(keys)
        return cell

    def table(
        self,
        headers: list[str],
        rows: list[list[nodes.Node | str]],
        checked: list[tuple[str, int | None]],
        prose: tuple[int, ...] = (),
    ) -> list[nodes.Node]:
        """A table styled like the book's data tables, with caption and name.

        As in a data table, a "Checked" column comes before the sources (the last
        column): each row's month, "(due)" when past its table's rule, and the caption
        ends with the oldest month.
        """
        table = nodes.table(classes=["sosai-data-table", "colwidths-auto"])
        caption = self.options.get("caption", "").strip()
        if caption and caption[-1] not in ".!?":
            caption += "."
        caption += f" As of {data.month_label(min(month for month, _ in checked))}."
        overdue = sorted({rule for _, rule in checked if rule})
        if overdue:
            months = " or ".join(map(str, overdue))
            caption += f" Rows marked “due” were last checked more than {months} months ago."
        headers = [*headers[:-1], CHECKED_TITLE, headers[-1]]
        rows = [
            [*cells[:-1], _checked_cell(month, rule), cells[-1]]
            for cells, (month, rule) in zip(rows, checked, strict=True)
        ]
        title_nodes, _ = self.parse_inline(caption.strip(), lineno=self.lineno)
        table += nodes.title("", "", *title_nodes)
        tgroup = nodes.tgroup(cols=len(headers))
        table += tgroup
        tgroup.extend(nodes.colspec(colwidth=10) for _ in headers)
        thead = nodes.thead()
        thead += _row([nodes.paragraph("", h) for h in headers])
        tgroup += thead
        tbody = nodes.tbody()
        for cells, (_, rule) in zip(rows, checked, strict=True):
            tbody += _row(
                [c if isinstance(c, nodes.Node) else nodes.paragraph("", c) for c in cells],
                prose,
            )
            if rule:
                tbody[-1]["classes"].append(DUE_CLASS)
        tgroup += tbody
        self.add_name(table)
        self.set_source_info(table)
        box = nodes.container(classes=[BOX_CLASS])
        if len(headers) >= WIDE_FROM:
            box["classes"].append(WIDE_CLASS)
        box += table
        return [box]


def _row(cells: list[nodes.Node], prose: tuple[int, ...] = ()) -> nodes.row:
    row = nodes.row()
    for i, cell in enumerate(cells):
        entry = nodes.entry(classes=[PROSE_CLASS] if i in prose else [])
        entry += cell
        row += entry
    return row


def _ids(option: str | None) -> list[str]:
    return [part.strip() for part in (option or "").split(",") if part.strip()]


def _positive_int(argument: str) -> int:
    value = directives.nonnegative_int(argument)
    if value < 1:
        raise ValueError("must be 1 or more")
    return value


class FitCalculatorDirective(FitDirective):
    """``fit-calculator``: the interactive estimate and the devices it is compared with."""

    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {
        "model": directives.unchanged_required,
        "precision": directives.unchanged_required,
        "kv": directives.unchanged_required,
        "context": _positive_int,
        "batch": _positive_int,
        "overhead": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        """The calculator node and the list of devices."""
        models = self.rows("models")
        precisions = self.rows("precisions")
        device_rows = self.rows("devices")
        accelerators = self.rows("accelerators")
        if models is None or precisions is None or device_rows is None or accelerators is None:
            return []
        compared = devices(device_rows, accelerators)
        fit = calculator_data(models, precisions, compared)
        if not fit["models"]:
            self.warn("fit-calculator: no model in models.yml has an architecture")
            return []
        defaults = {
            "model": self.options.get("model", fit["models"][0]["id"]),
            "precision": self.options.get("precision", fit["precisions"][0]["id"]),
            "kv": self.options.get("kv", "f16"),
            "context": self.options.get("context", 8192),
            "batch": self.options.get("batch", 1),
            "overhead": self.options.get("overhead", "0"),
        }
        try:
            float(defaults["overhead"])
        except ValueError:
            self.warn(f"fit-calculator: overhead {defaults['overhead']!r} is not a number of GB")
            defaults["overhead"] = "0"
        for key, known in (
            ("model", [m["id"] for m in fit["models"]]),
            ("precision", [p["id"] for p in fit["precisions"]]),
            ("kv", list(KV_PRECISIONS)),
        ):
            if defaults[key] not in known:
                self.warn(f"fit-calculator: unknown {key} {defaults[key]!r}")
                defaults[key] = known[0]
        node = fit_calculator(sosai_fit=fit, sosai_fit_defaults=defaults)
        self.set_source_info(node)
        if self.content:
            node += self.parse_content_to_nodes()
        view = initial_view(fit, defaults)
        box = self.device_list(compared)
        box["sosai_fit_holding"] = sorted(view["holding"])
        box["sosai_fit_total"] = view["total"]
        return [node, box]

    def device_list(self, compared: list[Device]) -> fit_devices:
        """Every device and accelerator with its memory and sources, smallest first."""
        box = fit_devices(classes=["sosai-fit-devices"])
        intro = nodes.paragraph(classes=["sosai-fit-devices-intro"])
        intro += nodes.Text(
            f"The {len(compared)} devices and accelerators compared, smallest memory first "
            "(memory as the vendor lists it):"
        )
        box += intro
        items = nodes.bullet_list(classes=["sosai-fit-device-list"])
        for device in compared:
            item = nodes.list_item(ids=[DEVICE_ID_PREFIX + device.id])
            para = nodes.paragraph()
            para += nodes.strong("", device.name)
            kind = f", {device.kind}" if device.kind else ""
            para += nodes.Text(f": {device.memory_gb:g} GB{kind} ")
            para += self.cite(device.sources)
            item += para
            items += item
        box += items
        return box


class FitTableDirective(FitDirective):
    """``fit-table``: weights and KV cache for common configurations, batch 1."""

    option_spec: ClassVar[dict[str, Any]] = {
        "models": directives.unchanged_required,
        "precisions": directives.unchanged_required,
        "contexts": directives.unchanged_required,
        "kv": directives.unchanged_required,
        "caption": directives.unchanged_required,
        "name": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        """One row per model and precision; KV cache and total per context."""
        models = self.rows("models")
        precisions = self.rows("precisions")
        if models is None or precisions is None:
            return []
        by_id = {m["id"]: m for m in models}
        precision_by_id = {p["id"]: p for p in precisions if p.get("bits_per_weight") is not None}
        wanted = _ids(self.options.get("models"))
        wanted_precisions = _ids(self.options.get("precisions"))
        problems = _unknown(wanted, by_id, wanted_precisions, precision_by_id)
        kv = self.options.get("kv", "f16")
        if kv not in KV_PRECISIONS:
            problems.append(f"unknown KV precision {kv!r}; known: {', '.join(KV_PRECISIONS)}")
            kv = "f16"
        try:
            contexts = [int(c) for c in _ids(self.options.get("contexts")) or ["8192", "32768"]]
        except ValueError:
            problems.append(f"contexts {self.options['contexts']!r} are not whole numbers")
            contexts = [8192, 32768]
        if problems:
            self.warn("fit-table: " + "; ".join(problems) + " (left out)")
        chosen = [by_id[m] for m in wanted if m in by_id and fits(by_id[m])]
        chosen_precisions = [precision_by_id[p] for p in wanted_precisions if p in precision_by_id]
        if not chosen or not chosen_precisions:
            self.warn("fit-table: no model and precision to show")
            return []
        headers = ["Model", "Weight precision", "Weights (GB)"]
        for n in contexts:
            headers += [f"KV cache at {n:,} tokens (GB)", f"Weights + KV at {n:,} (GB)"]
        headers.append("Sources")
        rows, dates = [], []
        for model in chosen:
            for precision in chosen_precisions:
                cells: list[nodes.Node | str] = [model["name"], precision["name"]]
                weights = weights_bytes(model["total_params_b"] * 1e9, precision["bits_per_weight"])
                cells.append(gb(weights))
                for n in contexts:
                    limit = model.get("context_tokens")
                    if limit and n > limit:
                        cells += [f"{EMPTY} (context is {limit:,})", EMPTY]
                        continue
                    found = estimate(model, precision["bits_per_weight"], n, kv)
                    cells += [gb(found.kv), gb(found.total)]
                keys = [
                    *model["sources"],
                    *model["architecture"]["sources"],
                    *precision["sources"],
                    *KV_PRECISIONS[kv].sources,
                ]
                cells.append(self.sources_cell(keys))
                rows.append(cells)
                dates.append(self.checked(("models", model), ("precisions", precision)))
        return self.table(headers, rows, dates)


def _unknown(
    models: list[str],
    known_models: dict[str, dict[str, Any]],
    precisions: list[str],
    known_precisions: dict[str, dict[str, Any]],
) -> list[str]:
    """What is wrong with the model and precision ids a ``fit-table`` names."""
    problems = []
    unknown = [m for m in models if m not in known_models]
    unusable = [m for m in models if m in known_models and not fits(known_models[m])]
    bad = [p for p in precisions if p not in known_precisions]
    if unknown:
        problems.append(f"unknown model id(s) {unknown}")
    if unusable:
        problems.append(f"model(s) without an architecture {unusable}")
    if bad:
        problems.append(f"unknown precision id(s) or no bits per weight {bad}")
    return problems


class FitInputsDirective(FitDirective):
    """``fit-inputs``: the architecture of every model the calculator knows, with sources."""

    option_spec: ClassVar[dict[str, Any]] = {
        "caption": directives.unchanged_required,
        "name": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        """One row per model with an architecture; a line naming those without."""
        models = self.rows("models")
        if models is None:
            return []
        shown = sorted(
            (m for m in models if fits(m)),
            key=lambda m: (m["organisation"].casefold(), m["name"].casefold()),
        )
        headers = [
            "Model", "Organisation", "Total params (B)", "Layers", "KV-cache layers",
            "Windowed layers (window)", "KV heads × head dim", "MLA latent + RoPE",
            "KV per token, 16-bit (KiB)", "Note", "Sources",
        ]  # fmt: skip
        rows = []
        for model in shown:
            arch = model["architecture"]
            shape = KVShape.from_architecture(arch)
            windowed = (
                f"{shape.windowed_layers} ({shape.window:,})" if shape.windowed_layers else "0"
            )
            heads = f"{arch['kv_heads']} × {arch['head_dim']}" if arch.get("kv_heads") else EMPTY
            mla = f"{arch['kv_lora_rank']} + {arch['rope_head_dim']}" if shape.mla else EMPTY
            per_token = (shape.full + shape.windowed) * 2 / 1024
            rows.append([
                model["name"], model["organisation"], f"{model['total_params_b']:g}",
                str(arch["layers"]), str(arch["attention_layers"]), windowed, heads, mla,
                f"{per_token:,.2f}".rstrip("0").rstrip("."), arch.get("note") or EMPTY,
                self.sources_cell([*arch["sources"], *model["sources"]]),
            ])  # fmt: skip
        dates = [self.checked(("models", model)) for model in shown]
        out = self.table(headers, rows, dates, prose=(9,))
        missing = [m["name"] for m in models if "architecture" in m and not m.get("architecture")]
        if missing:
            line = nodes.paragraph(classes=["sosai-fit-missing"])
            line += nodes.Text(
                f"No architecture verified at a primary source, so not in the calculator "
                f"({len(missing)} text models): {', '.join(missing)}."
            )
            out.append(line)
        return out


class FitChecksDirective(FitDirective):
    """``fit-checks``: the published measurements and the estimates for the same inputs."""

    option_spec: ClassVar[dict[str, Any]] = {
        "caption": directives.unchanged_required,
        "name": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        """One row per check, then the measurements not checked."""
        measurements = self.rows("memory-measurements")
        models = self.rows("models")
        precisions = self.rows("precisions")
        if measurements is None or models is None or precisions is None:
            return []
        by_id = {m["id"]: m for m in measurements}
        model_by_id = {m["id"]: m for m in models}
        precision_by_id = {p["id"]: p for p in precisions}
        headers = ["Measured", "Engine", "What", "Estimated from", "Measured (GiB)",
                   "Estimated (GiB)", "Difference", "Sources"]  # fmt: skip
        rows, dates = [], []
        done = set()
        for check in CHECKS:
            if check.measurement not in by_id:
                self.warn(f"fit-checks: no measurement {check.measurement!r}")
                continue
            row = by_id[check.measurement]
            result = run_check(check, by_id, model_by_id, precision_by_id)
            done.add(check.measurement)
            used = [("memory-measurements", row)]
            if isinstance(check.shape, str):
                used.append(("models", model_by_id[check.shape]))
            if check.precision:
                used.append(("precisions", precision_by_id[check.precision]))
            dates.append(self.checked(*used))
            rows.append([
                row["model"], row["engine"],
                "KV cache" if check.quantity == "kv" else "Weights",
                check.inputs,
                f"{result.measured / GIB:.4f}", f"{result.estimated / GIB:.4f}",
                f"{result.difference:+.1%}".replace("-", "−"),
                self.sources_cell(result.sources),
            ])  # fmt: skip
        for row in measurements:
            if row["id"] in done:
                continue
            dates.append(self.checked(("memory-measurements", row)))
            reason = NOT_CHECKED.get(row["id"], "Not estimated")
            measured = row.get("measured") or {}
            value = measured.get("kv_cache_gib") or measured.get("weights_gib")
            what = "KV cache" if measured.get("kv_cache_gib") else "Weights"
            rows.append([
                row["model"], row["engine"], what, reason,
                f"{value:.4f}" if value is not None else EMPTY, EMPTY, EMPTY,
                self.sources_cell(row["sources"]),
            ])  # fmt: skip
        return self.table(headers, rows, dates, prose=(3,))


class fit_devices(nodes.container):
    """The devices compared; on the website, split into those that hold the default total.

    Elsewhere (EPUB, PDF, Markdown) a plain list of every device, since there is no form.
    """


def visit_fit_devices(self: Any, node: fit_devices) -> None:
    """Website: two lists, as the script keeps them, so nothing moves when it starts."""
    holding = node.get("sosai_fit_holding")
    if self.builder.name in WEB_BUILDERS and holding is not None:
        original = next(node.findall(nodes.bullet_list), None)
        if original is not None:
            items = list(original.children)
            node.remove(original)
            intro = next(node.findall(nodes.paragraph), None)
            if intro is not None:
                intro.children = []
                intro += nodes.Text(
                    "Devices and accelerators compared with the total (memory as the vendor "
                    "lists it):"
                )
            parts = (
                ("fit-holds", "sosai-fit-holds", f"Hold {node['sosai_fit_total']} GB", True),
                ("fit-short", "sosai-fit-short", "Too small", False),
            )
            for heading_id, list_class, label, holds in parts:
                chosen = [item for item in items if (item["ids"][0] in holding) == holds]
                heading = nodes.paragraph(
                    "", f"{label} ({len(chosen)}):", ids=[heading_id],
                    classes=["sosai-fit-devices-heading"],
                )  # fmt: skip
                listing = nodes.bullet_list(classes=[list_class])
                listing.extend(chosen)
                node += [heading, listing]
    self.visit_container(node)


def depart_fit_devices(self: Any, node: fit_devices) -> None:
    """Close the box."""
    self.depart_container(node)


# Events ----------------------------------------------------------------------------


def add_script(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Load the calculator's script on the pages that have a calculator, and only there."""
    if doctree is None or app.builder.name not in WEB_BUILDERS:
        return
    if next(doctree.findall(fit_calculator), None) is not None:
        app.add_js_file(SCRIPT, loading_method="defer")


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register the directives, the node and its HTML writer, and the script."""
    app.setup_extension("sosai.features.datatable")  # data, table styling, numbered sources
    app.add_node(fit_calculator, html=(visit_fit_calculator, depart_fit_calculator))
    app.add_node(fit_devices, html=(visit_fit_devices, depart_fit_devices))
    app.add_directive("fit-calculator", FitCalculatorDirective)
    app.add_directive("fit-table", FitTableDirective)
    app.add_directive("fit-inputs", FitInputsDirective)
    app.add_directive("fit-checks", FitChecksDirective)
    app.connect("builder-inited", publish_static)
    app.connect("html-page-context", add_script)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
