"""Draw a chart from the book's data at build time (matplotlib, SVG).

Usage in MyST::

    :::{data-chart} release-timeline
    :alt: Scatter plot of open-weight model releases by month and size, log scale.
    :name: fig-release-timeline
    :width: 100%

    Open-weight releases by month and total parameters. Hollow markers show the
    active parameters of mixture-of-experts models.
    :::

The argument names a chart script, ``_charts/<name>.py`` (``sosai_charts_dir``). A
script declares the data files it reads and draws a figure from them::

    DATA = ["models"]                       # _data/models.yml

    def draw(data):                         # data["models"] is a sosai.data.Dataset
        fig, ax = new_figure()
        ...
        return fig

``:alt:`` is required. The content is the caption (its first paragraph) and an
optional legend. The SVG is written under the build's doctree folder, named by a
hash of the script, its data and this module, so it is redrawn exactly when one of
them changes and never committed to the repository. The script and its data files
are dependencies of the page. When the pages a build reads need two or more charts
that are not drawn yet, one background process draws them while the pages are read
(:func:`start_drawing`).

On the website, opening a chart shows it in a full-window view with its caption
(``static/sosai-figures.js``), and in dark mode it is shown inverted with its hues
turned back (``_static/sosai.css``): the same drawing, dark text on white in light
mode and light text on a dark card in dark mode.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import multiprocessing
import os
import re
import threading
import traceback
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from sosai import __version__, data, publish_static, source_digest

if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import ModuleType

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

DIRECTIVE_NAME = "data-chart"
CHARTS_SUBDIR = "_charts"
USE = re.compile(r"^\s*[:`]{3,}\{data-chart\}\s+(\S+)", re.MULTILINE)  # a chart in MyST
DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>\s*")
MIN_BACKGROUND_CHARTS = 2  # fewer are drawn in the build process: a worker costs a start-up
# Okabe & Ito's colour-blind-safe palette; dark enough to read on white.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
# matplotlib is imported only when a chart must be drawn: an unchanged chart is reused
# from the build folder, which keeps incremental builds fast.
STYLE = {
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "font.size": 10,
    "figure.facecolor": "white",  # dark mode shows it inverted (_static/sosai.css)
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.fonttype": "none",  # text stays text: smaller files, searchable, accessible
    "svg.hashsalt": "sosai",  # stable ids, so identical data gives identical SVG
}


def _style() -> dict[str, Any]:
    import matplotlib as mpl

    return {**STYLE, "axes.prop_cycle": mpl.cycler(color=PALETTE)}


def new_figure(width: float = 7.0, height: float = 4.0) -> tuple[Figure, Axes]:
    """A figure and axes in the book's style; chart scripts start here."""
    import matplotlib as mpl

    mpl.use("Agg")  # no display; before pyplot
    import matplotlib.pyplot as plt

    with mpl.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return fig, ax


def _import_script(path: Path) -> ModuleType:
    """The chart script as a module, imported once per build process and version."""
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _scripts:
        _scripts[key] = _load_script(path)
    return _scripts[key]


_scripts: dict[tuple[Path, int, int], ModuleType] = {}


def _load_script(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"sosai_chart_{path.stem}", path)
    if spec is None or spec.loader is None:
        msg = f"cannot import {path}"
        raise ImportError(msg)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _plan(
    script: Path, data_dir: Path, out_dir: Path
) -> tuple[ModuleType, dict[str, data.Dataset], Path, list[Path]]:
    """The script, its datasets, where its SVG goes and the files it depends on."""
    module = _import_script(script)
    names = list(getattr(module, "DATA", []))
    datasets = {name: data.load(data_dir / f"{name}.yml") for name in names}
    inputs = [script] + [ds.path for ds in datasets.values()]
    digest = hashlib.sha256(source_digest(__file__).encode())
    digest.update(version("matplotlib").encode())
    for path in inputs:
        digest.update(path.read_bytes())
    return module, datasets, out_dir / f"{script.stem}-{digest.hexdigest()[:12]}.svg", inputs


def render(script: Path, data_dir: Path, out_dir: Path) -> tuple[Path, list[Path]]:
    """Draw one chart script to SVG if needed; return the SVG and the files it read.

    Raises :class:`sosai.data.DataError` for bad data and any exception the script raises.
    """
    module, datasets, svg, inputs = _plan(script, data_dir, out_dir)
    if not svg.exists():
        import matplotlib as mpl

        mpl.use("Agg")
        import matplotlib.pyplot as plt

        with mpl.rc_context(_style()):
            fig = module.draw(datasets)
            out_dir.mkdir(parents=True, exist_ok=True)
            tmp = svg.with_suffix(".tmp")
            fig.savefig(tmp, format="svg", metadata={"Date": None})
            plt.close(fig)
        # matplotlib writes the SVG 1.1 DOCTYPE, whose external DTD EPUB forbids
        # (EPUBCheck reported 37 errors per chart); browsers ignore it.
        tmp.write_text(DOCTYPE.sub("", tmp.read_text(encoding="utf-8"), count=1), encoding="utf-8")
        tmp.replace(svg)  # atomic: parallel readers never see half a file
    return svg, inputs


