"""The real book, built once per session (strict, offline), checked in its HTML."""

from __future__ import annotations

import contextlib
import io
import json
import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jsonschema
import pybtex.database
import pytest

from sosai.features import bibstyle, data, freshness
from tests.conftest import BOOK, chapters

CHAPTERS = chapters()


def page_of(docname: str) -> str:
    """The dirhtml output file of a page."""
    return "index.html" if docname == "index" else f"{docname}/index.html"


def content_pages(book) -> list[Path]:
    """Every HTML page except Sphinx's generated index and search pages."""
    return [p for p in book.pages() if p.parts[0] != "search"]


def test_build_is_strictly_clean(built_book):
    assert built_book.build.exception is None, built_book.build.exception
    assert built_book.build.warning_lines == []


def test_build_touches_no_network(built_book):
    assert built_book.network.attempts == []  # in this process and in the guarded children
    builds = [c for c in built_book.network.children if c["guarded"][0].endswith("jupyter-book")]
    assert len(builds) == len(built_book.downloads)  # the EPUB and PDF builds were guarded


@pytest.mark.parametrize("docname", CHAPTERS)
def test_every_chapter_has_its_dirhtml_url(built_book, docname):
    html = built_book.html(page_of(docname))
    assert len(html.select("article h1")) == 1


def link_target(book, page: Path, path: str, prefix: str) -> Path:
    """The output file a link's path points at, from ``page``."""
    if path.startswith(prefix):  # absolute, as on the 404 page
        relative = path.removeprefix(prefix) or "."
    else:
        relative = posixpath.join(page.parent.as_posix(), path) if path else page.as_posix()
    target = Path(posixpath.normpath(relative))
    if path.endswith("/") or (book.outdir / target).is_dir():
        target = target / "index.html"
    return target


def test_internal_links_and_anchors_resolve(built_book):
    # The 404 page links with absolute paths under the site's path (html_baseurl).
    prefix = urlsplit(built_book.build.env.config.html_baseurl).path
    broken = []
    ids: dict[Path, set[str]] = {}

    def ids_of(path: Path) -> set[str]:
        if path not in ids:
            ids[path] = {tag["id"] for tag in built_book.html(path).select("[id]")}
        return ids[path]

    for page in built_book.pages():
        for link in built_book.html(page).select("a[href]"):
            href = link["href"]
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//"):
                continue
            target = link_target(built_book, page, unquote(parts.path), prefix)
            if target.suffix == ".pdf" and "pdf" not in built_book.downloads:
                continue  # no Chromium here to print it (CI requires one)
            if not (built_book.outdir / target).is_file():
                broken.append(f"{page}: {href} (no file)")
            elif (
                parts.fragment
                and target.suffix == ".html"
                and unquote(parts.fragment) not in ids_of(target)
            ):
                broken.append(f"{page}: {href} (no anchor)")
    assert broken == []


def test_every_image_has_alt_text(built_book):
    missing = [
        f"{page}: {img.get('src')}"
        for page in built_book.pages()
        for img in built_book.html(page).select("img")
        if not img.get("alt", "").strip()
    ]
    assert missing == []


def test_no_localhost_email_or_hotlinked_images(built_book):
    """No link or prose points at localhost or an email address (code examples may)."""
    problems = []
    for page in built_book.pages():
        soup = built_book.html(page)
        for tag in soup.select("[href], [src]"):
            target = tag.get("href") or tag.get("src")
            if any(bad in target for bad in ("localhost", "127.0.0.1", "mailto:")):
                problems.append(f"{page}: links to {target}")
        for code in soup.select("code, pre, kbd"):
            code.decompose()
        text = soup.get_text(" ")
        for needle in ("localhost", "mailto:"):
            if needle in text:
                problems.append(f"{page}: {needle} in prose")
        for img in built_book.html(page).select("img[src]"):
            if urlsplit(img["src"]).scheme:
                problems.append(f"{page}: remote image {img['src']}")
    assert problems == []


def bib_entries(built_book) -> dict[str, pybtex.database.Entry]:
    """Every entry of every bibliography file the book uses."""
    entries = {}
    for name in built_book.build.env.config.bibtex_bibfiles:
        data = pybtex.database.parse_file(BOOK / name)
        entries.update({key.lower(): entry for key, entry in data.entries.items()})
    return entries


def cited_keys(built_book) -> set[str]:
    """Every key cited anywhere in the book (text and data tables)."""
    domain = built_book.build.env.get_domain("cite")
    return {target.key.lower() for ref in domain.citation_refs for target in ref.targets}


