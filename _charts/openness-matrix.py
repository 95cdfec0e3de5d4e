"""Open-weight families: what each releases (code, data, details) and its licence category."""

from sosai.features.charts import PALETTE, new_figure

DATA = ["model-licences"]

# Licence categories, most open first; each gets one colour from the book's palette.
CATEGORIES = [
    "permissive",
    "modified permissive",
    "use-restricted",
    "community",
    "non-commercial",
]
COLOURS = dict(zip(CATEGORIES, PALETTE, strict=False))

# Columns of the matrix and how each value is drawn: a share from 0 (nothing) to 1 (all).
COLUMNS = [
    ("weights", "Weights", None),
    ("code", "Code", {"full training": 1.0, "fine-tuning": 0.67, "inference": 0.33, "none": 0.0}),
    ("data", "Training data", {"full": 1.0, "partial": 0.5, "none": 0.0}),
    (
        "training_details",
        "Training details",
        {"full recipe": 1.0, "technical report": 0.67, "model card": 0.33},
    ),
]


def share(row, key, scale):
    """0..1 for a released component; None when the table has no verified value."""
    if scale is None:  # every family in the table publishes weights
        return 1.0
    value = row.get(key)
    return None if value is None else scale[value]


def openness(row):
    """Sort key inside a category: more released components first."""
    return -sum(share(row, key, scale) or 0.0 for key, _, scale in COLUMNS)


def draw(data):
    rows = sorted(
        data["model-licences"].rows,
        key=lambda r: (CATEGORIES.index(r["category"]), openness(r), r["family"]),
    )
    fig, ax = new_figure(8, 0.24 * len(rows) + 1.8)
    step = 0.8  # horizontal spacing between matrix columns
    ax.grid(False)
    for y, row in enumerate(rows):
        colour = COLOURS[row["category"]]
        for x, (key, _, scale) in enumerate(COLUMNS):
            value = share(row, key, scale)
            if value is None:
                ax.text(x * step, y, "?", ha="center", va="center", fontsize=8, color="#555555")
                continue
            # Outline for "released at all"; the filled area grows with how much was released.
            ax.scatter(x * step, y, s=90, facecolors="white", edgecolors=colour, linewidths=1.2)
            if value > 0:
                ax.scatter(x * step, y, s=90 * value, color=colour, linewidths=0)
        label_x = len(COLUMNS) * step - 0.3
        ax.text(label_x, y, row["licence"], va="center", fontsize=7, color="#333333")
    ax.set_xticks([x * step for x in range(len(COLUMNS))])
    ax.set_xticklabels([label for _, label, _ in COLUMNS], fontsize=7, rotation=35, ha="left")
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r["family"] for r in rows], fontsize=7)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(-0.4, len(COLUMNS) * step + 3.4)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)
    handles = [
        ax.scatter([], [], s=60, color=COLOURS[c], label=c) for c in CATEGORIES if c in COLOURS
    ]
    ax.legend(
        handles=handles,
        title="Licence category",
        fontsize=7,
        title_fontsize=7,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncol=3,
        frameon=False,
    )
    ax.set_title(
        "Open-weight families: what is released, by licence category\n"
        "(full circle = all of it, ring only = none, ? = not verified)",
        fontsize=9,
    )
    return fig
