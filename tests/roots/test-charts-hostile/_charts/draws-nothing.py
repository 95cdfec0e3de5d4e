"""A chart that forgets to return its figure."""

from sosai.features.charts import new_figure

DATA = ["sizes"]


def draw(data):
    fig, ax = new_figure()
    ax.bar([r["name"] for r in data["sizes"].rows], [r["params_b"] for r in data["sizes"].rows])
