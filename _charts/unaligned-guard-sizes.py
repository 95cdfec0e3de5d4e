"""Released sizes of open guard models, smallest to largest variant, on a log scale."""

from sosai.features.charts import PALETTE, new_figure

DATA = ["guard-models"]
COLOURS = {"text": PALETTE[0], "image": PALETTE[1], "text and image": PALETTE[2]}
TICKS = [0.01, 0.1, 1, 10, 100, 1000]
TICK_LABELS = ["10M", "100M", "1B", "10B", "100B", "1T"]


def short(billions):
    if billions < 0.1:
        return f"{billions * 1000:g}M"
    return f"{billions:g}B"


def draw(data):
    rows = sorted(
        data["guard-models"].rows, key=lambda r: (r["params_max_b"], r["params_min_b"], r["name"])
    )
    fig, ax = new_figure(8, 6.2)
    seen = set()
    for y, row in enumerate(rows):
        colour = COLOURS[row["modality"]]
        label = None if row["modality"] in seen else f"Input: {row['modality']}"
        seen.add(row["modality"])
        low, high = row["params_min_b"], row["params_max_b"]
        ax.plot([low, high], [y, y], color=colour, linewidth=3, solid_capstyle="round", zorder=2)
        ax.scatter([low, high], [y, y], s=36, color=colour, zorder=3, label=label)
        text = short(low) if low == high else f"{short(low)}–{short(high)}"
        ax.annotate(
            text,
            (high, y),
            xytext=(8, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color="#333333",
        )
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r["name"] for r in rows], fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(0.01, 3000)
    ax.set_xticks(TICKS)
    ax.set_xticklabels(TICK_LABELS)
    ax.set_xlabel("Total parameters (log scale); line spans the smallest to largest released size")
    ax.set_title("Open guard models in guard-models.yml by size")
    ax.legend(fontsize=8, loc="lower right", frameon=False)
    return fig
