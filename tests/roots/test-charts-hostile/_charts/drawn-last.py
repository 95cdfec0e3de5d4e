"""Memory to hold each model's weights at 16 and 4 bits per parameter."""

from sosai.features.charts import new_figure

DATA = ["sizes"]


def draw(data):
    rows = data["sizes"].rows
    fig, ax = new_figure(6, 3)
    names = [r["name"] for r in rows]
    ax.bar(names, [r["params_b"] * 2 for r in rows], label="BF16")
    ax.bar(names, [r["params_b"] * 0.5 for r in rows], label="4-bit")
    ax.set_ylabel("GB")
    ax.legend()
    return fig
