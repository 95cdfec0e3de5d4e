"""A chart that raises KeyboardInterrupt."""

DATA = ["sizes"]


def draw(data):
    raise KeyboardInterrupt
