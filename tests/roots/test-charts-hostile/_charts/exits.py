"""A chart that exits with success before drawing."""

import sys

DATA = ["sizes"]


def draw(data):
    rows = data["sizes"].rows
    sys.exit(0)
    return rows
