"""Benchmark lifetimes: from introduction to the latest verified top score, against an 80% line."""

from datetime import date

from sosai.features.charts import PALETTE, new_figure

DATA = ["benchmarks"]
THRESHOLD = 80.0  # percent of the maximum score; at or above it we call a benchmark saturated
BELOW, ABOVE, EARLY = PALETTE[0], PALETTE[1], "#555555"


def month(value):
    """'2025-04' -> a date in the middle of that month."""
    year, mon = (int(part) for part in str(value).split("-"))
    return date(year, mon, 15)


def drawn(rows):
    """Rows with a percentage score where higher is better and a verified top score."""
    return [r for r in rows if r["unit"] == "%" and r.get("best_score") is not None]


def draw(data):
    from matplotlib.lines import Line2D

    rows = sorted(drawn(data["benchmarks"].rows), key=lambda r: (r["introduced"], r["name"]))
    fig, ax = new_figure(8, 0.32 * len(rows) + 1.6)
    for y, row in enumerate(rows):
        start, end = month(row["introduced"]), month(row["best_date"])
        colour = ABOVE if row["best_score"] >= THRESHOLD else BELOW
        ax.plot([start, end], [y, y], color="#bbbbbb", linewidth=2, zorder=1)
        ax.scatter([start], [y], marker="|", s=90, color=EARLY, zorder=2)
        if row.get("first_score") is not None:
            first = month(row["first_date"])
            ax.scatter([first], [y], s=36, facecolors="white", edgecolors=EARLY, zorder=3)
            ax.annotate(
                f"{row['first_score']:g}",
                (first, y),
                textcoords="offset points",
                xytext=(0, 5),
                ha="center",
                fontsize=7,
                color=EARLY,
            )
        ax.scatter([end], [y], s=40, color=colour, zorder=4)
        ax.annotate(
            f"{row['best_score']:g}",
            (end, y),
            textcoords="offset points",
            xytext=(6, -3),
            fontsize=7.5,
            color="#222222",
        )
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{r['name']} ({r['introduced'][:4]})" for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(date(2018, 1, 1), date(2027, 1, 1))
    ax.grid(axis="y", alpha=0)
    ax.set_xlabel("Date (introduction on the left, latest verified top score on the right)")
    ax.set_title(
        f"How fast benchmarks fill up: top verified score, {THRESHOLD:g}% line marks saturation",
        fontsize=10,
    )
    legend = [
        Line2D([], [], marker="|", linestyle="none", color=EARLY, markersize=9, label="Introduced"),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markerfacecolor="white",
            markeredgecolor=EARLY,
            label="Early score (launch paper or earliest verified)",
        ),
        Line2D(
            [], [], marker="o", linestyle="none", color=ABOVE, label=f"Top score ≥ {THRESHOLD:g}%"
        ),
        Line2D(
            [], [], marker="o", linestyle="none", color=BELOW, label=f"Top score < {THRESHOLD:g}%"
        ),
    ]
    ax.legend(handles=legend, fontsize=7.5, loc="lower left", frameon=True, framealpha=0.9)
    return fig
