"""Markdown copies of the pages (``sosai.website.markdown``): on a mini-project and the book."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
import yaml
from docutils import nodes

from sosai.website import markdown
from tests.conftest import BOOK, chapters

BASE = "https://example.org/book/"
CELL_SEPARATOR = re.compile(r"(?<!\\) \| ")


def page(app, name: str = "guide/index.html.md") -> str:
    return (Path(app.outdir) / name).read_text(encoding="utf-8")


def test_markdown_uri_follows_llms_txt():
    # https://llmstxt.org/: the page's URL plus ".md"; "index.html.md" for a folder.
    assert markdown.markdown_uri("") == "index.html.md"
    assert markdown.markdown_uri("models/") == "models/index.html.md"
    assert markdown.markdown_uri("models.html") == "models.html.md"


def test_escape_keeps_text_from_becoming_markup():
    assert markdown.escape("2 * 3 `x` [a] <b> ~c~ \\") == r"2 \* 3 \`x\` \[a\] \<b> \~c\~ \\"
    assert markdown.escape("snake_case _edges_") == r"snake_case \_edges\_"
    assert markdown.escape("&amp; & co") == r"\&amp; & co"
    assert markdown.guard_block_start("# no") == r"\# no"
    assert markdown.guard_block_start("2026. A year") == r"2026\. A year"
    assert markdown.guard_block_start("- no") == r"\- no"
    assert markdown.guard_block_start("A #1 hit") == "A #1 hit"


@pytest.mark.sphinx("dirhtml", testroot="markdown")
def test_page_is_written_next_to_its_html_with_headings_by_depth(app, warning):
    app.build()
    assert warning.getvalue() == ""
    assert (Path(app.outdir) / "guide" / "index.html").is_file()
    text = page(app)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == ["# Guide", "## Install", "### Compare", "## Details"]
    assert page(app, "index.html.md").startswith("# Home\n")


@pytest.mark.sphinx("dirhtml", testroot="markdown")
def test_inline_markup_links_and_citations_are_resolved(app):
    app.build()
    first = page(app).split("\n\n")[1]
    assert first == (
        "An opening paragraph with *emphasis*, **strong** text and `inline code`, citing the"
        f" docs ([Ollama, 2026]({BASE}references/#id2)). Read the"
        " [engine docs](https://engine-a.example/docs), go back"
        f" [home]({BASE}), or see [Table 1]({BASE}guide/#tbl-engines)"
        f" and the [KV cache]({BASE}guide/#term-KV-cache)."
    )


@pytest.mark.sphinx("dirhtml", testroot="markdown")
def test_lists_code_and_admonitions(app):
    app.build()
    text = page(app)
    assert "1. Download it.\n2. Run it:\n   - on Linux;\n   - on macOS.\n" in text
    assert '```python\nprint("hello")\n```' in text
    assert "> **Note**\n>\n> Check the licence first." in text
    assert "> **Before you start**\n>\n> You need a GPU." in text
    assert "> Quoted wisdom." in text


@pytest.mark.sphinx("dirhtml", testroot="markdown")
def test_data_table_is_a_pipe_table_with_its_caption(app):
    app.build()
    lines = page(app).splitlines()
    start = lines.index("Table 1: Two engines. As of August 2026.")
    assert lines[start + 1 : start + 6] == [
        "",
        "| Engine | Licence | Notes | Checked | Sources |",
        "| --- | --- | --- | --- | --- |",
        "| Engine A | Apache-2.0 | Pipes \\| in a cell; see"
        " [its docs](https://engine-a.example/docs). | 2026-10 |"
        f" [\\[1\\] Ollama, 2026]({BASE}references/#id2) |",
        "| Engine B | MIT | Plain text. | 2026-08 |"
        " [\\[2\\] engine-b.example](https://engine-b.example/releases) |",
    ]
    # the sources' numbers, listed under the table as on the page
    assert lines[start + 7] == (
        f"Sources: \\[1\\] [Ollama, 2026]({BASE}references/#id2);"
        " \\[2\\] [engine-b.example](https://engine-b.example/releases)."
    )
    assert f"[CSV]({BASE}data/engines.csv)" in lines[start + 9]


@pytest.mark.sphinx("dirhtml", testroot="markdown")
def test_figure_footnote_glossary_and_escapes(app):
    app.build()
    text = page(app)
    assert f"![A grey square]({BASE}_images/square.svg)\n\nFig. 1: A square, for scale." in text
    assert (Path(app.outdir) / "_images" / "square.svg").is_file()
    assert r"\# not a heading, 2 \* 3 \< 4, snake_case and \_edges\_; 2026. A footnote[^1]." in text
    assert text.endswith("[^1]: Because footnotes exist.\n")
    assert "- **KV cache**: The keys and values kept for earlier tokens." in text


@pytest.mark.sphinx("dirhtml", testroot="markdown")
def test_bibliography_entries_read_as_cited(app):
    app.build()
    text = page(app, "references/index.html.md")
    assert (
        "- **Ollama, 2026**: Ollama. Ollama documentation. 2026."
        " URL: [https://ollama.example/docs](https://ollama.example/docs)."
    ) in text


@pytest.mark.sphinx("dirhtml", testroot="markdown")
def test_no_directive_role_or_html_is_left(app):
    app.build()
    for name in ("index.html.md", "guide/index.html.md", "references/index.html.md"):
        text = page(app, name)
        for leftover in ("{cite", "{term", "{numref", "data-table", ":::", "<", "```{"):
            assert leftover not in text.replace("\\<", ""), (name, leftover)


@pytest.mark.sphinx("dirhtml", testroot="markdown")
def test_llms_txt_links_every_page_to_its_markdown(app):
    app.build()
    llms = page(app, "llms.txt")
    assert f"- [Guide]({BASE}guide/index.html.md): " in llms
    assert f"- [Home]({BASE}index.html.md): " in llms
    assert "_sources" not in llms


@pytest.mark.sphinx("html", testroot="markdown")
def test_html_builder_appends_md_to_the_file_name(app):
    app.build()
    assert page(app, "guide.html.md").startswith("# Guide\n")
    assert f"[home]({BASE}index.html)" in page(app, "guide.html.md")
    assert f"({BASE}guide.html.md)" in page(app, "llms.txt")


@pytest.mark.sphinx("epub", testroot="markdown")
def test_other_builders_write_no_markdown(app):
    app.build()
    assert list(Path(app.outdir).rglob("*.md")) == []


@pytest.mark.sphinx("dirhtml", testroot="markdown")
def test_an_unknown_node_is_written_as_text_with_a_warning(app, warning):
    app.build()

    class gizmo(nodes.Element):
        pass

    doctree = app.env.get_and_resolve_doctree("guide", app.builder)
    node = gizmo("", nodes.Text("Gizmo *text*"))
    node.source, node.line = str(Path(app.srcdir) / "guide.md"), 3
    doctree.children[0] += node
    text = markdown.page_markdown(app, doctree, "guide")
    assert r"Gizmo \*text\*" in text
    assert "guide.md:3: WARNING: Markdown copy: no rule for gizmo nodes" in warning.getvalue()
    app.config.suppress_warnings = ["sosai.markdown"]  # its type and subtype
    markdown.page_markdown(app, doctree, "guide")
    assert warning.getvalue().count("no rule for gizmo") == 1


@pytest.mark.sphinx("dirhtml", testroot="markdown", srcdir="markdown-incremental")
def test_an_incremental_build_rewrites_only_the_pages_it_writes(make_app, app_params):
    srcdir = Path(app_params[1]["srcdir"])
    app = make_app("dirhtml", srcdir=srcdir, freshenv=True)
    app.build()
    copies = {
        "index": Path(app.outdir) / "index.html.md",
        "guide": Path(app.outdir) / "guide" / "index.html.md",
        "references": Path(app.outdir) / "references" / "index.html.md",
    }
    before = {name: path.stat().st_mtime_ns for name, path in copies.items()}
    guide = srcdir / "guide.md"
    guide.write_text(guide.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    app = make_app("dirhtml", srcdir=srcdir)
    written: list[str] = []
    app.connect("html-page-context", lambda app, pagename, *args: written.append(pagename))
    app.build()
    rewritten = {name for name, path in copies.items() if path.stat().st_mtime_ns != before[name]}
    assert "guide" in rewritten
    assert rewritten == set(written) & set(copies)
    assert set(copies) - rewritten  # the build was incremental
    assert page(app).endswith("One more line.\n\n---\n\n[^1]: Because footnotes exist.\n")


# The real book ------------------------------------------------------------------------


def book_markdown(book, docname: str) -> str:
    folder = "" if docname == "index" else f"{docname}/"
    return (book.outdir / f"{folder}index.html.md").read_text(encoding="utf-8")


def prose(text: str) -> str:
    """The Markdown without its code blocks (code may show anything)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def pipe_tables(text: str) -> dict[str, list[list[str]]]:
    """Each pipe table's body rows (cells unescaped), keyed by the caption line above it."""
    blocks = text.split("\n\n")
    tables = {}
    for caption, block in itertools.pairwise(blocks):
        if block.startswith("| "):
            lines = block.splitlines()
            assert re.fullmatch(r"\| --- (\| --- )*\|", lines[1])
            tables[caption] = [
                [unescape(cell) for cell in CELL_SEPARATOR.split(line[2:-2])] for line in lines[2:]
            ]
    return tables


