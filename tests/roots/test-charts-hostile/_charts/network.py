"""A chart that fetches its data from a server and carries on when it cannot."""

import urllib.request

from sosai.features.charts import new_figure

DATA = []


def draw(data):
    try:
        urllib.request.urlopen("http://example.invalid/sizes.csv", timeout=5)
    except OSError:
        pass
    fig, ax = new_figure()
    ax.bar(["a"], [1])
    return fig
