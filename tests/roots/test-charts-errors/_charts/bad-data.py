"""A chart reading a data file that breaks its schema."""

DATA = ["broken"]


def draw(data):
    raise AssertionError("never drawn")
