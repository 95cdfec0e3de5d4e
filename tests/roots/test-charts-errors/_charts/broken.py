"""A chart script with a bug."""

DATA = ["sizes"]


def draw(data):
    return data["sizes"].rows[0]["no_such_field"]