@pytest.mark.parametrize("docname", chapters())
def test_every_chapter_opens_with_its_title(built_book, docname):
    text = book_markdown(built_book, docname)
    title = markdown.escape(built_book.build.env.titles[docname].astext())
    assert text.splitlines()[0] == f"# {title}"
    assert [line for line in prose(text).splitlines() if line.startswith("# ")] == [f"# {title}"]


@pytest.mark.parametrize("docname", chapters())
def test_no_directive_or_role_is_left_in_the_book(built_book, docname):
    text = prose(book_markdown(built_book, docname))
    for leftover in ("data-table", "{cite", "{term", "{numref", "{doc}", ":::", "```{"):
        assert leftover not in text, leftover
    outside_code = re.sub(r"(`+).*?\1", "", text)
    assert re.findall(r"(?<!\\)<", outside_code) == []  # no HTML
    # Every link is absolute, so the file works when fetched alone.
    relative = [u for u in re.findall(r"\]\(([^)]*)\)", text) if not re.match(r"https?://", u)]
    assert relative == []


def test_models_tables_are_expanded_from_the_data(built_book):
    tables = pipe_tables(book_markdown(built_book, "models"))
    rows = yaml.safe_load((BOOK / "_data" / "models.yml").read_text(encoding="utf-8"))
    llm = next(rows_ for caption, rows_ in tables.items() if "General-purpose open" in caption)
    # One line per language-model row of models.yml (the order is checked against HTML).
    assert sorted(row[0] for row in llm) == sorted(r["name"] for r in rows if r["kind"] == "llm")
    # Every row of models.yml is in one of the page's tables.
    assert {r["name"] for r in rows} <= {row[0] for table in tables.values() for row in table}
    # The same tables as the HTML page, caption by caption.
    html = built_book.html("models/index.html")
    shown = html.select("table.sosai-data-table")
    assert len(tables) == len(shown)
    for (caption, body), table in zip(tables.items(), shown, strict=True):
        number = table.select_one(".caption-number").get_text(strip=True)
        text = table.select_one(".caption-text").get_text(strip=True)
        assert unescape(caption) == f"{number}: {text}"
        names = [tr.select_one("td").get_text(" ", strip=True) for tr in table.select("tbody tr")]
        assert [row[0] for row in body] == names
        assert {len(row) for row in body} == {len(table.select("thead th"))}
