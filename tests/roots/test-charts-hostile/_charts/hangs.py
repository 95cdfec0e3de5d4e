"""A chart that never returns."""

DATA = ["sizes"]


def spin():
    while True: pass


def draw(data):
    spin()
