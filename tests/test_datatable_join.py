"""``data-table``'s ``:join:`` and ``:facets:``, and joined columns in the downloads.

On ``tests/roots/test-datatable-join``: models whose ``terms`` field names a row of
``terms.yml`` (issue #19: filter models by what their licence allows).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.util.console import strip_colors

from sosai.features import data


@pytest.fixture(autouse=True)
def build_in_december_2026(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796342400")  # 2026-12-04


def the_table(app):
    soup = BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    return soup.select_one("table.sosai-data-table")


def texts(cells) -> list[str]:
    return [" ".join(cell.get_text().split()) for cell in cells]


@pytest.mark.sphinx("html", testroot="datatable-join")
def test_joined_columns_show_the_named_rows_values_and_sources(app, warning):
    app.build()
    assert strip_colors(warning.getvalue()) == ""
    table = the_table(app)
    headers = texts(table.select("thead th"))
    # named joined columns where :columns: puts them; the others after the rest
    assert headers == [
        *["Model", "Commercial use", "Open data", "Use policy", "Territory"],
        *["Checked", "Sources"],
    ]
    rows = [texts(tr.select("td")) for tr in table.select("tbody tr")]
    assert [r[:5] for r in rows] == [
        ["Model A", "yes", "yes", "no", "none"],
        ["Model B", "conditional", "no", "yes", "Not licensed in Ruritania"],
        ["Model C", "—", "—", "—", "—"],  # no terms named: empty, not an error
    ]
    # the licence row's sources join the model's, each once, as numbers
    links = [
        [a["href"] for a in tr.select("td p.sosai-sources a")] for tr in table.select("tbody tr")
    ]
    assert [len(row) for row in links] == [2, 2, 1]
    listed = table.find_next("p", class_="sosai-source-list").get_text()
    assert listed.count("Lab A, 2026") == 2  # the card, and the licence it names
    assert "Lab B, 2026" in listed
    assert "lab-c.example" in listed


@pytest.mark.sphinx("html", testroot="datatable-join")
def test_facet_columns_are_marked_for_the_script(app):
    app.build()
    table = the_table(app)
    marked = [th.get_text(strip=True) for th in table.select("thead th.sosai-facet")]
    assert marked == ["Commercial use", "Open data", "Use policy"]
    assert "sosai-rows-models" in table["class"]  # the count's word: "2 of 3 models"


@pytest.mark.sphinx("html", testroot="datatable-join")
def test_downloads_and_markdown_carry_the_joined_columns(app):
    app.build()
    exported = (app.outdir / "data" / "models.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert list(rows[0])[:6] == [
        *["id", "name", "terms"],
        *["terms_commercial", "terms_policy", "terms_territory"],
    ]  # beside the field that names the row
    assert [(r["terms_commercial"], r["terms_policy"], r["terms_territory"]) for r in rows] == [
        ("yes", "false", "none"),
        ("conditional", "true", "Not licensed in Ruritania"),
        ("", "", ""),
    ]
    assert [r["terms_sources"] for r in rows] == ["open-terms", "community-terms", ""]
    document = json.loads((app.outdir / "data" / "models.json").read_text(encoding="utf-8"))
    assert document["columns"]["terms_commercial"] == "Terms: Commercial use"
    assert document["rows"][1]["terms_policy"] is True
    assert document["rows"][1]["sources"] == ["model-a-card", "community-terms"]  # as written
    copy = (app.outdir / "index.html.md").read_text(encoding="utf-8")
    header = next(line for line in copy.splitlines() if line.startswith("| Model"))
    assert "Commercial use" in header
    assert "Territory" in header
    assert "Not licensed in Ruritania" in copy


def test_an_edit_to_the_joined_file_rewrites_the_downloads(rootdir):
    models = rootdir / "test-datatable-join" / "_data" / "models.yml"
    assert models.parent / "terms.yml" in data.join_targets(models)


def edited(make_app, rootdir: Path, tmp_path: Path, old: str, new: str, *, name: str = "index.md"):
    srcdir = tmp_path / "join"
    shutil.copytree(rootdir / "test-datatable-join", srcdir)
    path = srcdir / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    app = make_app("html", srcdir=srcdir, confoverrides={"show_warning_types": True})
    app.build()
    lines = strip_colors(app._warning.getvalue()).replace(f"{srcdir}/", "").splitlines()
    return app, [line for line in lines if line.strip()]


JOIN = ":join: terms -> _data/terms.yml: commercial, policy, territory"


@pytest.mark.parametrize(
    ("new", "message"),
    [
        (
            ":join: terms -> _data/licences.yml: commercial, policy, territory",
            "unknown join target _data/licences.yml: 1 problem(s): data file not found",
        ),
        (
            ":join: terms -> _data/terms.yml: commercial, colour, policy, territory",
            "unknown join column(s) ['colour'] in _data/terms.yml",
        ),
        (":join: licence -> _data/terms.yml: commercial", "join on unknown field 'licence'"),
        (":join: terms = _data/terms.yml", "bad join clause 'terms = _data/terms.yml'"),
    ],
    ids=["target", "column", "field", "syntax"],
)
def test_a_bad_join_is_one_warning_at_the_directive(make_app, rootdir, tmp_path, new, message):
    app, lines = edited(make_app, rootdir, tmp_path, JOIN, new)
    assert len(lines) == 1, lines
    assert lines[0].startswith("index.md:3: WARNING: " + message), lines[0]
    assert lines[0].endswith("[sosai.datatable]")
    assert the_table(app) is None


def test_a_facet_of_free_text_is_one_warning(make_app, rootdir, tmp_path):
    old = ":facets: terms.commercial, terms.policy, open_data"
    _, lines = edited(make_app, rootdir, tmp_path, old, ":facets: terms.territory, name")
    assert len(lines) == 1, lines
    assert (
        "index.md:3: WARNING: facet 'terms.territory' is not a field of listed values" in lines[0]
    )


def test_a_row_naming_no_licence_row_is_warned_at_its_line(make_app, rootdir, tmp_path):
    app, lines = edited(
        make_app, rootdir, tmp_path, "terms: community", "terms: withdrawn", name="_data/models.yml"
    )
    assert lines == [
        "_data/models.yml:9: WARNING: row 2 (model-b), field 'terms': 'withdrawn' is not the id "
        "of a row of _data/terms.yml, so its joined columns are empty [sosai.datatable]"
    ]
    rows = [texts(tr.select("td"))[:2] for tr in the_table(app).select("tbody tr")]
    assert rows[1] == ["Model B", "—"]
