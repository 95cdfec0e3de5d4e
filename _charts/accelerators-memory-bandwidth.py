"""Memory capacity against memory bandwidth for accelerators in accelerators.yml (log-log)."""

import numpy as np

from sosai.features.charts import PALETTE, new_figure

DATA = ["accelerators"]
COLOURS = {"NVIDIA": PALETTE[2], "AMD": PALETTE[1], "Google": PALETTE[0], "AWS": PALETTE[4]}
MARKERS = {"NVIDIA": "o", "AMD": "s", "Google": "^", "AWS": "D"}
# Time to read the whole memory once (ms) = memory (GB) / bandwidth (GB/s), drawn as guides.
READ_TIMES_MS = (10, 20, 50)
LABEL_AT_GB = {10: 40, 20: 70, 50: 190}  # where each guide is labelled
# Label offsets (points) where the default would collide with a neighbour.
OFFSETS = {
    "nvidia-b200": (-62, 4),
    "nvidia-gb200": (6, -10),
    "nvidia-b300": (-20, 6),
    "amd-mi300x": (6, -10),
    "aws-trainium3": (-80, 3),
    "google-tpu-v6e": (6, -10),
    "aws-trainium2": (6, -10),
}


def short(name):
    return (
        name.replace("NVIDIA ", "")
        .replace("AMD Instinct ", "")
        .replace("Google ", "")
        .replace("AWS ", "")
    )


def draw(data):
    rows = [r for r in data["accelerators"].rows if r["memory_gb"] and r["bandwidth_tbs"]]
    fig, ax = new_figure(8, 5)
    mem = np.logspace(np.log10(8), np.log10(500), 50)
    for ms in READ_TIMES_MS:
        bw = mem / (ms / 1000) / 1000  # TB/s that reads `mem` GB in `ms`
        ax.plot(mem, bw, color="#bbbbbb", linewidth=0.8, linestyle=(0, (4, 3)), zorder=1)
        x = LABEL_AT_GB[ms]
        ax.text(
            x,
            x / ms * 1.08,
            f"{ms} ms per full read (≤{1000 // ms} tokens/s)",
            fontsize=7,
            color="#555555",
            ha="right",
            va="bottom",
        )
    for vendor, colour in COLOURS.items():
        pts = [r for r in rows if r["vendor"] == vendor]
        if not pts:
            continue
        ax.scatter(
            [r["memory_gb"] for r in pts],
            [r["bandwidth_tbs"] for r in pts],
            s=40,
            color=colour,
            marker=MARKERS[vendor],
            label=vendor,
            zorder=3,
        )
        for r in pts:
            ax.annotate(
                short(r["name"]),
                (r["memory_gb"], r["bandwidth_tbs"]),
                textcoords="offset points",
                xytext=OFFSETS.get(r["id"], (6, 3)),
                fontsize=7.5,
                color="#333333",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(8, 500)
    ax.set_ylim(0.4, 20)
    xt = [8, 16, 32, 64, 128, 256]
    ax.set_xticks(xt)
    ax.set_xticklabels([str(t) for t in xt])
    yt = [0.5, 1, 2, 4, 8, 16]
    ax.set_yticks(yt)
    ax.set_yticklabels([f"{t:g}" for t in yt])
    ax.minorticks_off()
    ax.set_xlabel("Memory per chip or GPU (GB, log scale)")
    ax.set_ylabel("Memory bandwidth (TB/s, log scale)")
    ax.set_title("Memory capacity against bandwidth")
    ax.legend(loc="upper left", fontsize=8, frameon=True, framealpha=1, edgecolor="#dddddd")
    return fig
