"""A chart whose call into matplotlib raises: x and y differ in length."""

from sosai.features.charts import new_figure

DATA = ["sizes"]


def draw(data):
    fig, ax = new_figure()
    ax.plot([1, 2], [1, 2, 3])
    return fig
