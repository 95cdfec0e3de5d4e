"""Open embedding models: size against longest input, marked by licence (commercial or not)."""

from sosai.features.charts import PALETTE, new_figure

DATA = ["embedding-models"]
TOKEN_TICKS = [256, 512, 2048, 8192, 32768]
SIZE_TICKS = [10, 100, 1000, 10000]
# Label placement per group, keyed by the group's first model id: (dx, dy, ha, va) in points.
PLACES = {
    "qwen3-embedding-8b": (-7, -7, "right", "top"),
    "qwen3-embedding-0.6b": (-7, -7, "right", "top"),
    "nemotron-3-embed-1b": (0, 8, "center", "bottom"),
    "voyage-4-nano": (-7, 0, "right", "center"),
    "multilingual-e5-large-instruct": (7, 4, "left", "bottom"),
    "nomic-embed-text-v2-moe": (0, -8, "center", "top"),
    "granite-embedding-278m-multilingual": (-7, 4, "right", "bottom"),
    "granite-embedding-311m-multilingual-r2": (-7, 0, "right", "center"),
}
DEFAULT_PLACE = (7, 0, "left", "center")


def tokens_label(tokens):
    return f"{tokens // 1024}K" if tokens >= 1024 else str(tokens)


def groups(rows):
    """Models at (almost) the same point: same input length, sizes within 10%."""
    found = []
    for row in rows:
        for group in found:
            first = group[0]
            same_size = max(first["params_m"], row["params_m"]) / min(
                first["params_m"], row["params_m"]
            )
            if first["max_tokens"] == row["max_tokens"] and same_size < 1.1:
                group.append(row)
                break
        else:
            found.append([row])
    return found


def draw(data):
    rows = data["embedding-models"].rows
    fig, ax = new_figure(8, 4.8)
    for allowed, colour, marker, name in (
        (True, PALETTE[0], "o", "Licence allows commercial use"),
        (False, PALETTE[1], "X", "Non-commercial licence (NC)"),
    ):
        pts = [r for r in rows if r["commercial_use"] is allowed]
        ax.scatter(
            [r["params_m"] for r in pts],
            [r["max_tokens"] for r in pts],
            s=[24 + r["dimensions"] / 40 for r in pts],
            color=colour,
            marker=marker,
            label=name,
            zorder=3,
            edgecolors="white",
            linewidths=0.6,
        )
    for group in groups(rows):
        dx, dy, ha, va = PLACES.get(group[0]["id"], DEFAULT_PLACE)
        text = "\n".join(r["name"] + ("" if r["commercial_use"] else " (NC)") for r in group)
        ax.annotate(
            text,
            (group[0]["params_m"], group[0]["max_tokens"]),
            textcoords="offset points",
            xytext=(dx, dy),
            fontsize=7.5,
            color="#333333",
            ha=ha,
            va=va,
            multialignment=ha if ha != "center" else "center",
        )
    ax.set_xscale("log")
    ax.set_yscale("log", base=2)
    ax.set_xticks(SIZE_TICKS)
    ax.set_xticklabels(["10M", "100M", "1B", "10B"])
    ax.set_yticks(TOKEN_TICKS)
    ax.set_yticklabels([tokens_label(t) for t in TOKEN_TICKS])
    ax.set_xlim(12, 30000)
    ax.set_ylim(180, 80000)
    ax.set_xlabel("Parameters (log scale)")
    ax.set_ylabel("Longest input (tokens, log scale)")
    ax.set_title("Open embedding models in embedding-models.yml (marker area: vector length)")
    ax.legend(fontsize=8, loc="lower right", frameon=False)
    return fig
