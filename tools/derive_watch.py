"""Fill each data row's ``watch`` from the row's own sources, never from memory.

Usage::

    python tools/derive_watch.py           # show what it would add, and the counts
    python tools/derive_watch.py --write   # add the watch lines to _data/*.yml

``tools/upstream_watch.py`` follows the GitHub repository and the Hugging Face
organisation named in a row's ``watch`` (``common.schema.json#/$defs/watch``). Only tables
whose schema has a ``watch`` property are filled: software (whose repositories publish
releases) and models (whose publishers publish checkpoints). The rules:

- A row's URLs are its URL sources and the ``url`` of each bib key it cites.
- **github**: a URL that is a repository's home page (``github.com/owner/repo``) or
  its releases (``/releases…``). A link into the repository (a file, a folder, a pull
  request) is not enough: rows cite documentation repositories, registries that list
  many projects (MTEB's model folder for every embedding model) and other projects'
  files too.
- **huggingface**: a URL of a model or of an organisation on ``huggingface.co``
  (``huggingface.co/org/model…``), not of the site's own sections (docs, blog, datasets,
  spaces, papers…).
- A row gets a key only when exactly one repository (or organisation) qualifies; with
  several it is listed as ambiguous, for a person to choose from its sources. A row that
  already has ``watch`` is left as it is.

``--write`` inserts one line, ``watch: {github: "owner/repo"}``, just above the row's
``as_of``, so comments and formatting stay as they are.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "_data"
BIB = ROOT / "references.bib"
WATCH = "watch"

GITHUB = re.compile(
    r"^https?://(?:www\.)?github\.com/(?P<owner>[A-Za-z0-9][A-Za-z0-9-]*)/"
    r"(?P<repo>[A-Za-z0-9._-]+?)(?:\.git)?(?P<rest>/.*)?$"
)
REPOSITORY_PAGES = re.compile(r"^/?$|^/releases(/|$)")  # the home page, the releases
GITHUB_NOT_OWNERS = {"orgs", "features", "topics", "sponsors", "marketplace", "apps", "settings"}
HUGGING_FACE = re.compile(
    r"^https?://huggingface\.co/(?P<org>[A-Za-z0-9][A-Za-z0-9._-]*)(?:[/?#]|$)"
)
HUGGING_FACE_SECTIONS = {
    "api", "blog", "changelog", "chat", "collections", "datasets", "docs", "enterprise",
    "hardware", "join", "learn", "login", "models", "new", "organizations", "papers",
    "posts", "pricing", "privacy", "search", "settings", "spaces", "tasks", "terms-of-service",
}  # fmt: skip


def github_repository(url: str) -> str | None:
    """``owner/repo`` if ``url`` is a repository's home page, a folder in it or its releases."""
    found = GITHUB.match(url.split("#", maxsplit=1)[0].split("?", maxsplit=1)[0])
    if not found or found["owner"].lower() in GITHUB_NOT_OWNERS:
        return None
    if not REPOSITORY_PAGES.match(found["rest"] or ""):
        return None
    return f"{found['owner']}/{found['repo']}"


def hugging_face_organisation(url: str) -> str | None:
    """The organisation (or user) of a model or organisation page on huggingface.co."""
    found = HUGGING_FACE.match(url)
    if not found or found["org"].lower() in HUGGING_FACE_SECTIONS:
        return None
    return found["org"]


def distinct(values: list[str]) -> list[str]:
    """Values without repeats, ignoring case (GitHub and Hugging Face names ignore it)."""
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.lower(), value)
    return list(seen.values())


@dataclass
class Derived:
    """What a row's sources say it should watch, and what they leave undecided."""

    watch: dict[str, str] = field(default_factory=dict)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)


def derive(sources: list[str], urls: dict[str, str]) -> Derived:
    """The ``watch`` a row's sources give: each key only where one candidate qualifies."""
    links = [s if s.startswith(("http://", "https://")) else urls.get(s, "") for s in sources]
    candidates = {
        "github": distinct([r for url in links if (r := github_repository(url))]),
        "huggingface": distinct([o for url in links if (o := hugging_face_organisation(url))]),
    }
    derived = Derived()
    for key, found in candidates.items():
        if len(found) == 1:
            derived.watch[key] = found[0]
        elif found:
            derived.ambiguous[key] = found
    return derived


def watch_line(watch: dict[str, str]) -> str:
    """The YAML for a row's watch, on one line: ``watch: {github: "o/r"}``."""
    return f"{WATCH}: {{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in watch.items()) + "}"


def insert_watch(text: str, watches: dict[int, dict[str, str]]) -> str:
    """The data file with a watch line above the ``as_of`` of each row index in ``watches``."""
    tree = yaml.compose(text, Loader=yaml.SafeLoader)
    lines = text.splitlines(keepends=True)
    inserts = []
    for index, watch in watches.items():
        keys = {k.value: k for k, _ in tree.value[index].value}
        as_of = keys["as_of"].start_mark
        inserts.append((as_of.line, " " * as_of.column + watch_line(watch) + "\n"))
    for line, new in sorted(inserts, reverse=True):  # bottom up: earlier lines keep their place
        lines.insert(line, new)
    return "".join(lines)


def watched_tables(folder: Path) -> list[Path]:
    """The data files whose schema has a ``watch`` property."""
    tables = []
    for path in sorted(folder.glob("*.yml")):
        schema = json.loads((folder / "schema" / f"{path.stem}.schema.json").read_text("utf-8"))
        if WATCH in schema.get("items", {}).get("properties", {}):
            tables.append(path)
    return tables


def bib_urls(bib: Path) -> dict[str, str]:
    """Each bib key's ``url``."""
    entries = parse_file(str(bib)).entries
    return {key: str(e.fields["url"]) for key, e in entries.items() if "url" in e.fields}


def main(argv: list[str]) -> int:
    """Print the watch each row would get (and write it with ``--write``), then the counts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="add the watch lines to the files")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="the data folder")
    parser.add_argument("--bib", type=Path, default=BIB, help="the bibliography")
    args = parser.parse_args(argv)
    urls = bib_urls(args.bib)
    counts = {"rows": 0, "github": 0, "huggingface": 0, "kept": 0, "ambiguous": 0}
    for path in watched_tables(args.data):
        text = path.read_text(encoding="utf-8")
        rows = yaml.load(text, Loader=yaml.SafeLoader)
        new: dict[int, dict[str, str]] = {}
        for index, row in enumerate(rows):
            counts["rows"] += 1
            if WATCH in row:
                counts["kept"] += 1
                continue
            derived = derive(row.get("sources", []), urls)
            for key, found in derived.ambiguous.items():
                counts["ambiguous"] += 1
                print(f"{path.stem}: {row['id']}: several {key} candidates: {', '.join(found)}")
            if derived.watch:
                new[index] = derived.watch
                for key in derived.watch:
                    counts[key] += 1
                print(f"{path.stem}: {row['id']}: {watch_line(derived.watch)}")
        if new and args.write:
            path.write_text(insert_watch(text, new), encoding="utf-8")
    print(
        f"{counts['github']} github and {counts['huggingface']} huggingface watches derived "
        f"for {counts['rows']} rows in watched tables; {counts['kept']} rows already watched; "
        f"{counts['ambiguous']} left for a person (several candidates)"
        + ("" if args.write else "; nothing written (use --write)")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
