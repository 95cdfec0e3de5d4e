"""The ``data-chart`` directive (``sosai.features.charts``), on ``tests/roots/test-charts*``."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup

from sosai.features import charts
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
def test_problems_warn_at_the_directive_or_the_script_s_line(app, warning):
    app.build()
    text = warning.getvalue()
    expected = [
        r"index\.md:3: WARNING: chart 'weights-memory' needs :alt: text",
        r"_charts/broken\.py:7: WARNING: chart 'broken' failed: KeyError: 'no_such_field'",
        r"index\.md:15: WARNING: no chart script _charts/no-such-chart\.py",
        r"index\.md:21: WARNING: chart 'bad-data' not drawn: row 1 \(Tiny\), field 'params_b'",
    ]
    for pattern in expected:
        assert re.search(pattern + r".*\[sosai\.chart\]", text), pattern
    assert soup(app).select("figure") == []


@dataclass
class HostileBuild:
    """The strict build of ``tests/roots/test-charts-hostile``, run as ``sphinx-build``."""

    srcdir: Path
    returncode: int
    seconds: float
    output: str  # stdout and stderr: the warnings, and anything the workers printed
    left_running: list[str]  # processes still running from the build's folder

    def warnings_about(self, chart: str) -> list[str]:
        return [line for line in self.output.splitlines() if f"chart '{chart}'" in line]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, rootdir) -> HostileBuild:
    """Build the hostile charts once, strictly, with a 2 s limit per chart."""
    srcdir = tmp_path_factory.mktemp("hostile") / "book"
    shutil.copytree(rootdir / "test-charts-hostile", srcdir)
    command = [sys.executable, "-m", "sphinx", "-b", "dirhtml", "-W", "--keep-going", "-N"]
    command += ["-q", "-D", "sosai_chart_timeout=2", str(srcdir), str(srcdir / "_build")]
    start = time.monotonic()
    run = subprocess.run(
        command,
        env={**os.environ, "PYTHONPATH": str(BOOK / "_ext")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    seconds = time.monotonic() - start
    # A forked worker's command line is the build's, which names the source folder.
    left = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if str(srcdir) in cmdline.read_text():
                left.append(cmdline.parent.name)
    return HostileBuild(srcdir, run.returncode, seconds, run.stdout + run.stderr, left)


HOSTILE = [  # chart, line of its own code, what the warning says
    (
        "raises",  # inside matplotlib: the line is the chart's call
        10,
        "failed: ValueError: x and y must have same first dimension, but have shapes (2,) and (3,)",
    ),
    ("exits", 10, "exited (SystemExit 0) before drawing"),
    ("exits-on-import", 5, "exited (SystemExit 0) before drawing"),
    ("interrupts", 7, "failed: KeyboardInterrupt"),
    ("os-exit", 9, "failed: its process exited with code 3"),
    ("kills-itself", 10, "failed: its process died (signal 9, SIGKILL)"),
    ("hangs", 7, "timed out after 2 s (sosai_chart_timeout)"),
    ("hangs-stubbornly", 11, "timed out after 2 s (sosai_chart_timeout)"),  # killed
    ("network", 12, "tried to reach example.invalid: charts may not use the network"),
    ("draws-nothing", 8, "drew nothing: draw() returned None, not a matplotlib figure"),
    ("empty", 8, "drew nothing: its figure is empty"),
]


@pytest.mark.parametrize(("chart", "line", "message"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_a_chart_that_stops_is_one_warning_at_its_own_line(hostile, chart, line, message):
    assert hostile.warnings_about(chart) == [
        f"{hostile.srcdir}/_charts/{chart}.py:{line}: WARNING: chart {chart!r} {message} "
        "[sosai.chart]"
    ]


def test_hostile_charts_fail_the_strict_build_quickly_and_leave_nothing_behind(hostile):
    assert hostile.returncode == 1, hostile.output
    warnings = [line for line in hostile.output.splitlines() if ": WARNING: " in line]
    assert len(warnings) == len(HOSTILE), hostile.output
    assert "Traceback" not in hostile.output
    # Two charts run to the 2 s limit, one of them 3 s more until it is killed.
    assert hostile.seconds < 30
    assert hostile.left_running == []
    # The chart after them is drawn by a new worker; no failed chart is cached.
    page = BeautifulSoup((hostile.srcdir / "_build" / "index.html").read_text(), "html.parser")
    assert [f["id"] for f in page.select("figure")] == ["fig-drawn-last"]
    drawn = sorted(p.name for p in (hostile.srcdir / "_build" / ".doctrees" / "_charts").iterdir())
    assert len(drawn) == 1
    assert drawn[0].startswith("drawn-last-")


def test_a_spawned_worker_draws_and_reports_the_same(tmp_path, rootdir, monkeypatch):
    # Where another thread runs, forking is unsafe: the worker is spawned instead.
    monkeypatch.setattr(charts.threading, "active_count", lambda: 2)
    book = rootdir / "test-charts-hostile"
    drawer = charts.Drawer(2)
    try:
        svg, _ = charts.render(book / "_charts" / "drawn-last.py", book / "_data", tmp_path, drawer)
        assert type(drawer.process).__name__ == "SpawnProcess"
        with pytest.raises(charts.ChartError) as failure:
            charts.render(book / "_charts" / "kills-itself.py", book / "_data", tmp_path, drawer)
    finally:
        drawer.close()
    assert drawer.process is None
    assert svg.is_file()
    assert (str(failure.value), failure.value.line) == (
        "failed: its process died (signal 9, SIGKILL)",
        10,
    )


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
        config=SimpleNamespace(
            sosai_data_dir="_data", sosai_charts_dir="_charts", sosai_chart_timeout=20
        ),
        parallel=1,
    )
    env = SimpleNamespace(doc2path=lambda docname: str(book / f"{docname}.md"))
    monkeypatch.setattr(charts.threading, "active_count", lambda: 1)  # pytest may run threads
    return book, app, env


def test_charts_of_the_pages_to_read_are_drawn_in_the_background_in_order(two_chart_book):
    book, app, env = two_chart_book
    charts.start_drawing(app, env, ["index", "later"])
    drawer = app.sosai_chart_drawer
    # index (weights-memory) is read before later (a-second), whatever the scripts' names.
    assert [job.script.stem for job in drawer.queue] == ["weights-memory", "a-second"]
    jobs = list(drawer.queue)
    assert [drawer.draw(job) for job in jobs] == [None, None]
    charts.stop_drawing(app, None)
    assert drawer.process is None
    assert all(job.svg.is_file() for job in jobs)
    expected, _ = charts.render(
        book / "_charts" / "a-second.py", book / "_data", Path(app.doctreedir) / "_charts"
    )
    assert jobs[1].svg == expected  # the directive finds what the worker drew


def test_no_background_process_for_pages_not_read_charts_drawn_or_parallel_builds(
    two_chart_book,
):
    _, app, env = two_chart_book
    charts.start_drawing(app, env, [])  # nothing read: nothing drawn
    app.parallel = 2
    charts.start_drawing(app, env, ["index", "later"])  # parallel readers start their own
    assert not hasattr(app, "sosai_chart_drawer")
    app.parallel = 1
    charts.start_drawing(app, env, ["index"])
    drawer = app.sosai_chart_drawer
    assert drawer.draw(drawer.queue[0]) is None
    charts.stop_drawing(app, None)
    del app.sosai_chart_drawer
    charts.start_drawing(app, env, ["index"])  # its chart is drawn already
    assert not hasattr(app, "sosai_chart_drawer")


def test_the_build_reads_a_script_s_data_without_running_it(tmp_path, rootdir):
    # A script that exits or hangs when imported would stop the build itself.
    script = rootdir / "test-charts-hostile" / "_charts" / "exits-on-import.py"
    job, inputs = charts._plan(script, rootdir / "test-charts-hostile" / "_data", tmp_path)
    assert list(job.data) == ["sizes"]
    assert job.line == 10
    assert [p.name for p in inputs] == ["exits-on-import.py", "sizes.yml"]
    assert not job.svg.exists()


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        (
            "DATA = ['a'] + OTHER\n",
            1,
            'must name its data files in a plain list, e.g. DATA = ["models"]',
        ),
        ("def draw(data):\n    return (\n", 2, "failed: SyntaxError: '(' was never closed"),
    ],
)
def test_a_script_the_build_cannot_read_is_located(tmp_path, source, line, message):
    script = tmp_path / "bad.py"
    script.write_text(source)
    with pytest.raises(charts.ChartError) as failure:
        charts._plan(script, tmp_path, tmp_path)
    assert (str(failure.value), failure.value.line) == (message, line)


def test_the_book_s_charts_list_their_data_as_the_build_reads_it():
    for script in sorted((BOOK / "_charts").glob("*.py")):
        names, line = charts._outline(script)
        assert names, script
        assert all((BOOK / "_data" / f"{name}.yml").is_file() for name in names)
        assert script.read_text().splitlines()[line - 1].startswith("def draw(")