def charts_used(sources: Iterable[Path]) -> list[str]:
    """Names of the charts the given MyST pages use, in order of first use."""
    names: dict[str, None] = {}
    for source in sources:
        for name in USE.findall(source.read_text(encoding="utf-8")):
            names.setdefault(name, None)
    return list(names)


def start_drawing(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Draw the missing charts of the pages about to be read, in the background.

    Connected to ``env-before-read-docs``. Drawing is a third of a clean build. In one
    worker process it overlaps with reading the pages, in the order they are read; the
    directive then finds its SVG drawn, or, if the worker has not started on it, draws
    it itself. Errors are left to the directive, which reports them with their location.
    """
    srcdir = Path(app.srcdir)
    scripts_dir = srcdir / app.config.sosai_charts_dir
    data_dir = srcdir / app.config.sosai_data_dir
    out_dir = Path(app.doctreedir) / CHARTS_SUBDIR
    sources = [Path(env.doc2path(d)) for d in docnames]
    missing = []
    for name in charts_used(s for s in sources if s.suffix == ".md" and s.is_file()):
        script = scripts_dir / f"{name}.py"
        try:
            if not _plan(script, data_dir, out_dir)[2].exists():
                missing.append(script)
        except Exception:  # reported by the directive that uses the chart
            continue
    # The worker is forked: it starts at once and needs no importable __main__. Forking
    # a process that runs other threads is unsafe, so such a build draws in-process; so
    # does a parallel build (-j), whose forked readers could not wait on this pool.
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if len(missing) < MIN_BACKGROUND_CHARTS or not forkable or app.parallel > 1:
        return
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    app.sosai_chart_pool = pool
    app.sosai_chart_jobs = {s: pool.submit(render, s, data_dir, out_dir) for s in missing}


def stop_drawing(app: Sphinx, exception: Exception | None) -> None:
    """Shut the background worker down at the end of the build."""
    pool = getattr(app, "sosai_chart_pool", None)
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
        app.sosai_chart_pool = None


def _wait_for_background(app: Sphinx, script: Path) -> None:
    job = getattr(app, "sosai_chart_jobs", {}).pop(script, None)
    if job is not None and not job.cancel():
        with contextlib.suppress(Exception):  # the directive draws it again and reports
            job.result()


class DataChartDirective(SphinxDirective):
    """The ``data-chart`` directive."""

    required_arguments = 1
    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {
        "alt": directives.unchanged_required,
        "name": directives.unchanged_required,
        "width": directives.length_or_percentage_or_unitless,
        "class": directives.class_option,
    }

    def warn(self, message: str) -> list[nodes.Node]:
        """Warn at the directive and render nothing."""
        logger.warning(message, location=self.get_location(), type="sosai", subtype="chart")
        return []

    def run(self) -> list[nodes.Node]:
        """Render the chart and wrap it in a captioned figure."""
        name = self.arguments[0]
        alt = self.options.get("alt", "").strip()
        if not alt:
            return self.warn(f"chart {name!r} needs :alt: text describing what it shows")
        if not self.content:
            return self.warn(f"chart {name!r} needs a caption (the directive's content)")
        srcdir = Path(self.env.srcdir)
        script = srcdir / self.config.sosai_charts_dir / f"{name}.py"
        self.env.note_dependency(str(script))
        if not script.is_file():
            return self.warn(f"no chart script {script.relative_to(srcdir)}")
        out_dir = Path(self.env.app.doctreedir) / CHARTS_SUBDIR
        _wait_for_background(self.env.app, script)
        try:
            svg, inputs = render(script, srcdir / self.config.sosai_data_dir, out_dir)
        except data.DataError as exc:
            return self.warn(f"chart {name!r} not drawn: " + "; ".join(map(str, exc.problems[:3])))
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            return self.warn(
                f"chart {name!r} failed: {type(exc).__name__}: {exc} "
                f"({Path(where.filename).name}:{where.lineno})"
            )
        for path in inputs[1:]:
            self.env.note_dependency(str(path))

        docdir = Path(self.env.doc2path(self.env.docname)).parent
        image = nodes.image(uri=Path(os.path.relpath(svg, docdir)).as_posix(), alt=alt)
        if "width" in self.options:
            image["width"] = self.options["width"]
        figure = nodes.figure("", image, classes=["sosai-chart", *self.options.get("class", [])])
        body = self.parse_content_to_nodes()
        if body and isinstance(body[0], nodes.paragraph):
            figure += nodes.caption(body[0].rawsource, "", *body[0].children)
            body = body[1:]
        if body:
            figure += nodes.legend("", *body)
        self.add_name(figure)
        self.set_source_info(figure)
        return [figure]


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register ``sosai_charts_dir`` and the ``data-chart`` directive."""
    app.setup_extension("sosai.data")
    app.connect("builder-inited", publish_static)
    app.add_js_file("sosai-figures.js", loading_method="defer")
    app.add_config_value("sosai_charts_dir", "_charts", "env", types=frozenset({str}))
    app.add_directive(DIRECTIVE_NAME, DataChartDirective)
    app.connect("env-before-read-docs", start_drawing)
    app.connect("build-finished", stop_drawing)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
