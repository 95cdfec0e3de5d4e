"""GPU memory to fine-tune a dense model by size: full fine-tuning, LoRA and QLoRA (log-log)."""

import numpy as np

from sosai.features.charts import PALETTE, new_figure

DATA = ["finetuning-memory"]
SIZES_B = np.logspace(np.log10(0.5), np.log10(1000), 200)  # 0.5B to 1,000B parameters
MARKED_B = (8, 70)  # sizes labelled with their value
# Memory of one or eight GPUs, drawn as horizontal guides (GB).
CAPACITIES = ((24, "24 GB"), (48, "48 GB"), (80, "80 GB"), (640, "8 × 80 GB"))
STYLES = {
    "inference-bf16": {"color": "#333333", "linestyle": (0, (4, 3)), "linewidth": 1.2, "zorder": 5},
    "full-adamw": {"color": PALETTE[1]},
    "lora-bf16": {"color": PALETTE[0]},
    "qlora-nf4": {"color": PALETTE[2]},
}


def bytes_per_param(row):
    """Frozen bytes plus the trainable share times its bytes (weights, gradients, optimiser)."""
    return row["frozen_bytes"] + row["trainable_fraction"] * row["trainable_bytes"]


def gigabytes(size_b, row):
    """Memory in GB (10^9 bytes) for a model of size_b billion parameters."""
    return size_b * bytes_per_param(row)


def draw(data):
    rows = data["finetuning-memory"].rows
    fig, ax = new_figure(8, 4.8)
    for gb, label in CAPACITIES:
        ax.axhline(gb, color="#bbbbbb", linewidth=0.8, zorder=1)
        ax.text(0.52, gb * 1.06, label, fontsize=7.5, color="#555555", va="bottom")
    for row in rows:
        style = STYLES.get(row["id"], {})
        ax.plot(
            SIZES_B,
            gigabytes(SIZES_B, row),
            label=f"{row['method']} ({bytes_per_param(row):.2f} B/param)",
            **{"linewidth": 2, "zorder": 3, **style},
        )
        if row["id"] == "inference-bf16":
            continue
        for size in MARKED_B:
            gb = gigabytes(size, row)
            ax.scatter([size], [gb], s=18, color=style.get("color"), zorder=4)
            ax.annotate(
                f"{gb:,.0f} GB" if gb >= 10 else f"{gb:.1f} GB",
                (size, gb),
                textcoords="offset points",
                xytext=(5, -11),
                fontsize=7.5,
                color="#333333",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(0.5, 1000)
    ax.set_ylim(0.5, 30000)
    ticks = [0.5, 1, 3, 8, 14, 32, 70, 120, 405, 1000]
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{t:g}B" for t in ticks])
    yticks = [1, 10, 100, 1000, 10000]
    ax.set_yticks(yticks)
    ax.set_yticklabels([f"{t:,}" for t in yticks])
    ax.minorticks_off()
    ax.set_xlabel("Model size (parameters, log scale)")
    ax.set_ylabel("Memory for weights, gradients and\noptimiser states (GB, log scale)")
    ax.set_title("Training memory by method and model size, before activations")
    ax.legend(fontsize=7.5, loc="upper left", frameon=False)
    return fig
