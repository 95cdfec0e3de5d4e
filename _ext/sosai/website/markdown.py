"""Write a Markdown copy of every page, for ``llms.txt`` and anyone who wants plain text.

A page's MyST source is no use to a reader without the build: its comparison tables
are ``data-table`` directives naming a YAML file, its citations are ``{cite}`` roles
and its cross-references are labels. So the website also publishes each page as
Markdown made from the page's *resolved* doctree, the one its HTML is written from:
tables are expanded, citations read as on the page ("(Ollama, 2026)", linked to the
References page), ``{term}`` and ``{numref}`` are links, and figures are images with
their captions. ``llms.txt`` (``sosai.website.site``) links each chapter to its copy.

Where the copy lives follows the llms.txt proposal (https://llmstxt.org/, "Proposal"):
a page's Markdown is at the page's URL with ``.md`` appended, and a URL without a file
name gets ``index.html.md``. So with the dirhtml builder the page ``…/models/`` has
``…/models/index.html.md`` (written next to ``models/index.html``) and the landing
page ``…/index.html.md``; with the html builder ``…/models.html`` has
``…/models.html.md``.

The Markdown is CommonMark with GitHub's pipe tables (and its ``[^1]`` footnotes, and
``$…$`` for math, should a page have any). It is made to be read alone: every link is
absolute (internal ones from ``html_baseurl``, which must be set), images point at the
published copies in ``_images/``, and no raw HTML is written. Markdown has no anchors,
so a link to a section, table, term or reference goes to the HTML page's anchor.

Sections become ``#`` headings by depth; admonitions and topics are block quotes
opening with their title in bold; a table is a line with its number and caption
("Table 11: …", as the page numbers it), then one line per row, each cell on one line
with ``|`` escaped; glossary and other definition lists, and the bibliography, are
lists opening with the term or label in bold. Characters that would turn text into
markup by accident (``*``, ``_`` at a word's edge, backticks, ``[``, ``]``, ``<``,
``~``, the backslash, and ``#``, ``>``, ``-``, ``+`` or ``1.`` opening a block) are
escaped. Comments, raw output, index entries, link targets, the table-of-contents
nodes and the References page's A-Z line (navigation within the HTML page) are left
out.

A node type the translator does not know is written as its plain text, and the build
warns (``sosai.website.markdown``) at its location, so nothing vanishes silently and the
strict build points at the node that needs a rule.

Files are written on ``doctree-resolved`` (in the main process, for each page the
build writes, after the other handlers have finished the doctree), so an incremental
build rewrites only the copies of the pages it rewrites. Only the website's builders
write them (``sosai.WEB_BUILDERS``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from docutils import nodes
from sphinx.locale import admonitionlabels
from sphinx.util import logging
from sphinx.util.docutils import SphinxTranslator

from sosai import __version__
from sosai.shared import WEB_BUILDERS, base_url

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

SUFFIX = ".md"
DIRECTORY_PAGE = "index.html"  # the file name llms.txt gives a URL that has none

# Kinds of rendered pieces in a frame (see MarkdownTranslator).
BLOCK, LIST, INLINE = "block", "list", "inline"

# Always escaped in text: emphasis, code, links and images, HTML and autolinks,
# strikethrough (GitHub), and the escape character itself.
ALWAYS = re.compile(r"([\\`*\[\]<~])")
# "_" makes emphasis only at the edge of a word.
EDGE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
ENTITY = re.compile(r"&(?=#?\w+;)")
# What makes a line a heading, quote, list, setext underline or thematic break.
BLOCK_START = re.compile(r"[#>+=-]")
ORDERED_START = re.compile(r"\d{1,9}(?=[.)](\s|$))")
# Characters a link destination cannot hold unescaped (CommonMark), percent-encoded.
URL_SAFE = str.maketrans({" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"})
# Classes of inline nodes followed by a space (a badge's label, then its value).
SPACED = frozenset({"sosai-badge-label"})
# Paragraphs that are navigation within the HTML page (the References A-Z line).
NAVIGATION = frozenset({"sosai-alphabet"})


def markdown_uri(target_uri: str) -> str:
    """The Markdown copy's URI for a page's (``models/`` -> ``models/index.html.md``)."""
    if not target_uri or target_uri.endswith("/"):
        return target_uri + DIRECTORY_PAGE + SUFFIX
    return target_uri + SUFFIX


def escape(text: str) -> str:
    """Text with the characters that could start inline markup escaped."""
    text = ALWAYS.sub(r"\\\1", text)
    text = EDGE_UNDERSCORE.sub(r"\\_", text)
    return ENTITY.sub(r"\\&", text)


def guard_block_start(text: str) -> str:
    """Escape what would make a block of text a heading, quote, list or rule."""
    match = ORDERED_START.match(text)
    if match:
        return f"{text[: match.end()]}\\{text[match.end() :]}"
    if BLOCK_START.match(text):
        return "\\" + text
    return text


def code_span(text: str) -> str:
    """Inline code, fenced with more backticks than any run inside."""
    text = " ".join(text.split("\n"))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def code_block(text: str, language: str = "") -> str:
    """A fenced code block, with a fence longer than any run of backticks inside."""
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence}{language}\n{text.rstrip(chr(10))}\n{fence}"


def indent(text: str, prefix: str, first: str | None = None) -> str:
    """Prefix every line (the first with ``first``); blank lines stay blank."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        lead = first if i == 0 and first is not None else prefix
        out.append(lead + line if line.strip() else lead.rstrip())
    return "\n".join(out)


