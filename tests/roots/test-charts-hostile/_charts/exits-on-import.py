"""A chart that exits as soon as it is imported: the build never imports it."""

import sys

sys.exit(0)

DATA = ["sizes"]


def draw(data):
    return None
