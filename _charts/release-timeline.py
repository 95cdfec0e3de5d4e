"""Open model releases by month and total parameters (log scale), with MoE active parameters."""

from datetime import date

from sosai.features.charts import PALETTE, new_figure

DATA = ["models"]

# Kinds drawn in one colour each; text-generating kinds share the first colour.
GROUPS = {
    "Language, reasoning and code": ("llm", "reasoning", "code", "vision-language"),
    "Image and video generation": ("image", "video"),
    "Speech and embeddings": ("audio", "embedding"),
}
LABELLED = {
    "bloom",
    "llama-2-70b",
    "mixtral-8x7b",
    "llama-3.1-405b",
    "deepseek-r1",
    "kimi-k2",
    "gpt-oss-120b",
    "qwen3.5-397b",
    "deepseek-v4-pro",
    "kimi-k3",
    "qwen3.8-2.4t-a95b",
    "hunyuanimage-3.0",
    "whisper-large-v3-turbo",
}
TICKS = [0.1, 1, 10, 100, 1000]


def month(value):
    """'2025-04' -> a date in the middle of that month."""
    year, mon = (int(part) for part in str(value).split("-"))
    return date(year, mon, 15)


def draw(data):
    rows = [r for r in data["models"].rows if r.get("total_params_b")]
    fig, ax = new_figure(8, 4.8)
    for colour, (label, kinds) in zip(PALETTE, GROUPS.items(), strict=False):
        group = [r for r in rows if r["kind"] in kinds]
        xs = [month(r["release"]) for r in group]
        ys = [r["total_params_b"] for r in group]
        ax.scatter(xs, ys, s=28, color=colour, label=f"{label} (total)", zorder=3)
        moe = [r for r in group if r.get("moe") and r.get("active_params_b")]
        for r in moe:
            x = month(r["release"])
            ax.plot(
                [x, x],
                [r["active_params_b"], r["total_params_b"]],
                color=colour,
                linewidth=0.8,
                alpha=0.6,
                zorder=2,
            )
        if moe:
            ax.scatter(
                [month(r["release"]) for r in moe],
                [r["active_params_b"] for r in moe],
                s=28,
                facecolors="white",
                edgecolors=colour,
                linewidths=1.2,
                label=f"{label} (MoE active)",
                zorder=3,
            )
    for r in rows:
        if r["id"] in LABELLED:
            ax.annotate(
                r["name"],
                (month(r["release"]), r["total_params_b"]),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=7,
                color="#333333",
            )
    ax.set_yscale("log")
    ax.set_yticks(TICKS)
    ax.set_yticklabels([f"{t:,g}" for t in TICKS])
    ax.set_ylabel("Parameters (billions, log scale)")
    ax.set_xlabel("Release month")
    ax.set_title("Open-weight releases in models.yml")
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    return fig