def test_every_cited_key_exists(built_book):
    assert cited_keys(built_book) - set(bib_entries(built_book)) == set()


def test_every_bib_entry_is_cited(built_book):
    assert set(bib_entries(built_book)) - cited_keys(built_book) == set()


def test_every_bib_entry_is_complete(built_book):
    incomplete = []
    for key, entry in bib_entries(built_book).items():
        fields = {name.lower() for name in entry.fields}
        if not ({"url", "doi"} & fields):
            incomplete.append(f"{key}: no url or doi")
        if "title" not in fields or "year" not in fields:
            incomplete.append(f"{key}: needs title and year")
        if "author" not in entry.persons and "editor" not in entry.persons:
            incomplete.append(f"{key}: needs an author (people or {{{{Organisation}}}})")
        urldate = str(entry.fields.get("urldate", ""))
        if urldate and bibstyle.accessed_label(urldate) == urldate:
            incomplete.append(f"{key}: urldate {urldate!r} is not a day (YYYY-MM-DD)")
    assert incomplete == []


def test_citations_are_unambiguous_and_name_each_work_once(built_book):
    references = built_book.html(page_of("references"))
    labels = [s.get_text().strip("[]") for s in references.select("div.citation > span.label")]
    assert len(labels) == len(set(labels)), "two works share a label"
    repeated = []
    for page in content_pages(built_book):
        for citation in built_book.html(page).select("span.bibtex-citation"):
            links = [a.get("href") for a in citation.select("a")]
            if len(links) != len(set(links)):
                repeated.append(f"{page}: {citation.get_text()}")
    assert repeated == []
    assert references.select_one("p.sosai-alphabet a")


def test_no_glossary_card_shows_a_bib_key(built_book):
    keys = set(bib_entries(built_book))
    shown = []
    for page in content_pages(built_book):
        for link in built_book.html(page).select("a.sosai-term[title]"):
            words = set(re.findall(r"[a-z0-9][a-z0-9.-]*[a-z0-9]", link["title"]))
            shown += [f"{page}: {link['title'][:60]}… ({key})" for key in words & keys]
    assert shown == []


def test_every_glossary_term_is_used_in_a_chapter(built_book):
    glossary = built_book.html(page_of("glossary"))
    terms = {dt["id"]: dt for dt in glossary.select("dl.glossary dt[id]")}
    used = set()
    for page in content_pages(built_book):
        if page == Path(page_of("glossary")):
            continue
        for link in built_book.html(page).select("a[href*='#term-']"):
            used.add(link["href"].split("#", 1)[1])
    # A synonym ("X: See Y.") and its term count as one: using either uses both.
    for term_id, dt in terms.items():
        see = [
            a["href"].split("#", 1)[1]
            for a in dt.find_next_sibling("dd").select("a[href*='#term-']")
        ]
        is_synonym = dt.find_next_sibling("dd").get_text().strip().startswith("See ")
        if is_synonym and see and (term_id in used or see[0] in used):
            used.update({term_id, see[0]})
    unused = [dt.get_text(strip=True).rstrip("#") for i, dt in terms.items() if i not in used]
    assert unused == []


@pytest.mark.parametrize("docname", [d for d in CHAPTERS if d != "index"])
def test_every_chapter_ends_with_feedback_and_contributors(built_book, docname):
    article = built_book.html(page_of(docname)).select_one("article")
    footer = article.select("div.sosai-footer")
    assert len(footer) == 1
    assert footer[0].select_one("a[href*='/issues/new?']")
    assert footer[0].select_one(f"a[href$='/edit/main/{docname}.md']")
    assert (
        footer[0].select_one("p.sosai-contributors").get_text(strip=True).startswith("Written by")
    )
    assert footer[0].select_one("div.section.sosai-comments") is not None


def test_index_lists_every_contributor(built_book):
    index = built_book.html("index.html")
    names = index.select_one("p.sosai-contributors")
    assert names is not None
    assert names.get_text(strip=True)
    assert not index.select("div.sosai-footer")


def test_index_badges_are_links_without_images(built_book):
    badges = built_book.html("index.html").select("p.sosai-badges a.sosai-badge")
    labels = [b.get_text(" ", strip=True) for b in badges]
    assert not any(label.startswith("last updated") for label in labels)  # one date: the footer's
    assert any(label.startswith("commits (30 days)") for label in labels)
    assert any(label.startswith("licence CC-BY-4.0") for label in labels)
    assert any("Codespaces" in label for label in labels)
    assert not built_book.html("index.html").select("p.sosai-badges img")


