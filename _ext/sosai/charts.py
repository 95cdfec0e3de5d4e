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
are dependencies of the page.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import traceback
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from sosai import __version__, data

if TYPE_CHECKING:
    from types import ModuleType

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

DIRECTIVE_NAME = "data-chart"
CHARTS_SUBDIR = "_charts"
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
    "figure.facecolor": "white",  # readable in dark mode too: the chart is its own card
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
    spec = importlib.util.spec_from_file_location(f"sosai_chart_{path.stem}", path)
    if spec is None or spec.loader is None:
        msg = f"cannot import {path}"
        raise ImportError(msg)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def render(script: Path, data_dir: Path, out_dir: Path) -> tuple[Path, list[Path]]:
    """Draw one chart script to SVG if needed; return the SVG and the files it read.

    Raises :class:`sosai.data.DataError` for bad data and any exception the script raises.
    """
    module = _import_script(script)
    names = list(getattr(module, "DATA", []))
    datasets = {name: data.load(data_dir / f"{name}.yml") for name in names}
    inputs = [script] + [ds.path for ds in datasets.values()]
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(version("matplotlib").encode())
    for path in inputs:
        digest.update(path.read_bytes())
    svg = out_dir / f"{script.stem}-{digest.hexdigest()[:12]}.svg"
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
        tmp.replace(svg)  # atomic: parallel readers never see half a file
    return svg, inputs


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
    app.add_config_value("sosai_charts_dir", "_charts", "env", types=frozenset({str}))
    app.add_directive(DIRECTIVE_NAME, DataChartDirective)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
