"""The ``data-chart`` directive (``sosai.charts``), on ``tests/roots/test-charts*``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup

from sosai import charts
from tests.conftest import BOOK


def soup(app, page: str = "index.html") -> BeautifulSoup:
    return BeautifulSoup((app.outdir / page).read_text(encoding="utf-8"), "html.parser")


@pytest.mark.sphinx("dirhtml", testroot="charts")
def test_draws_a_captioned_figure_with_alt_text(app, warning):
    app.build()
    assert warning.getvalue() == ""
    figure = soup(app).select_one("figure#fig-memory")
    img = figure.select_one("img")
    assert img["alt"] == "Bar chart: the large model needs 140 GB at BF16 and 35 GB at 4 bits."
    assert img["src"].startswith("_images/weights-memory-")
    assert img["src"].endswith(".svg")
    assert "width: 80%" in img["style"]
    assert (
        figure.select_one("figcaption .caption-text").get_text()
        == "Memory for weights at two precisions."
    )
    assert (
        figure.select_one("figcaption .legend").get_text(strip=True) == "Drawn from the test data."
    )
    svg = (app.outdir / img["src"]).read_text(encoding="utf-8")
    assert svg.startswith("<?xml")
    assert "<svg" in svg
    assert "BF16" in svg  # text stays text (svg.fonttype none)
    assert soup(app).select_one("a.reference[href='#fig-memory']").get_text(strip=True) == "Fig. 1"


@pytest.mark.sphinx("dirhtml", testroot="charts")
def test_script_and_data_are_dependencies(app):
    app.build()
    deps = app.env.dependencies["index"]
    assert any(d.endswith("_charts/weights-memory.py") for d in deps)
    assert any(d.endswith("_data/sizes.yml") for d in deps)


def test_same_inputs_same_svg_new_data_new_svg(tmp_path, rootdir):
    script = rootdir / "test-charts" / "_charts" / "weights-memory.py"
    datadir = tmp_path / "_data"
    datadir.mkdir()
    (datadir / "schema").mkdir()
    for name in ("sizes.yml", "schema/sizes.schema.json", "schema/common.schema.json"):
        (datadir / name).write_text((rootdir / "test-charts" / "_data" / name).read_text())
    first, inputs = charts.render(script, datadir, tmp_path / "out-1")
    second, _ = charts.render(script, datadir, tmp_path / "out-2")
    assert first.name == second.name
    assert first.read_bytes() == second.read_bytes()  # deterministic output
    text = first.read_text(encoding="utf-8")
    assert "<!DOCTYPE" not in text  # EPUB forbids the SVG DTD's external entities
    assert text.startswith("<?xml")
    assert "<svg" in text
    assert [p.name for p in inputs] == ["weights-memory.py", "sizes.yml"]
    sizes = datadir / "sizes.yml"
    sizes.write_text(sizes.read_text().replace("params_b: 70", "params_b: 72"))
    third, _ = charts.render(script, datadir, tmp_path / "out-1")
    assert third.name != first.name


@pytest.mark.sphinx("dirhtml", testroot="charts-errors", confoverrides={"show_warning_types": True})
def test_problems_warn_at_the_directive(app, warning):
    app.build()
    text = warning.getvalue()
    expected = [
        r"index\.md:3: WARNING: chart 'weights-memory' needs :alt: text",
        r"index\.md:9: WARNING: chart 'broken' failed: KeyError: 'no_such_field' \(broken\.py:7\)",
        r"index\.md:15: WARNING: no chart script _charts/no-such-chart\.py",
        r"index\.md:21: WARNING: chart 'bad-data' not drawn: row 1 \(Tiny\), field 'params_b'",
    ]
    for pattern in expected:
        assert re.search(pattern + r".*\[sosai\.chart\]", text), pattern
    assert soup(app).select("figure") == []


@pytest.fixture
def two_chart_book(tmp_path, rootdir, monkeypatch) -> tuple[Path, SimpleNamespace, SimpleNamespace]:
    """The charts mini-book with a second page and chart, and a stand-in app and env.

    The stand-ins hold the little of Sphinx's application and environment that
    ``start_drawing`` reads.
    """
    book = tmp_path / "book"
    shutil.copytree(rootdir / "test-charts", book)
    shutil.copy(book / "_charts" / "weights-memory.py", book / "_charts" / "a-second.py")
    (book / "later.md").write_text(":::{data-chart} a-second\n:alt: Bars.\n\nMore bars.\n:::\n")
    app = SimpleNamespace(
        srcdir=str(book),
        doctreedir=str(tmp_path / "doctrees"),
        config=SimpleNamespace(sosai_data_dir="_data", sosai_charts_dir="_charts"),
        parallel=1,
    )
    env = SimpleNamespace(doc2path=lambda docname: str(book / f"{docname}.md"))
    monkeypatch.setattr(charts.threading, "active_count", lambda: 1)  # pytest may run threads
    return book, app, env


def test_charts_of_the_pages_to_read_are_drawn_in_the_background_in_order(two_chart_book):
    book, app, env = two_chart_book
    charts.start_drawing(app, env, ["index", "later"])
    # index (weights-memory) is read before later (a-second), whatever the scripts' names.
    assert [s.stem for s in app.sosai_chart_jobs] == ["weights-memory", "a-second"]
    drawn = [job.result()[0] for job in app.sosai_chart_jobs.values()]
    charts.stop_drawing(app, None)
    assert all(svg.is_file() for svg in drawn)
    expected, _ = charts.render(
        book / "_charts" / "a-second.py", book / "_data", Path(app.doctreedir) / "_charts"
    )
    assert drawn[1] == expected  # the directive finds what the worker drew


def test_no_background_process_for_one_chart_pages_not_read_or_parallel_builds(two_chart_book):
    _, app, env = two_chart_book
    charts.start_drawing(app, env, ["later"])  # one chart: drawn by the directive
    charts.start_drawing(app, env, [])  # nothing read: nothing drawn
    app.parallel = 2
    charts.start_drawing(app, env, ["index", "later"])  # parallel readers: in-process
    assert not hasattr(app, "sosai_chart_jobs")


def test_the_book_s_chart_scripts_import_matplotlib_only_to_draw():
    # The build imports a script to learn its data files even when its SVG is drawn
    # already; importing matplotlib there would cost every rebuild of the page.
    probe = (
        "import sys; from pathlib import Path; from sosai import charts\n"
        "for s in sorted(Path('_charts').glob('*.py')): charts._import_script(s.resolve())\n"
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=BOOK,
        env={**os.environ, "PYTHONPATH": str(BOOK / "_ext")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"
