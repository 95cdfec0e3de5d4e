"""Readers' basics in the built book: URLs, sitemap, meta tags, 404, dates, buttons."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from sosai.website.site import Summaries
from tests.conftest import BOOK, chapters

if TYPE_CHECKING:
    from collections.abc import Iterator

CHAPTERS = chapters()
# An address anywhere in a file's bytes: name@host.tld (``icon@2x.png`` is not one:
# a top-level domain is letters only, and ``png`` is none, so that is allowed for).
EMAIL = re.compile(rb"[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
NOT_EMAIL = re.compile(rb"@\d+x\.(?:png|jpe?g|webp|svg|avif)$")
INVENTORY_HEADER_LINES = 4


def url_of(book, docname: str) -> str:
    base = book.build.env.config.html_baseurl
    return base if docname == "index" else f"{base}{docname}/"


def page_of(docname: str) -> str:
    return "index.html" if docname == "index" else f"{docname}/index.html"


def test_base_url_is_set_once_and_ends_with_a_slash(built_book):
    assert built_book.build.env.config.html_baseurl.endswith("/")


@pytest.mark.parametrize("docname", CHAPTERS)
def test_canonical_and_og_url_are_the_dirhtml_urls(built_book, docname):
    head = built_book.html(page_of(docname)).head
    assert head.select_one("link[rel=canonical]")["href"] == url_of(built_book, docname)
    assert head.select_one("meta[property='og:url']")["content"] == url_of(built_book, docname)


@pytest.mark.parametrize("docname", CHAPTERS)
def test_every_page_has_description_and_opengraph_tags(built_book, docname):
    head = built_book.html(page_of(docname)).head
    description = head.select_one("meta[name=description]")["content"]
    assert len(description) > 40
    assert head.select_one("meta[property='og:description']")["content"] == description
    assert head.select_one("meta[property='og:title']")["content"]
    assert head.select_one("meta[property='og:site_name']")["content"] == "State of Open Source AI"


def test_sitemap_lists_every_page_with_its_last_commit_date(built_book):
    tree = ET.parse(built_book.outdir / "sitemap.xml")
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    urls = {
        url.findtext(f"{namespace}loc"): url.findtext(f"{namespace}lastmod")
        for url in tree.iter(f"{namespace}url")
    }
    assert set(urls) == {url_of(built_book, docname) for docname in CHAPTERS}
    for lastmod in urls.values():
        assert re.fullmatch(r"20\d\d-\d\d-\d\d", lastmod)


def test_404_page_works_at_any_depth(built_book):
    prefix = urlsplit(built_book.build.env.config.html_baseurl).path
    for page in ("404.html", "404/index.html"):
        soup = built_book.html(page)
        assert soup.select_one("article h1").get_text(strip=True).startswith("Page not found")
        local = [
            tag.get("href") or tag.get("src")
            for tag in soup.select("link[href], script[src], a[href], img[src]")
        ]
        relative = [
            u
            for u in local
            if u and not urlsplit(u).scheme and not u.startswith(("#", prefix, "//"))
        ]
        assert relative == [], "links on the 404 page must not depend on its URL"
        description = soup.select_one('meta[name="description"]')["content"]
        assert (
            description
            == built_book.html("index.html").select_one('meta[name="description"]')["content"]
        )  # the book's own, for a page with no paragraph of its own


@pytest.mark.parametrize("docname", CHAPTERS)
def test_every_page_says_when_it_was_last_updated(built_book, docname):
    footer = built_book.html(page_of(docname)).select_one("footer.bd-footer-content")
    assert re.search(r"Last updated on \d{1,2} \w+ 20\d\d", footer.get_text(" ", strip=True))


@pytest.mark.parametrize("docname", CHAPTERS)
def test_edit_repository_and_theme_buttons(built_book, docname):
    soup = built_book.html(page_of(docname))
    repo = built_book.build.env.config.html_theme_options["repository_url"]
    assert soup.select_one(f"a[href^='{repo}/edit/main/{docname}.md']")
    assert soup.select_one(f"a[href='{repo}']")
    assert soup.select_one("button.theme-switch-button")


def test_no_analytics_or_trackers(built_book):
    trackers = re.compile(r"googletagmanager|google-analytics|gtag\(|plausible\.io|matomo|hotjar")
    found = []
    for page in built_book.pages():
        for script in built_book.html(page).select("script"):
            if trackers.search(script.get("src", "") + script.get_text()):
                found.append(page)
    assert found == []


def test_footer_states_both_licences(built_book):
    text = built_book.html("index.html").select_one("footer.bd-footer-content").get_text()
    assert "CC-BY-4.0" in text
    assert "Apache-2.0" in text


def test_index_offers_codespaces_and_bibtex(built_book):
    index = built_book.html("index.html")
    assert index.select_one("a[href^='https://codespaces.new/']")
    bibtex = index.select_one("div.highlight-bibtex pre").get_text()
    assert bibtex.startswith("@book{sosai-2026,")
    assert f"url = {{{built_book.build.env.config.html_baseurl}}}" in bibtex
    assert ("doi = {" in bibtex) == bool(built_book.build.env.config.sosai_doi)


def test_pages_load_only_the_assets_they_use(built_book):
    chapters = [page_of(d) for d in CHAPTERS]
    html = {page: (built_book.outdir / page).read_text() for page in chapters}
    assert [p for p in chapters if "design-tabs.js" in html[p]] == []
    assert [p for p in chapters if "pygments.css" in html[p]] == [
        p for p in chapters if "highlight-" in html[p]
    ]
    assert [p for p in chapters if "sphinx-design.min.css" in html[p]] == [
        p for p in chapters if re.search(r'class="[^"]*\bsd-', html[p])
    ]


def test_no_script_holds_up_the_first_paint(built_book):
    for docname in CHAPTERS:
        head = built_book.html(page_of(docname)).head
        blocking = [
            script["src"]
            for script in head.select("script[src]")
            if not script.has_attr("defer") and not script.has_attr("async")
        ]
        assert blocking == [], docname
    # The search page's scripts expect Sphinx's to have run already: left as they are.
    search = built_book.html("search/index.html").head
    assert search.select_one("script[src*='documentation_options.js']:not([defer])")


def test_figures_load_lazily_on_the_website(built_book):
    images = [
        img for docname in CHAPTERS for img in built_book.html(page_of(docname)).select("img")
    ]
    assert len(images) >= 10
    assert [img["src"] for img in images if img.get("loading") != "lazy"] == []


def test_no_empty_general_index_page(built_book):
    # The book has no index entries, so Sphinx's genindex page would be empty.
    assert not (built_book.outdir / "genindex").exists()
    assert "genindex" not in (built_book.outdir / "index.html").read_text(encoding="utf-8")


def test_static_folder_holds_no_templates_or_unloaded_theme_scripts(built_book):
    static = built_book.outdir / "_static"
    assert list(static.rglob("*.html")) == []
    assert not (static / "locales").exists()
    pages = "".join(p.read_text(encoding="utf-8") for p in built_book.outdir.rglob("*.html"))
    unused = [p.name for p in (static / "scripts").glob("*.js") if p.name not in pages]
    assert unused == []


def test_every_data_file_is_published_as_csv_and_json(built_book):
    names = sorted(p.stem for p in (BOOK / "_data").glob("*.yml"))
    published = sorted(p.stem for p in (built_book.outdir / "data").glob("*.csv"))
    assert published == names
    beside = {"catalogue", "catalogue.schema", "changes"}  # sosai.features.catalogue's
    json_files = {p.stem for p in (built_book.outdir / "data").glob("*.json")}
    assert sorted(json_files - beside) == names
    assert beside <= json_files


def test_downloads_give_every_source_a_url(built_book):
    missing = []
    for path in sorted((built_book.outdir / "data").glob("*.json")):
        if not (BOOK / "_data" / f"{path.stem}.yml").is_file():
            continue  # the catalogue's files (tests/test_book.py checks them)
        document = json.loads(path.read_text(encoding="utf-8"))
        for row in document["rows"]:
            if "sources" in row:
                urls = row["source_urls"]
                assert len(urls) == len(row["sources"])
                missing += [f"{path.stem}/{row.get('id')}" for u in urls if not u.startswith("h")]
    assert missing == []


def test_llms_txt_links_every_chapter_markdown_in_order(built_book):
    text = (built_book.outdir / "llms.txt").read_text(encoding="utf-8")
    assert text.startswith("# State of Open Source AI\n\n> ")
    base = built_book.build.env.config.html_baseurl
    chapters = text.split("## Chapters\n")[1].split("\n## ")[0]
    links = re.findall(r"^- \[[^\]]+\]\(([^)]+)\): .{40,}$", chapters, flags=re.MULTILINE)
    pages = [link.removeprefix(base) for link in links]
    # llmstxt.org: the page's URL plus "index.html.md" when it has no file name.
    wanted = [url_of(built_book, name).removeprefix(base) + "index.html.md" for name in CHAPTERS]
    assert pages == wanted
    assert all((built_book.outdir / page).is_file() for page in pages)
    assert "_sources" not in text


def test_index_table_of_contents_lists_every_chapter(built_book):
    table = built_book.html("index.html").select_one("table#tbl-index-contents")
    assert table is not None
    linked = {a["href"].strip("/").removeprefix("./") for a in table.select("tbody a[href]")}
    assert linked == {d for d in CHAPTERS if d != "index"}
    for row in table.select("tbody tr"):
        assert len(row.select("td")[1].get_text(strip=True)) > 20  # a line saying what it answers


def sitemap_urls(outdir: Path) -> list[str]:
    tree = ET.parse(outdir / "sitemap.xml")
    return [loc.text for loc in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]


@pytest.mark.sphinx("dirhtml", testroot="site")
def test_sitemap_stays_whole_after_an_incremental_build(make_app, app_params):
    srcdir = app_params[1]["srcdir"]
    app = make_app("dirhtml", srcdir=srcdir, freshenv=True)
    app.build()
    every_page = [
        "https://example.org/book/",
        "https://example.org/book/first/",
        "https://example.org/book/second/",
    ]
    assert sitemap_urls(app.outdir) == every_page
    page = Path(srcdir) / "second.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    app = make_app("dirhtml", srcdir=srcdir)
    written: list[str] = []
    app.connect("html-page-context", lambda app, pagename, *args: written.append(pagename))
    app.build()
    assert "first" not in written  # the build was incremental
    assert "second" in written
    assert sitemap_urls(app.outdir) == every_page


def test_tab_titles_name_the_page_then_the_book_once(built_book):
    titles = {
        page: built_book.html(page).select_one("title").get_text()
        for page in ("index.html", "models/index.html")
    }
    assert titles == {
        "index.html": "State of Open Source AI",
        "models/index.html": "Models \u2014 State of Open Source AI",
    }


def test_descriptions_end_on_a_whole_word(built_book):
    cut = []
    for page in built_book.pages():
        tag = built_book.html(page).select_one("meta[name='description']")
        if tag and tag["content"].endswith("…"):
            last = tag["content"][:-1].split()[-1]
            source = built_book.html(page).select_one("article").get_text(" ")
            if not re.search(rf"\b{re.escape(last)}\b", source):
                cut.append(f"{page}: …{last}")
    assert cut == []


def test_404_page_offers_search_and_every_chapter(built_book):
    page = built_book.html("404.html")
    base = urlsplit(built_book.build.env.config.html_baseurl).path
    form = page.select_one("article form[role='search']")
    assert form["action"] == f"{base}search/"
    assert form.select_one("input[name='q']")
    listed = [a["href"] for a in page.select("article nav.sosai-not-found-chapters a")]
    assert listed == [f"{base}{d}/" for d in chapters()[1:]]


def test_data_page_lists_every_table_with_its_downloads_and_pages(built_book):
    page = built_book.html("datasets/index.html")
    items = page.select("ul.sosai-data-catalogue > li")
    names = sorted(p.stem for p in (BOOK / "_data").glob("*.yml"))
    assert len(items) == len(names)
    for name, item in zip(names, items, strict=True):
        text = item.get_text(" ", strip=True)
        assert f"({name}:" in text
        links = [a["href"] for a in item.select("p.sosai-downloads a")]
        assert links == [f"../data/{name}.csv", f"../data/{name}.json"]
        assert all((built_book.outdir / "data" / link.split("/")[-1]).is_file() for link in links)
        assert item.select("a.reference.internal[href^='../']"), f"{name}: shown on no page"
    models = next(i for i in items if "(models:" in i.get_text())
    assert models.select_one("a[href='../models/']")


def published_contents(book) -> Iterator[tuple[str, bytes]]:
    """Every published file's bytes, with archives opened and the PDF's text extracted.

    The EPUB's members are read one by one and Sphinx's inventory (``objects.inv``) is
    decompressed, since an address would not be visible in their compressed bytes.
    """
    for path in sorted(p for p in book.outdir.rglob("*") if p.is_file()):
        name = path.relative_to(book.outdir).as_posix()
        data = path.read_bytes()
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as epub:
                for member in epub.namelist():
                    yield f"{name}!{member}", epub.read(member)
        elif path.suffix == ".inv":  # four header lines, then zlib
            *header, compressed = data.split(b"\n", INVENTORY_HEADER_LINES)
            yield name, b"\n".join([*header, zlib.decompress(compressed)])
        elif path.suffix == ".pdf":
            yield name, (book.pdf_text or "").encode()
        else:
            yield name, data


def email_addresses(data: bytes) -> set[str]:
    """The email addresses in some bytes (see :data:`EMAIL`)."""
    return {m.decode() for m in EMAIL.findall(data) if not NOT_EMAIL.search(m)}


def test_email_addresses_are_recognised():
    text = b"x Ada <ada.l+book@mail.example.org> and 12+ada@users.noreply.github.com; logo@2x.png"
    assert email_addresses(text) == {
        "ada.l+book@mail.example.org",
        "12+ada@users.noreply.github.com",
    }
    assert email_addresses(b"@media print; user@localhost; npm i pkg@1.2.3") == set()


def test_no_published_file_contains_an_email_address(built_book):
    """Not in the pages, data downloads, feed, sitemap, llms.txt, EPUB, PDF or assets."""
    found, kinds = {}, set()
    for name, data in published_contents(built_book):
        kinds.add(Path(name.split("!")[0]).suffix or Path(name).name)
        if addresses := email_addresses(data):
            found[name] = sorted(addresses)
    assert found == {}
    assert {".html", ".csv", ".json", ".txt", ".xml", ".epub", ".js", ".inv"} <= kinds


def llms_summaries(outdir: Path) -> dict[str, str]:
    """llms.txt's chapter lines: page URL -> its summary."""
    found = {}
    for line in (Path(outdir) / "llms.txt").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"- \[[^\]]+\]\(([^)]+)\): (.*)", line):
            found[match.group(1)] = match.group(2)
    return found


