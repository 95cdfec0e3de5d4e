"""Memory to hold the weights of an 8B and a 70B model at each precision (computed, log scale)."""

from sosai.features.charts import PALETTE, new_figure

DATA = ["precisions"]
MODELS = ((8e9, "8B model", PALETTE[0]), (70e9, "70B model", PALETTE[1]))
# Memory of common devices, drawn as vertical guides (GB).
GUIDES = ((16, "16 GB"), (24, "24 GB"), (32, "32 GB"), (80, "80 GB"), (192, "192 GB"))
BAR = 0.38


def gigabytes(parameters, bits_per_weight):
    """Weights only: parameters x bits per weight / 8 bits per byte / 1e9 bytes per GB."""
    return parameters * bits_per_weight / 8 / 1e9


def draw(data):
    rows = [r for r in data["precisions"].rows if r["memory_chart"]]
    rows.sort(key=lambda r: r["bits_per_weight"])  # smallest at the bottom
    fig, ax = new_figure(8, 6.2)
    for gb, label in GUIDES:
        ax.axvline(gb, color="#bbbbbb", linewidth=0.8, zorder=1)
        ax.text(gb * 1.03, -0.5, label, fontsize=7, color="#555555", va="bottom", rotation=90)
    for offset, (params, name, colour) in zip((BAR / 2, -BAR / 2), MODELS, strict=False):
        ys = [i + offset for i in range(len(rows))]
        values = [gigabytes(params, r["bits_per_weight"]) for r in rows]
        ax.barh(ys, values, height=BAR, color=colour, label=name, zorder=3)
        for y, gb in zip(ys, values, strict=False):
            text = f"{gb:,.0f}" if gb >= 10 else f"{gb:.1f}"
            ax.text(gb * 1.04, y, text, va="center", fontsize=7, color="#333333")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{r['name']}: {r['bits_per_weight']:.2f} bits" for r in rows], fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(1, 600)
    ticks = [1, 2, 5, 10, 20, 50, 100, 200, 500]
    ax.set_xticks(ticks)
    ax.set_xticklabels([str(t) for t in ticks])
    ax.minorticks_off()
    ax.grid(axis="y", visible=False)
    ax.set_ylim(-0.6, len(rows) - 0.1)
    ax.set_xlabel("Memory for the weights alone (GB = 10⁹ bytes, log scale)")
    ax.set_title("Weights of an 8B and a 70B model, by precision")
    ax.legend(loc="center right", fontsize=8, frameon=True, framealpha=1, edgecolor="#dddddd")
    return fig
