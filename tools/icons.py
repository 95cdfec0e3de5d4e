"""Write ``_static/icons.css``: the few Font Awesome icons the theme shows, as CSS masks.

Usage: ``python tools/icons.py`` (``tests/test_theme.py`` fails if the file is stale).

pydata-sphinx-theme ships Font Awesome as a 1.5 MB script (about 530 KB gzipped) that
turns ``<i class="fa-solid fa-bars">`` into SVG, and as web fonts (150 KB per style).
The book overrides the theme's asset macros to drop the script
(``_templates/static/webpack-macros.html``) and draws the icons the theme uses from
this stylesheet instead: each is an SVG path from the theme's own copy of Font
Awesome Free (icons licensed CC BY 4.0), used as a mask so it takes the text colour
in light and dark mode. Because the ``::before`` glyph is replaced by an empty box
and the element's font is reset, browsers never download the icon fonts. An icon
not listed here still shows, drawn by the theme's web font.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import quote

import pydata_sphinx_theme

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "_static" / "icons.css"
THEME_STATIC = Path(pydata_sphinx_theme.__file__).parent / "theme/pydata_sphinx_theme/static"
SCRIPT = THEME_STATIC / "scripts/fontawesome.js"
THEME_CSS = THEME_STATIC / "styles/pydata-sphinx-theme.css"
# Icons used by pydata-sphinx-theme and sphinx-book-theme templates and scripts.
SOLID = [
    "angle-left", "angle-right", "arrow-up", "bars", "circle-half-stroke", "code",
    "download", "expand", "file", "file-lines", "file-pdf", "house", "lightbulb", "list",
    "magnifying-glass", "moon", "outdent", "pencil", "play", "rocket", "sun", "xmark",
]  # fmt: skip
BRANDS = ["github"]
ICON = re.compile(
    r'(?:"(?P<q>[a-z0-9-]+)"|(?P<n>[a-z0-9]+)):\[(?P<w>\d+),(?P<h>\d+),'
    r'\[(?P<aliases>[^\]]*)\],"(?P<unicode>[0-9a-f]+)","(?P<path>[^"]+)"\]'
)
PACK_END = re.compile(r'd\("fa(?P<pack>[srb])",p\)')
ICON_VARIABLE = re.compile(r"--pst-icon-(?P<name>[a-z-]+):(?P<value>[^;}]+)")
CSS_RULE = re.compile(r"(?P<selectors>[^{}]+)\{(?P<body>[^{}]*)\}")
CONTENT_VARIABLE = re.compile(r"content:var\(--pst-icon-(?P<name>[a-z-]+)\)")


Icon = tuple[int, int, str, list[str], str]  # width, height, SVG path, aliases, code point


def icons() -> dict[tuple[str, str], Icon]:
    """(pack letter, name) -> icon, for every icon in the theme's Font Awesome script."""
    source = SCRIPT.read_text(encoding="utf-8")
    ends = [(m.start(), m.group("pack")) for m in PACK_END.finditer(source)]
    found = {}
    for match in ICON.finditer(source):
        pack = next((p for end, p in ends if end > match.start()), None)
        if pack is None:
            continue
        name = match.group("q") or match.group("n")
        aliases = [a.strip('"') for a in match.group("aliases").split(",") if a.startswith('"')]
        found[(pack, name)] = (
            int(match.group("w")),
            int(match.group("h")),
            match.group("path"),
            aliases,
            match.group("unicode"),
        )
    return found


PREFIXES = {"fa-solid": ("fa-solid", "fas"), "fa-brands": ("fa-brands", "fab")}


def selectors(prefix: str, name: str, aliases: list[str]) -> list[str]:
    """The CSS selectors of an icon and its aliases, with long and short style classes."""
    return [f".{p}.fa-{n}::before" for p in PREFIXES[prefix] for n in [name, *aliases]]


def mask_url(icon: Icon) -> str:
    """The icon as an SVG data URL."""
    width, height, path = icon[0], icon[1], icon[2]
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'>"
        f"<path d='{path}'/></svg>"
    )
    return "data:image/svg+xml," + quote(svg, safe=" /=:'.,-")


def rule(prefix: str, name: str, icon: Icon) -> str:
    """One CSS rule setting an icon's SVG (and its aliases') as the mask image."""
    url = mask_url(icon)
    return f'{", ".join(selectors(prefix, name, icon[3]))} {{ --sosai-icon: url("{url}"); }}'


