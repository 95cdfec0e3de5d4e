"""A chart whose filter leaves nothing to draw."""

from sosai.features.charts import new_figure

DATA = ["sizes"]


def draw(data):
    rows = [r for r in data["sizes"].rows if r["params_b"] > 1000]
    fig, ax = new_figure()
    ax.bar([r["name"] for r in rows], [r["params_b"] for r in rows])
    return fig
