"""Longest advertised context window of open text models by release month (log scale)."""

from datetime import date

from sosai.features.charts import PALETTE, new_figure

DATA = ["models"]
TEXT_KINDS = ("llm", "reasoning", "code", "vision-language")
TICKS = [2**k for k in range(11, 24, 2)]  # 2K ... 8M tokens


def month(value):
    year, mon = (int(part) for part in str(value).split("-"))
    return date(year, mon, 15)


def label(tokens):
    if tokens >= 2**20:
        return f"{tokens // 2**20}M"
    return f"{tokens // 2**10}K"


def draw(data):
    rows = sorted(
        (r for r in data["models"].rows if r["kind"] in TEXT_KINDS and r.get("context_tokens")),
        key=lambda r: r["release"],
    )
    fig, ax = new_figure(8, 4.2)
    for colour, moe, name in (
        (PALETTE[0], False, "Dense"),
        (PALETTE[1], True, "Mixture of experts"),
    ):
        pts = [r for r in rows if bool(r.get("moe")) is moe]
        ax.scatter(
            [month(r["release"]) for r in pts],
            [r["context_tokens"] for r in pts],
            s=30,
            color=colour,
            label=name,
            zorder=3,
        )
    # The longest window released so far, as a step line.
    best, xs, ys = 0, [], []
    for r in rows:
        best = max(best, r["context_tokens"])
        xs.append(month(r["release"]))
        ys.append(best)
    ax.step(xs, ys, where="post", color="#555555", linewidth=1, label="Longest so far")
    ax.set_yscale("log", base=2)
    ax.set_yticks(TICKS)
    ax.set_yticklabels([label(t) for t in TICKS])
    ax.set_ylabel("Context window (tokens, log scale)")
    ax.set_xlabel("Release month")
    ax.set_title("Advertised context windows of open text models in models.yml")
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    return fig
