"""Publish only the rules of the theme's stylesheet that the book's pages can use.

pydata-sphinx-theme ships one stylesheet (about 400 KB, 65 KB compressed) with all of
Bootstrap and Font Awesome's 2,000 icon classes; the book's pages use a tenth of it,
and a browser must load all of it before it draws anything. At the end of a build,
each stylesheet in ``sosai_css_subset`` (paths under ``_static``) is parsed with
tinycss2 and written again with only:

- the selectors whose classes and ids all occur in the built pages (``class`` and
  ``id`` attributes) or as a word in a published script (so classes that scripts add
  later, such as Bootstrap's ``show``, are kept);
- every at-rule other than ``@media``, ``@supports`` and ``@layer`` (whose contents are
  filtered the same way), except the Font Awesome ``@font-face`` rules:
  ``_static/icons.css`` draws the book's icons without the font.

Selectors are judged by their own classes and ids; those inside ``:not()``, ``:is()``
and other functions are ignored, which keeps more rather than less. The stylesheet's
source map no longer matches and is removed.

A local ``@import`` (such as the theme's ``styles/theme.css``, which only imports
Sphinx's ``basic.css``) is replaced by the rules it imports, their relative ``url()``
references rebased, so a browser does not discover a second stylesheet only after
the first has arrived. Nothing to write in MyST.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
from pathlib import Path
from typing import TYPE_CHECKING

import tinycss2
from sphinx.util import logging

from sosai import __version__
from sosai.shared import WEB_BUILDERS, cache_key, load_kept

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

NESTING_AT_RULES = frozenset({"media", "supports", "layer", "container"})
ATTRIBUTE = re.compile(r'\b(?:class|id)="([^"]*)"')
WORD = re.compile(r"[A-Za-z_][\w-]*")
SOURCE_MAP = re.compile(r"/\*#\s*sourceMappingURL=[^*]*\*/")
URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)""")


def names_in_use(site: Path, cache_file: Path | None = None) -> set[str]:
    """Every class and id in the site's pages, and every word of its scripts.

    With ``cache_file``, each file's names are kept there with its size and time of
    change, and only files written since are read again (an incremental build
    rewrites two or three of the pages).
    """
    cached: dict[str, tuple[int, int, frozenset[str]]] = {}
    if cache_file is not None and cache_file.is_file():
        kept = load_kept(cache_file)
        cached = kept if isinstance(kept, dict) else {}
    found: dict[str, tuple[int, int, frozenset[str]]] = {}
    files = [(page, _page_names) for page in site.rglob("*.html")]
    files += [(script, _script_names) for script in (site / "_static").rglob("*.js")]
    for path, read_names in files:
        stat = path.stat()
        key = path.relative_to(site).as_posix()
        entry = cached.get(key)
        if entry is None or entry[:2] != (stat.st_mtime_ns, stat.st_size):
            entry = (stat.st_mtime_ns, stat.st_size, read_names(path))
        found[key] = entry
    if cache_file is not None and found != cached:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_bytes(pickle.dumps(found))
    return set().union(*(names for _, _, names in found.values()))


def _page_names(page: Path) -> frozenset[str]:
    html = page.read_text(encoding="utf-8")
    return frozenset(name for value in ATTRIBUTE.findall(html) for name in value.split())


def _script_names(script: Path) -> frozenset[str]:
    return frozenset(WORD.findall(script.read_text(encoding="utf-8", errors="replace")))


def _selectors(prelude: list) -> list[list]:
    """A rule's selector list, split at its top-level commas."""
    selectors: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append([])
        else:
            selectors[-1].append(token)
    return selectors


def selector_can_match(tokens: list, names: set[str]) -> bool:
    """False if the selector needs a class or id that no page or script has."""
    previous = None
    for token in tokens:
        is_class = (
            token.type == "ident"
            and previous is not None
            and previous.type == "literal"
            and previous.value == "."
        )
        if is_class and token.value not in names:
            return False
        if token.type == "hash" and token.is_identifier and token.value not in names:
            return False
        previous = token
    return True


def _is_icon_font(rule: tinycss2.ast.AtRule) -> bool:
    return rule.lower_at_keyword == "font-face" and "Font Awesome" in tinycss2.serialize(
        rule.content or []
    )


def subset_rules(rules: Iterable, names: set[str]) -> list:
    """The rules (tinycss2 nodes) that can apply, with unusable selectors removed."""
    kept = []
    comma = tinycss2.ast.LiteralToken(0, 0, ",")
    for rule in rules:
        if rule.type == "qualified-rule":
            usable = [s for s in _selectors(rule.prelude) if selector_can_match(s, names)]
            if usable:
                rule.prelude = [t for i, s in enumerate(usable) for t in [comma] * bool(i) + s]
                kept.append(rule)
        elif rule.type == "at-rule" and rule.lower_at_keyword in NESTING_AT_RULES:
            if rule.content is None:  # "@layer a, b;" declares an order: keep it
                kept.append(rule)
                continue
            inner = subset_rules(
                tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True),
                names,
            )
            if inner:
                rule.content = inner
                kept.append(rule)
        elif rule.type == "at-rule" and not _is_icon_font(rule):
            kept.append(rule)
    return kept