def css_icons(table: dict[tuple[str, str], Icon]) -> list[tuple[str, Icon]]:
    """(selectors, icon) for each rule of the theme's CSS that draws a Font Awesome glyph.

    The theme sets ``content: var(--pst-icon-<name>)`` with ``font: var(--fa-font-solid)``
    on pseudo-elements (admonition titles, external links in the sidebar, downloads).
    """
    css = THEME_CSS.read_text(encoding="utf-8")
    values = {m.group("name"): m.group("value").strip() for m in ICON_VARIABLE.finditer(css)}

    def code_point(name: str) -> str | None:
        value = values.get(name, "")
        nested = re.fullmatch(r"var\(--pst-icon-([a-z-]+)\)", value)
        if nested:
            return code_point(nested.group(1))
        text = value.strip('"')
        return f"{ord(text):x}" if len(text) == 1 else None

    by_code = {icon[4]: icon for (pack, _), icon in table.items() if pack in {"s", "b"}}
    found = []
    for match in CSS_RULE.finditer(css):
        content = CONTENT_VARIABLE.search(match.group("body"))
        code = code_point(content.group("name")) if content else None
        if code in by_code:
            found.append((match.group("selectors").strip(), by_code[code]))
    return found


def css_icon_rules(found: list[tuple[str, Icon]]) -> list[str]:
    """Rules that redraw the theme's CSS icons as masks, with no icon font."""
    every = ",\n".join(selectors for selectors, _ in found)
    # A mask needs a box; the theme sizes some icons itself (admonition titles), and
    # those keep its size. (Not :where(), which EPUB readers and EPUBCheck reject.)
    css = THEME_CSS.read_text(encoding="utf-8")
    unsized = [s for s, _ in found if not sized_by_theme(css, s)]
    return [
        "/* Icons the theme's CSS draws on pseudo-elements (admonitions, links). */",
        ",\n".join(unsized) + " {",
        "  display: inline-block;",
        "  width: 1em;",
        "  height: 1em;",
        "}",
        every + " {",
        '  content: "";',
        "  font-family: inherit;",
        "  background-color: currentColor;",
        "  -webkit-mask: var(--sosai-icon) no-repeat center / contain;",
        "  mask: var(--sosai-icon) no-repeat center / contain;",
        "}",
        *(f'{selectors} {{ --sosai-icon: url("{mask_url(icon)}"); }}' for selectors, icon in found),
    ]


def sized_by_theme(css: str, selectors: str) -> bool:
    """Whether every selector in ``selectors`` has a width in a rule of the theme."""
    sized = set()
    for match in CSS_RULE.finditer(css):
        if re.search(r"(^|;)\s*width\s*:", match.group("body")):
            sized.update(s.strip() for s in match.group("selectors").split(","))
    return all(s.strip() in sized for s in selectors.split(","))


def render() -> str:
    """The whole stylesheet."""
    table = icons()
    chosen = [("fa-solid", n, table[("s", n)]) for n in SOLID]
    chosen += [("fa-brands", n, table[("b", n)]) for n in BRANDS]
    every = [sel for prefix, name, icon in chosen for sel in selectors(prefix, name, icon[3])]
    return "\n".join(
        [
            "/* Generated by tools/icons.py from the Font Awesome Free icons bundled with",
            "   pydata-sphinx-theme (icons: CC BY 4.0, https://fontawesome.com/license/free).",
            "   Do not edit; run `python tools/icons.py`. */",
            ",\n".join(every) + " {",
            '  content: "";',
            "  display: inline-block;",
            "  width: 1.1em;",
            "  height: 1em;",
            "  vertical-align: -0.125em;",
            "  background-color: currentColor;",
            "  -webkit-mask: var(--sosai-icon) no-repeat center / contain;",
            "  mask: var(--sosai-icon) no-repeat center / contain;",
            "}",
            "/* The theme sets the icon font on the element itself; browsers fetch a font",
            "   they need for line metrics even when no glyph is drawn, so undo it here. */",
            ",\n".join(sel.removesuffix("::before") for sel in every) + " {",
            "  font-family: inherit;",
            "}",
            *(rule(prefix, name, icon) for prefix, name, icon in chosen),
            *css_icon_rules(css_icons(table)),
            "",
        ]
    )


def main() -> int:
    """Write the stylesheet."""
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({len(SOLID) + len(BRANDS)} icons)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