def test_glossary_has_at_least_120_terms_in_alphabetical_order(built_book):
    glossary = built_book.html(page_of("glossary"))
    terms = [dt.get_text(strip=True).rstrip("#") for dt in glossary.select("dl.glossary dt")]
    assert len(terms) >= 120
    keys = [re.sub(r"[^0-9a-z]+", " ", t.casefold()).strip() for t in terms]
    assert keys == sorted(keys)


def test_every_table_says_when_each_row_was_checked_and_marks_rows_due(built_book):
    """Each row's month checked; "(due)" exactly where the table's rule has run out."""
    month = freshness.build_month()
    rule = freshness.rule(data.load(BOOK / "_data" / "models.yml"))
    tables, due_rows, changed_rows = 0, 0, 0
    for page in built_book.pages():
        for table in built_book.html(page).select("table.sosai-data-table"):
            tables += 1
            headers = [th.get_text(strip=True) for th in table.select("thead th")]
            assert "Checked" in headers, (page, table.get("id"))
            column = headers.index("Checked")
            for row in table.select("tbody tr"):
                cell = row.select("td")[column]
                # a second line, when git knows the content changed in another month
                changed = cell.select_one("span.sosai-changed")
                second = [" ".join(changed.extract().get_text().split())] if changed else []
                lines = [" ".join(cell.get_text().split()), *second]
                checked = lines[0]
                marked = "sosai-due" in row.get("class", [])
                assert checked.endswith(" (due)") == marked, (table.get("id"), checked)
                due_rows += marked
                if len(lines) > 1:
                    changed_rows += 1
                    assert re.fullmatch(r"changed \d{4}-\d{2}", lines[1]), lines
                    assert lines[1][-7:] != checked[:7], lines
            if table.get("id") == "tbl-models-llm":
                for row in table.select("tbody tr"):
                    checked = row.select("td")[column].get_text().split()[0]
                    past = freshness.is_past_due(checked, rule, month)
                    assert ("sosai-due" in row.get("class", [])) == past, checked
    assert tables >= 30
    assert changed_rows > 0  # the session builds the book's own work tree, with its history
    if due_rows:
        captions = " ".join(
            c.get_text()
            for p in built_book.pages()
            for c in built_book.html(p).select("table.sosai-data-table caption")
        )
        assert "Rows marked “due” were last checked more than" in captions


def test_the_catalogue_validates_against_its_schemas_and_the_example_runs(built_book):
    """``data/catalogue.json`` (``sosai.features.catalogue``), its changelog and feed."""
    folder = built_book.outdir / "data"
    document = json.loads((folder / "catalogue.json").read_text(encoding="utf-8"))
    schema = json.loads((folder / "catalogue.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert [error.message for error in validator.iter_errors(document)] == []
    names = sorted(p.stem for p in (BOOK / "_data").glob("*.yml"))
    assert sorted(document["tables"]) == names
    for name, table in document["tables"].items():  # each table's rows, by its own schema
        _schema, rows_validator = data._validator(folder / table["schema"].removeprefix("data/"))
        assert list(rows_validator.iter_errors(table["rows"])) == [], name
        assert len(table["rows"]) == len(data.load(BOOK / "_data" / f"{name}.yml").rows)
    published = sorted(p.name for p in (folder / "schema").glob("*.schema.json"))
    assert published == sorted(p.name for p in (BOOK / "_data" / "schema").glob("*.schema.json"))

    changes = json.loads((folder / "changes.json").read_text(encoding="utf-8"))
    assert changes, "the session builds the book's own work tree, with its history"
    assert changes == sorted(changes, key=lambda c: c["date"], reverse=True)
    feed = ET.parse(folder / "changes.xml").getroot()
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert 0 < len(entries) <= 100
    announced = [
        link["href"]
        for page in ("datasets/index.html", "models/index.html")
        for link in built_book.html(page).head.select("link[type='application/atom+xml']")
        if link["href"].endswith("data/changes.xml")
    ]
    assert announced == [f"{document['url']}data/changes.xml"]  # on the Data page only

    # The page's Python example, reading the built file instead of the published one.
    code = re.search(r"```python\n(.*?)```", (BOOK / "datasets.md").read_text(), re.DOTALL)[1]
    url = f"{document['url']}data/catalogue.json"
    assert url in code
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code.replace(url, (folder / "catalogue.json").as_uri()), {})
    assert printed.getvalue().splitlines(), "the example finds no model"