def quote(text: str) -> str:
    """A block quote of ``text``."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.split("\n"))


def one_line(text: str) -> str:
    """Text on one line, runs of whitespace made one space."""
    return " ".join(text.split())


def join_blocks(parts: list[tuple[str, str]], *, tight_lists: bool = False) -> str:
    """Blocks separated by a blank line (a list straight after a line, if tight).

    Pieces of text side by side (text straight in a block element) run on.
    """
    out, previous = "", ""
    for text, kind in parts:
        if not text.strip():
            continue
        if out:
            if kind == INLINE and previous == INLINE:
                out += text
                continue
            out += "\n" if tight_lists and kind == LIST and "\n" not in out else "\n\n"
        out += text
        previous = kind
    return out


def join_items(items: list[str]) -> str:
    """List items, tight unless one of them holds more than one block."""
    loose = any("\n\n" in item for item in items)
    return ("\n\n" if loose else "\n").join(items)


class MarkdownTranslator(SphinxTranslator):
    """Render a resolved doctree as Markdown (CommonMark and GitHub pipe tables).

    The output is built on a stack of frames, one per open element that gathers
    what its children render: a block element (section body, list item, quote, table
    cell) gathers blocks, a text element (paragraph, title, emphasis, link) gathers
    inline text. Each frame holds ``(text, kind)`` pairs; when its element departs,
    the frame is popped, joined and handed to the frame below as one piece.
    """

    def __init__(self, document: nodes.document, builder: Builder, docname: str, base: str):
        """Prepare to render ``docname``'s doctree, links made absolute from ``base``."""
        super().__init__(document, builder)
        self.docname = docname
        self.base = base
        self.page_url = base + builder.get_target_uri(docname)
        self.frames: list[list[tuple[str, str]]] = [[]]
        self.depth = 0  # section depth: 1 for the page's title
        self.tables: list[dict[str, Any]] = []

    # Frames ------------------------------------------------------------------------

    def open_frame(self, node: nodes.Node) -> None:
        """Open a frame for the children of an element whose departure renders them."""
        self.frames.append([])

    # Elements whose departure renders what their children gathered.
    visit_emphasis = visit_strong = visit_title_reference = visit_reference = open_frame
    visit_title = visit_subtitle = visit_rubric = visit_caption = visit_label = open_frame
    visit_block_quote = visit_attribution = visit_topic = visit_sidebar = open_frame
    visit_line_block = visit_line = visit_figure = visit_row = visit_entry = open_frame
    visit_bullet_list = visit_enumerated_list = visit_list_item = open_frame
    visit_definition_list = visit_definition_list_item = visit_term = open_frame
    visit_classifier = visit_definition = visit_footnote = visit_citation = open_frame
    visit_field_list = visit_field = visit_field_name = visit_field_body = open_frame

    def pop(self) -> list[tuple[str, str]]:
        """Close the innermost frame and return what its element's children rendered."""
        return self.frames.pop()

    def add(self, text: str, kind: str = BLOCK) -> None:
        """Hand a rendered piece to the innermost open element."""
        self.frames[-1].append((text, kind))

    def pop_inline(self) -> str:
        """Close a text element's frame: its text on one line."""
        return "".join(text for text, _ in self.pop())

    def pop_blocks(self) -> str:
        """Close a block element's frame: its blocks, separated by blank lines."""
        return join_blocks(self.pop())

    def astext(self) -> str:
        """The whole page as Markdown."""
        return join_blocks(self.frames[0]).strip("\n") + "\n"

    # URLs --------------------------------------------------------------------------

    def url(self, node: nodes.Element) -> str | None:
        """The absolute URL a reference points at, or None."""
        if "filename" in node:  # a download: Sphinx copies it to _downloads/
            return f"{self.base}_downloads/{node['filename']}"
        if node.get("refuri"):
            return self.absolute(node["refuri"])
        if node.get("refid"):
            return f"{self.page_url}#{node['refid']}"
        return None

    def absolute(self, uri: str) -> str:
        """A URL made absolute from the page's published address, safe in Markdown."""
        return urljoin(self.page_url, uri).translate(URL_SAFE)

    def image_url(self, node: nodes.image) -> str:
        """Where the HTML build publishes an image (as ``post_process_images`` picks)."""
        uri, candidates = node["uri"], node.get("candidates", {})
        if "?" not in candidates and "*" not in candidates:
            for mimetype in self.builder.supported_image_types:
                if mimetype in candidates:
                    uri = candidates[mimetype]
                    break
        images = self.builder.env.images
        if "?" not in candidates and uri in images:
            return self.absolute(f"{self.base}{self.builder.imagedir}/{images[uri][1]}")
        return self.absolute(uri)

    def number(self, node: nodes.Element) -> str:
        """A figure's or table's number as the page shows it ("Table 3"), or ""."""
        domain = self.builder.env.get_domain("std")
        figtype = domain.get_enumerable_node_type(node)  # type: ignore[attr-defined]
        numbers = self.builder.env.toc_fignumbers.get(self.docname, {}).get(figtype, {})
        ids = [i for i in node["ids"] if i in numbers]
        if not self.config.numfig or not figtype or not ids:
            return ""
        label = self.config.numfig_format.get(figtype, "%s")
        return label % ".".join(map(str, numbers[ids[0]]))

    # Unknown nodes and nodes left out ----------------------------------------------

    def unknown_visit(self, node: nodes.Node) -> None:
        """Write a node with no rule as its text, and warn where it is."""
        name = type(node).__name__
        logger.warning(
            "Markdown copy: no rule for %s nodes, written as plain text",
            name,
            location=node,
            type="sosai",
            subtype="markdown",
        )
        text = escape(one_line(node.astext()))
        if isinstance(node, nodes.Inline) or isinstance(node.parent, nodes.TextElement):
            self.add(text, INLINE)
        else:
            self.add(guard_block_start(text))
        raise nodes.SkipNode

    def skip(self, node: nodes.Node) -> None:
        """Leave the node and its children out."""
        raise nodes.SkipNode

    visit_comment = visit_raw = visit_index = visit_toctree = skip
    visit_substitution_definition = visit_system_message = visit_meta = skip
    visit_only = visit_colspec = visit_pending = visit_decoration = skip

    def visit_target(self, node: nodes.target) -> None:
        """A link target is no text (an inline one with text keeps its text)."""
        if not node.children:
            raise nodes.SkipNode

    def depart_target(self, node: nodes.target) -> None:
        """Nothing to close."""

    def pass_through(self, node: nodes.Node) -> None:
        """An element whose children are rendered in its parent's frame."""

    visit_document = depart_document = pass_through
    visit_container = depart_container = pass_through
    visit_compound = depart_compound = pass_through
    visit_glossary = depart_glossary = pass_through
    visit_legend = depart_legend = pass_through
    visit_tgroup = depart_tgroup = pass_through
    visit_generated = depart_generated = pass_through
    visit_abbreviation = depart_abbreviation = pass_through
    visit_acronym = depart_acronym = pass_through
    visit_subscript = depart_subscript = pass_through
    visit_superscript = depart_superscript = pass_through
    visit_problematic = depart_problematic = pass_through

    # Text --------------------------------------------------------------------------

    def visit_Text(self, node: nodes.Text) -> None:
        """Text, escaped, on one line."""
        self.add(escape(node.astext().replace("\n", " ")), INLINE)

    def depart_Text(self, node: nodes.Text) -> None:
        """Nothing to close."""

    def visit_inline(self, node: nodes.inline) -> None:
        """Citations, term references and badge parts: their text."""

    def depart_inline(self, node: nodes.inline) -> None:
        """A badge's label is followed by a space before its value."""
        if SPACED & set(node["classes"]):
            self.add(" ", INLINE)

    def _wrap(self, opening: str, closing: str | None = None) -> None:
        """Close an inline frame, its text between markers (spaces kept outside).

        Markup around nothing but spaces would be written as is, so it is left out.
        """
        text = self.pop_inline()
        core = text.strip()
        if not core:
            self.add(text, INLINE)
            return
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
        self.add(f"{lead}{opening}{core}{opening if closing is None else closing}{trail}", INLINE)

    def depart_emphasis(self, node: nodes.emphasis) -> None:
        """Close *emphasis*."""
        self._wrap("*")

    depart_title_reference = depart_emphasis

    def depart_strong(self, node: nodes.strong) -> None:
        """Close **strong**."""
        self._wrap("**")

    def visit_literal(self, node: nodes.literal) -> None:
        """Inline code."""
        self.add(code_span(node.astext()), INLINE)
        raise nodes.SkipNode

    def visit_math(self, node: nodes.math) -> None:
        """Inline math, as ``$…$``."""
        self.add(f"${one_line(node.astext())}$", INLINE)
        raise nodes.SkipNode

    def depart_reference(self, node: nodes.reference) -> None:
        """Close a link: ``[text](absolute URL)``, or the text without a URL."""
        url = self.url(node)
        if url is None:
            self.add(self.pop_inline(), INLINE)
        else:
            self._wrap("[", f"]({url})")

    def visit_footnote_reference(self, node: nodes.footnote_reference) -> None:
        """A footnote mark, ``[^1]``."""
        self.add(f"[^{one_line(node.astext())}]", INLINE)
        raise nodes.SkipNode

    def visit_citation_reference(self, node: nodes.citation_reference) -> None:
        """A docutils citation mark, ``[label]``, linked to its entry."""
        url = self.url(node)
        label = escape(one_line(node.astext()))
        self.add(f"\\[[{label}]({url})\\]" if url else f"\\[{label}\\]", INLINE)
        raise nodes.SkipNode

    def visit_image(self, node: nodes.image) -> None:
        """``![alt](URL)``: inline in text, else a block of its own."""
        alt = escape(one_line(node.get("alt", "")))
        image = f"![{alt}]({self.image_url(node)})"
        if isinstance(node.parent, nodes.TextElement):  # paragraphs, links
            self.add(image, INLINE)
        else:
            self.add(image)
        raise nodes.SkipNode

    # Blocks ------------------------------------------------------------------------

    def visit_section(self, node: nodes.section) -> None:
        """One level deeper."""
        self.depth += 1

    def depart_section(self, node: nodes.section) -> None:
        """One level up."""
        self.depth -= 1

    def depart_title(self, node: nodes.title) -> None:
        """A section's title is a heading; a table's its caption; others bold lines."""
        text = one_line(self.pop_inline())
        if isinstance(node.parent, nodes.table) and self.tables:
            self.tables[-1]["caption"] = text
        elif isinstance(node.parent, (nodes.section, nodes.document)):
            if text.endswith("#"):  # would be read as a closing sequence
                text = text[:-1] + "\\#"
            self.add(f"{'#' * max(1, min(self.depth, 6))} {text}")
        else:
            self.add(f"**{text}**")

    def depart_rubric(self, node: nodes.Element) -> None:
        """A rubric or subtitle: a bold line."""
        text = one_line(self.pop_inline())
        if text:
            self.add(f"**{text}**")

    depart_subtitle = depart_rubric

    def visit_paragraph(self, node: nodes.paragraph) -> None:
        """Open a paragraph (navigation within the HTML page is left out)."""
        if NAVIGATION & set(node["classes"]):
            raise nodes.SkipNode
        self.open_frame(node)

    def depart_paragraph(self, node: nodes.paragraph) -> None:
        """A paragraph on one line (in a table cell, where no line starts a block)."""
        text = one_line(self.pop_inline())
        self.add(text if isinstance(node.parent, nodes.entry) else guard_block_start(text))

    def visit_literal_block(self, node: nodes.literal_block) -> None:
        """A fenced code block with its language."""
        language = node.get("language", "")
        if language in ("default", "none", "text"):
            language = ""
        self.add(code_block(node.astext(), language))
        raise nodes.SkipNode

    visit_doctest_block = visit_literal_block

    def visit_math_block(self, node: nodes.math_block) -> None:
        """Display math between ``$$`` lines."""
        self.add(f"$$\n{node.astext().strip()}\n$$")
        raise nodes.SkipNode

    def visit_transition(self, node: nodes.transition) -> None:
        """A thematic break."""
        self.add("---")
        raise nodes.SkipNode

    def depart_block_quote(self, node: nodes.block_quote) -> None:
        """Every line of the quote behind ``>``."""
        self.add(quote(self.pop_blocks()))

    def depart_attribution(self, node: nodes.attribution) -> None:
        """The attribution, after a dash."""
        self.add(f"— {one_line(self.pop_inline())}")

    def visit_Admonition(self, node: nodes.Element) -> None:
        """Open an admonition (note, tip, a titled ``admonition``, ``seealso`` …)."""
        self.open_frame(node)
        if not isinstance(node, nodes.admonition):  # named ones have no title node
            label = admonitionlabels.get(type(node).__name__, type(node).__name__.title())
            self.add(f"**{label}**")

    def depart_Admonition(self, node: nodes.Element) -> None:
        """The admonition as a block quote opening with its title in bold."""
        self.add(quote(self.pop_blocks()))

    depart_topic = depart_sidebar = depart_block_quote

    def depart_line_block(self, node: nodes.line_block) -> None:
        """Lines joined by hard line breaks (a backslash at the end of a line)."""
        lines = [text for text, _ in self.pop()]
        self.add("\\\n".join(lines))

    def depart_line(self, node: nodes.line) -> None:
        """One line of a line block."""
        self.add(guard_block_start(one_line(self.pop_inline())), INLINE)

    # Lists -------------------------------------------------------------------------

    def depart_bullet_list(self, node: nodes.bullet_list) -> None:
        """Items marked ``-``."""
        items = [text for text, _ in self.pop()]
        self.add(join_items([indent(item, "  ", "- ") for item in items]), LIST)

    def depart_enumerated_list(self, node: nodes.enumerated_list) -> None:
        """Items numbered from the list's start, aligned under their text."""
        items = [text for text, _ in self.pop()]
        start = int(node.get("start", 1))
        marked = []
        for number, item in enumerate(items, start):
            marker = f"{number}. "
            marked.append(indent(item, " " * len(marker), marker))
        self.add(join_items(marked), LIST)

    def depart_list_item(self, node: nodes.list_item) -> None:
        """An item's blocks; a nested list follows a one-line item directly."""
        self.add(join_blocks(self.pop(), tight_lists=True))

    def depart_definition_list(self, node: nodes.definition_list) -> None:
        """Each term and its definition as a list item."""
        items = [text for text, _ in self.pop()]
        self.add(join_items([indent(item, "  ", "- ") for item in items]), LIST)

    depart_field_list = depart_definition_list

    def depart_definition_list_item(self, node: nodes.Element) -> None:
        """``**term**: definition``, further blocks of the definition below it."""
        parts = self.pop()
        terms: list[str] = []
        for text, kind in parts:
            if kind == "term" and text.strip():
                terms.append(f"**{text.strip()}**")
            elif kind == "classifier" and terms:
                terms[-1] += f" ({text})"
        head = ", ".join(terms)
        blocks = join_blocks([p for p in parts if p[1] not in ("term", "classifier")])
        self.add(f"{head}: {blocks}" if blocks else head)

    depart_field = depart_definition_list_item

    def depart_term(self, node: nodes.term) -> None:
        """A term, kept for its item."""
        self.add(one_line(self.pop_inline()), "term")

    depart_field_name = depart_term

    def depart_classifier(self, node: nodes.classifier) -> None:
        """The classifier, kept to follow its term in parentheses."""
        self.add(one_line(self.pop_inline()), "classifier")

    def depart_definition(self, node: nodes.definition) -> None:
        """The definition's blocks."""
        self.add(self.pop_blocks())

    depart_field_body = depart_definition

    # Footnotes and the bibliography ------------------------------------------------

    def depart_footnote(self, node: nodes.footnote) -> None:
        """``[^1]: text``, further blocks indented under it."""
        parts = self.pop()
        label = next((text for text, kind in parts if kind == "label"), "")
        body = join_blocks([p for p in parts if p[1] != "label"])
        self.add(indent(body, "    ", f"[^{label}]: "))

    def depart_citation(self, node: nodes.citation) -> None:
        """``- **Label**: the reference``, "Cited in …" below it."""
        parts = self.pop()
        label = next((text for text, kind in parts if kind == "label"), "")
        body = join_blocks([p for p in parts if p[1] != "label"])
        self.add(indent(f"**{label}**: {body}" if label else body, "  ", "- "))

    def depart_label(self, node: nodes.label) -> None:
        """The label, kept for its footnote or citation."""
        self.add(one_line(self.pop_inline()), "label")

    # Figures -----------------------------------------------------------------------

    def depart_figure(self, node: nodes.figure) -> None:
        """The image, then "Fig. N: caption" and any legend."""
        self.add(self.pop_blocks())

    def depart_caption(self, node: nodes.caption) -> None:
        """The caption, after its figure's (or code block's) number."""
        text = one_line(self.pop_inline())
        number = self.number(node.parent)
        self.add(f"{number}: {text}" if number else guard_block_start(text))

    # Tables ------------------------------------------------------------------------

    def visit_table(self, node: nodes.table) -> None:
        """Start collecting a table's caption and rows."""
        self.tables.append({"caption": "", "head": [], "body": [], "in_head": False})

    def depart_table(self, node: nodes.table) -> None:
        """A caption line, then a pipe table: header row, delimiter row, body rows."""
        table = self.tables.pop()
        rows = table["head"] + table["body"]
        if not rows:
            return
        width = max(len(row) for row in rows)
        head = table["head"][0] if table["head"] else [""] * width
        body = table["head"][1:] + table["body"]

        def line(cells: list[str]) -> str:
            cells = cells + [""] * (width - len(cells))
            return "| " + " | ".join(cells) + " |"

        lines = [line(head), line(["---"] * width), *(line(row) for row in body)]
        number, caption = self.number(node), table["caption"]
        if number or caption:
            self.add(f"{number}: {caption}" if number else guard_block_start(caption))
        self.add("\n".join(lines))

    def visit_thead(self, node: nodes.thead) -> None:
        """Rows from here are header rows."""
        self.tables[-1]["in_head"] = True

    def depart_thead(self, node: nodes.thead) -> None:
        """Rows from here are body rows."""
        self.tables[-1]["in_head"] = False

    visit_tbody = depart_tbody = pass_through

    def depart_row(self, node: nodes.row) -> None:
        """Keep the row's cells for the table."""
        cells = [text for text, _ in self.pop()]
        table = self.tables[-1]
        table["head" if table["in_head"] else "body"].append(cells)

    def depart_entry(self, node: nodes.entry) -> None:
        """A cell on one line (its paragraphs joined), ``|`` escaped; spans padded."""
        text = one_line(" ".join(text for text, _ in self.pop())).replace("|", "\\|")
        self.add(text, "cell")
        for _ in range(int(node.get("morecols", 0))):
            self.add("", "cell")


def page_markdown(app: Sphinx, doctree: nodes.document, docname: str) -> str:
    """A page's Markdown, from its resolved doctree."""
    base = base_url(app.config)
    translator = MarkdownTranslator(doctree, app.builder, docname, base)
    doctree.walkabout(translator)
    return translator.astext()


def write_markdown(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Write the page's Markdown copy next to its HTML (``models/index.html.md``)."""
    if app.builder.name not in WEB_BUILDERS or base_url(app.config) is None:
        return
    path = Path(app.outdir) / markdown_uri(app.builder.get_target_uri(docname))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page_markdown(app, doctree, docname), encoding="utf-8")


def setup(app: Sphinx) -> ExtensionMetadata:
    """Write each page's Markdown copy once the other handlers have finished its doctree."""
    app.connect("doctree-resolved", write_markdown, priority=900)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
