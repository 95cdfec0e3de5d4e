"""Size of each thing."""

from sosai.features.charts import new_figure

DATA = ["things"]


def draw(data):
    rows = data["things"].rows
    fig, ax = new_figure(5, 3)
    ax.bar([r["name"] for r in rows], [r["size_b"] for r in rows])
    ax.set_ylabel("Parameters (billions)")
    return fig
