"""Size against quality loss of GGUF quantisations of Llama 3 8B (llama.cpp's scoreboard, log y)."""

from sosai.features.charts import PALETTE, new_figure

DATA = ["precisions"]
FP16_GIB = 14.97  # the FP16 file in the same scoreboard, drawn as a reference line
# Label offsets (points) where the default would collide with a neighbour.
OFFSETS = {"GGUF IQ4_XS": (-42, -4), "GGUF Q4_0": (6, 5), "GGUF Q4_K_M": (6, -8)}


def draw(data):
    rows = [r for r in data["precisions"].rows if r["llama3_8b_kld"] is not None]
    fig, ax = new_figure(8, 4.6)
    for imatrix, colour, marker, label in (
        (False, PALETTE[0], "o", "No importance matrix"),
        (True, PALETTE[1], "s", "With importance matrix (Wikitext)"),
    ):
        pts = [r for r in rows if (r["llama3_8b_imatrix"] != "none") is imatrix]
        ax.scatter(
            [r["llama3_8b_size_gib"] for r in pts],
            [r["llama3_8b_kld"] for r in pts],
            s=36,
            color=colour,
            marker=marker,
            label=label,
            zorder=3,
        )
        for r in pts:
            ax.annotate(
                r["name"].replace("GGUF ", ""),
                (r["llama3_8b_size_gib"], r["llama3_8b_kld"]),
                textcoords="offset points",
                xytext=OFFSETS.get(r["name"], (6, 3)),
                fontsize=7.5,
                color="#333333",
            )
    ax.axvline(FP16_GIB, color="#333333", linestyle=(0, (4, 3)), linewidth=1)
    ax.text(
        FP16_GIB - 0.2,
        0.0012,
        "FP16 original: 14.97 GiB",
        ha="right",
        fontsize=7.5,
        color="#333333",
    )
    ax.set_yscale("log")
    ax.set_ylim(0.0008, 4)
    ax.set_xlim(1, 16)
    ax.set_xlabel("File size of Llama 3 8B (GiB)")
    ax.set_ylabel("Mean KL divergence from FP16\n(log scale; lower is closer)")
    ax.set_title("GGUF quantisation: smaller files drift further from the original model")
    ax.legend(loc="lower left", fontsize=8, frameon=True, framealpha=1, edgecolor="#dddddd")
    return fig