@pytest.mark.sphinx("dirhtml", testroot="site")
def test_page_summaries_survive_parallel_and_incremental_builds(make_app, app_params):
    """Summaries are kept per page (sosai.shared.PageRecords, an EnvironmentCollector)."""
    srcdir = Path(app_params[1]["srcdir"])
    second = "https://example.org/book/second/index.html.md"
    first = "https://example.org/book/first/index.html.md"
    app = make_app("dirhtml", srcdir=srcdir, freshenv=True, parallel=2)
    app.build()
    before = llms_summaries(app.outdir)
    assert before[second] == "The second page of this small site, long enough to be summarised."
    assert before[first]  # read by the other parallel reader, merged
    page = srcdir / "second.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("The second page", "The rewritten page"),
        encoding="utf-8",
    )
    app = make_app("dirhtml", srcdir=srcdir)
    app.build()
    after = llms_summaries(app.outdir)
    assert after[second].startswith("The rewritten page of this small site")  # read again
    assert after[first] == before[first]  # kept from the last build, not read again
    page.unlink()
    (srcdir / "index.md").write_text(
        (srcdir / "index.md").read_text(encoding="utf-8").replace("second\n", ""),
        encoding="utf-8",
    )
    app = make_app("dirhtml", srcdir=srcdir)
    app.build()
    assert "second" not in Summaries.of(app.env)  # a removed page's record goes with it