def subset_stylesheet(css: str, names: set[str]) -> str:
    """The stylesheet with only the rules that can apply to the pages."""
    rules = tinycss2.parse_stylesheet(
        SOURCE_MAP.sub("", css), skip_comments=True, skip_whitespace=True
    )
    return "\n".join(tinycss2.serialize([rule]) for rule in subset_rules(rules, names)) + "\n"


def _is_relative(url: str) -> bool:
    return not (url.startswith(("/", "#", "data:")) or "://" in url)


def _local_import(rule: object) -> str | None:
    """The relative URL of an ``@import`` rule with no media or layer conditions."""
    if getattr(rule, "type", None) != "at-rule" or rule.lower_at_keyword != "import":
        return None
    tokens = [t for t in rule.prelude if t.type not in ("whitespace", "comment")]
    if len(tokens) != 1:
        return None
    token = tokens[0]
    if token.type in ("string", "url"):
        url = token.value
    elif token.type == "function" and token.lower_name == "url":
        strings = [a for a in token.arguments if a.type == "string"]
        url = strings[0].value if len(strings) == 1 else ""
    else:
        return None
    return url if url and _is_relative(url) else None


def inline_imports(css: str, folder: Path, root: Path) -> str:
    """``css`` (a stylesheet in ``folder``) with its local imports replaced by their rules.

    Only files inside ``root`` are inlined; their relative ``url()`` references are
    rebased on ``folder``. Other ``@import`` rules stay as they are.
    """
    if "@import" not in css:  # most stylesheets: spare parsing them (the theme's is big)
        return css
    parts = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        url = _local_import(rule)
        imported = (folder / url).resolve() if url else None
        if imported is None or not imported.is_file() or root not in imported.parents:
            parts.append(tinycss2.serialize([rule]))
            continue
        inner = inline_imports(imported.read_text(encoding="utf-8"), imported.parent, root)
        parts.append(_rebase_urls(inner, imported.parent, folder))
    return "\n".join(parts)


def _rebase_urls(css: str, source: Path, target: Path) -> str:
    """Rewrite relative ``url()`` references in ``css`` from ``source`` to ``target``."""

    def rebase(match: re.Match) -> str:
        url = match.group(2)
        if not _is_relative(url):
            return match.group(0)
        return f'url("{Path(os.path.relpath(source / url, target)).as_posix()}")'

    return URL.sub(rebase, css)


def subset_all(app: Sphinx, exception: Exception | None) -> None:
    """Rewrite each stylesheet in ``sosai_css_subset`` in the output (``build-finished``)."""
    if exception is not None or app.builder.name not in WEB_BUILDERS:
        return
    site = Path(app.outdir)
    names = names_in_use(site, Path(app.doctreedir) / "sosai-csssubset" / "names.pickle")
    for name in app.config.sosai_css_subset:
        path = site / "_static" / name
        if not path.is_file():
            logger.warning(
                f"sosai_css_subset: no stylesheet _static/{name} in the output",
                type="sosai",
                subtype="csssubset",
            )
            continue
        static = (site / "_static").resolve()
        css = inline_imports(path.read_text(encoding="utf-8"), path.resolve().parent, static)
        subset = _cached_subset(Path(app.doctreedir), name, css, names)
        path.write_text(subset, encoding="utf-8")
        path.with_name(path.name + ".map").unlink(missing_ok=True)


def _cached_subset(cache_dir: Path, name: str, css: str, names: set[str]) -> str:
    """:func:`subset_stylesheet`, kept in the doctree folder for the next build.

    The theme copies its full stylesheets into the output on every build; parsing
    them again would cost each incremental rebuild a few tenths of a second.
    """
    key = hashlib.sha256(cache_key(__file__, packages=("tinycss2",)).encode())
    key.update(css.encode())
    key.update("\n".join(sorted(names)).encode())
    stem = name.replace("/", "-").removesuffix(".css")
    cached = cache_dir / "sosai-csssubset" / f"{stem}.{key.hexdigest()[:16]}.css"
    if cached.is_file():
        return cached.read_text(encoding="utf-8")
    subset = subset_stylesheet(css, names)
    cached.parent.mkdir(parents=True, exist_ok=True)
    for old in cached.parent.glob(f"{stem}.*.css"):  # this stylesheet's older subsets
        old.unlink()
    cached.write_text(subset, encoding="utf-8")
    return subset


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register ``sosai_css_subset`` and subset those stylesheets after each build."""
    app.add_config_value(
        "sosai_css_subset",
        ["styles/theme.css", "styles/pydata-sphinx-theme.css"],
        "html",
        types=frozenset({list}),
    )
    app.connect("build-finished", subset_all)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
