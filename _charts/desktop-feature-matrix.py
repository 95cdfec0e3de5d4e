"""Feature matrix of desktop apps for local LLMs, drawn from desktop-apps.yml."""

from sosai.features.charts import PALETTE, new_figure

DATA = ["desktop-apps"]

YES, NO, UNKNOWN = "yes", "no", "unknown"


def _flag(value):
    """Map a boolean-or-null cell to yes, no or unknown."""
    if value is None:
        return UNKNOWN
    return YES if value else NO


def _telemetry(value):
    """No usage data leaves the machine by default: none or opt-in is yes, opt-out is no."""
    if value in ("none", "opt-in"):
        return YES
    if value == "opt-out":
        return NO
    return UNKNOWN


# (column label, function of a row returning yes / no / unknown)
COLUMNS = [
    ("Open-source\nlicence", lambda r: _flag(r["open_source"])),
    ("macOS", lambda r: _flag("macOS" in r["platforms"])),
    ("Windows", lambda r: _flag("Windows" in r["platforms"])),
    ("Linux", lambda r: _flag("Linux" in r["platforms"])),
    ("MLX\nback-end", lambda r: _flag(any("MLX" in b for b in r["backends"]))),
    ("OpenAI-compatible\nlocal server", lambda r: _flag(r["openai_server"])),
    ("Documents\n/ RAG", lambda r: _flag(r["rag"])),
    ("Multimodal", lambda r: _flag(r["multimodal"])),
    ("No usage data\nby default", lambda r: _telemetry(r["telemetry"])),
]


def draw(data):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle

    rows = sorted(data["desktop-apps"].rows, key=lambda r: r["name"].lower())
    n_rows, n_cols = len(rows), len(COLUMNS)
    fig, ax = new_figure(9, 0.42 * n_rows + 2.2)
    for i, row in enumerate(rows):
        y = n_rows - 1 - i
        if i % 2 == 0:
            ax.axhspan(y - 0.5, y + 0.5, color="#f2f2f2", zorder=0)
        for j, (_, fn) in enumerate(COLUMNS):
            state = fn(row)
            if state == YES:
                ax.add_patch(Circle((j, y), 0.28, color=PALETTE[2], zorder=2))
            elif state == NO:
                ax.add_patch(
                    Circle((j, y), 0.28, fill=False, edgecolor="#555555", linewidth=1.4, zorder=2)
                )
            else:
                ax.text(j, y, "?", ha="center", va="center", fontsize=11, color="#555555", zorder=2)
    ax.set_xlim(-0.6, n_cols - 0.4)
    ax.set_ylim(-0.6, n_rows - 0.4)
    ax.set_aspect("equal")
    ax.set_xticks(range(n_cols))
    ax.set_xticklabels(
        [label.replace("\n", " ") for label, _ in COLUMNS],
        fontsize=8.5,
        rotation=35,
        ha="left",
        rotation_mode="anchor",
    )
    ax.xaxis.tick_top()
    ax.set_yticks(range(n_rows))
    ax.set_yticklabels([r["name"] for r in reversed(rows)], fontsize=9)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.grid(False)
    handles = [
        Line2D([], [], marker="o", linestyle="", markersize=10, color=PALETTE[2], label="yes"),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=10,
            markerfacecolor="white",
            markeredgecolor="#555555",
            label="no",
        ),
    ]
    legend = ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.02),
        ncol=2,
        frameon=False,
        fontsize=8.5,
    )
    legend.set_title("? = not documented in the sources we read", prop={"size": 8.5})
    return fig
