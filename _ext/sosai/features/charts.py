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

    DATA = ["models"]                       # _data/models.yml, written out as a list

    def draw(data):                         # data["models"] is a sosai.features.data.Dataset
        fig, ax = new_figure()
        ...
        return fig

``:alt:`` is required. The content is the caption (its first paragraph) and an
optional legend. The SVG is written under the build's doctree folder, named by a
hash of the script, its data and this module, so it is redrawn exactly when one of
them changes and never committed to the repository. The script and its data files
are dependencies of the page.

A chart's code never runs in the build process: the build reads ``DATA`` from the
script's text, and a worker process (:class:`Drawer`) runs the script, forked from
the build (spawned where another thread makes forking unsafe). The worker draws the
missing charts of the pages about to be read while they are read
(:func:`start_drawing`); a page waits for its own chart. Each chart has
``sosai_chart_timeout`` seconds (default :data:`DEFAULT_TIMEOUT`, 20; a book whose
charts need longer sets it under ``sphinx: config:`` in ``_config.yml``). Whatever
stops a chart is one warning, located at the line of the chart's own code where it
stopped (the deepest frame in the script, not matplotlib's), and its page gets no
figure:

- an exception, ``SystemExit`` (even ``sys.exit(0)``) or ``KeyboardInterrupt``;
- the time limit: the worker interrupts the chart (``SIGALRM``) and notes its line; a
  chart still running :data:`GRACE` seconds later (it caught the interruption, or is
  stuck in C code) has its worker killed, and a new worker draws the charts after it;
- a worker that dies (``os._exit``, a signal); its line is the one that called
  ``os._exit``, ``os.abort``, ``os.kill`` or ``signal.raise_signal``, which the worker
  notes before passing the call on;
- ``draw()`` returning no figure, or a figure with nothing drawn on it;
- a network connection: the worker refuses them (``socket.getaddrinfo``,
  ``create_connection`` and ``connect``), so a chart that fetches its data fails
  rather than depending on a server. This guards against accidents; it is not a
  sandbox, and a chart's code runs with the rights of the person building the book.

A chart that failed is not cached: its SVG is only written once it has drawn.

On the website, opening a chart shows it in a full-window view with its caption
(``static/sosai-figures.js``), and in dark mode it is shown inverted with its hues
turned back (``_static/sosai.css``): the same drawing, dark text on white in light
mode and light text on a dark card in dark mode.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import importlib.util
import multiprocessing
import os
import re
import signal
import socket
import sys
import textwrap
import threading
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from sosai import __version__
from sosai.features import data
from sosai.shared import cache_key, publish_static

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess
    from types import FrameType, ModuleType

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
# Seconds a chart may take. The book's slowest chart (openness-matrix) draws in under
# 1 s on a laptop, about 2 s on a loaded 2-CPU machine: 20 s leaves room for a slow CI
# runner, while a chart that never returns fails the build in under half a minute.
DEFAULT_TIMEOUT = 20
GRACE = 3  # seconds past the limit before a chart that does not stop is killed
# Okabe & Ito's colour-blind-safe palette; dark enough to read on white.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
# matplotlib is imported only by the worker, when a chart must be drawn: an unchanged
# chart is reused from the build folder, which keeps incremental builds fast.
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


class ChartError(Exception):
    """A chart was not drawn: what happened, and the line of its script where it did."""

    def __init__(self, message: str, line: int | None = None) -> None:
        """Keep the message (``failed: ValueError: ...``) and the script's line."""
        super().__init__(message, line)
        self.message, self.line = message, line

    def __str__(self) -> str:
        """The message, as the warning shows it after the chart's name."""
        return self.message


class _TimedOut(BaseException):
    """Raised in a chart at its time limit; a ``BaseException``, past ``except Exception``."""


class Job(NamedTuple):
    """A chart for the worker to draw."""

    script: Path
    data: dict[str, Path]  # each name in the script's DATA, and its data file
    svg: Path
    line: int  # of the script's draw(): where a failure with no better line is shown


def _outline(script: Path) -> tuple[list[str], int]:
    """The data files a script declares (``DATA``) and the line of its ``draw``.

    Read from the script's text: the build never runs a chart's code, since a script
    that exits or hangs when imported would stop the build itself.
    """
    try:
        tree = ast.parse(script.read_bytes(), filename=str(script))
    except SyntaxError as exc:
        raise ChartError(f"failed: SyntaxError: {exc.msg}", exc.lineno) from None
    names: Any = []
    line = 1
    for node in tree.body:
        targets = [getattr(t, "id", None) for t in getattr(node, "targets", [])]
        if isinstance(node, ast.FunctionDef) and node.name == "draw":
            line = node.lineno
        elif "DATA" in targets:
            try:
                names = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError):
                names = None
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                msg = 'must name its data files in a plain list, e.g. DATA = ["models"]'
                raise ChartError(msg, node.lineno)
    return names, line


def _plan(script: Path, data_dir: Path, out_dir: Path) -> tuple[Job, list[Path]]:
    """The job of drawing a script (its data, where its SVG goes) and the files it reads."""
    names, line = _outline(script)
    datasets = {name: data.load(data_dir / f"{name}.yml") for name in names}
    inputs = [script] + [ds.path for ds in datasets.values()]
    digest = hashlib.sha256(cache_key(__file__, packages=("matplotlib",)).encode())
    for path in inputs:
        digest.update(path.read_bytes())
    svg = out_dir / f"{script.stem}-{digest.hexdigest()[:12]}.svg"
    return Job(script, {name: ds.path for name, ds in datasets.items()}, svg, line), inputs


def render(
    script: Path, data_dir: Path, out_dir: Path, drawer: Drawer | None = None
) -> tuple[Path, list[Path]]:
    """Draw one chart script to SVG if needed; return the SVG and the files it read.

    ``drawer``'s worker draws it, or a worker started for this chart alone (with the
    default time limit). Raises :class:`sosai.features.data.DataError` for bad data and
    :class:`ChartError` for whatever stopped the script.
    """
    job, inputs = _plan(script, data_dir, out_dir)
    if not job.svg.exists():
        own = drawer is None
        drawer = drawer or Drawer(DEFAULT_TIMEOUT)
        try:
            failure = drawer.draw(job)
        finally:
            if own:
                drawer.close()
        if failure is not None:
            raise failure
    return job.svg, inputs


def _timed_out(timeout: float) -> str:
    return f"timed out after {timeout:g} s (sosai_chart_timeout)"


def _ended(exitcode: int | None) -> str:
    """How a worker process ended, from its exit code."""
    if exitcode is None:
        return "stopped answering"
    if exitcode >= 0:
        return f"exited with code {exitcode}"
    try:
        return f"died (signal {-exitcode}, {signal.Signals(-exitcode).name})"
    except ValueError:
        return f"died (signal {-exitcode})"


class Drawer:
    """A worker process that draws charts one after another, each within a time limit.

    :meth:`submit` sends a chart to the worker; :meth:`draw` waits for its report.
    If the worker dies or is killed, the charts queued after the one it was drawing
    go to a new worker.
    """

    def __init__(self, timeout: float) -> None:
        """Start no process yet: the first chart submitted starts the worker."""
        self.timeout = timeout
        self.owner = os.getpid()  # a parallel reader (-j) is a fork: it starts its own
        self.queue: list[Job] = []  # sent to the worker and not reported on, in order
        self.reports: dict[Path, ChartError | None] = {}  # by SVG: None when drawn
        self.process: BaseProcess | None = None
        self.conn: Connection | None = None

    def submit(self, job: Job) -> None:
        """Send a chart to the worker unless it is queued or reported on already."""
        if job.svg in self.reports or job in self.queue:
            return
        if self.process is None:
            # Forked, it starts at once; forking a process that runs other threads is
            # unsafe (their locks are copied held), so such a build spawns the worker.
            fork = "fork" in multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context(
                "fork" if fork and threading.active_count() == 1 else "spawn"
            )
            self.conn, child = ctx.Pipe()
            self.process = ctx.Process(
                target=_serve,
                args=(child, self.conn, self.timeout),
                name="sosai-charts",
                daemon=True,
            )
            self.process.start()
            child.close()
        self.queue.append(job)
        with contextlib.suppress(OSError):  # a dead worker is found out by _collect
            self.conn.send(job)

    def draw(self, job: Job) -> ChartError | None:
        """Wait for the worker to draw a chart; what stopped it, or None if it drew."""
        self.submit(job)
        while job.svg not in self.reports:
            self._collect()
        return self.reports[job.svg]

    def _collect(self) -> None:
        """Take the worker's report on the first chart queued, stopping it past the limit.

        The worker interrupts a chart at the limit itself; one still running
        :data:`GRACE` seconds later is killed with its worker, at the line the worker
        last noted. A worker that dies is reported at the line it noted before dying.
        """
        job, conn, process = self.queue[0], self.conn, self.process
        assert conn is not None  # a queued chart has a worker
        assert process is not None
        started, line = None, None  # when the chart started (the worker's clock), where
        waiting = time.monotonic()
        while True:
            left = (started or waiting) + self.timeout + GRACE - time.monotonic()
            if not conn.poll(max(left, 0)):
                ended = None  # still running
                break
            try:
                kind, value = conn.recv()
            except (EOFError, OSError):  # the worker ended (a reset if it left jobs unread)
                process.join(GRACE)
                ended = _ended(process.exitcode)
                break
            if kind == "started":
                started = value
            elif kind == "line":
                line = value
            else:
                self.reports[self.queue.pop(0).svg] = value
                return
        if started is None:  # it died or hung between charts: not this chart's doing
            what = f"not drawn: the chart worker {ended or 'stopped answering'}"
        elif ended is None:
            what = _timed_out(self.timeout)
        else:
            what = f"failed: its process {ended}"
        self.reports[self.queue.pop(0).svg] = ChartError(what, line or job.line)
        rest, self.queue = self.queue, []
        self.close(kill=True)
        for queued in rest:  # to a new worker
            self.submit(queued)

    def close(self, *, kill: bool = False) -> None:
        """End the worker: at once if ``kill`` or charts are queued, else once it is idle."""
        if self.process is None or self.conn is None:
            return
        self.conn.close()  # an idle worker ends when the pipe closes
        if not kill and not self.queue:
            self.process.join(GRACE)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.process, self.conn, self.queue = None, None, []


def _serve(conn: Connection, builds_end: Connection, timeout: float) -> None:
    """The worker process: draw each chart the build sends until it closes the pipe."""
    builds_end.close()  # a copy of the build's end would keep the pipe open
    _Worker(conn, timeout).serve()


class _Worker:
    """The worker's side: runs chart scripts and reports on each to the build."""

    def __init__(self, conn: Connection, timeout: float) -> None:
        self.conn, self.timeout = conn, timeout
        self.job: Job | None = None  # the chart being drawn
        self.stopped: ChartError | None = None  # by the limit or the network, even if caught
        self.noted: int | None = None  # the chart's line last told to the build

    def serve(self) -> None:
        """Guard the process, then draw and report until the build closes the pipe."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the build, which ends us
        signal.signal(signal.SIGALRM, self._alarm)
        for module, name in (
            (os, "_exit"),
            (os, "abort"),
            (os, "kill"),
            (os, "killpg"),
            (signal, "raise_signal"),
            (signal, "pthread_kill"),
        ):
            setattr(module, name, self._noting(getattr(module, name)))
        for owner, name, arg in (
            (socket, "getaddrinfo", 0),
            (socket, "create_connection", 0),
            (socket.socket, "connect", 1),
            (socket.socket, "connect_ex", 1),
        ):
            setattr(owner, name, self._refusing(arg))
        import matplotlib as mpl

        mpl.use("Agg")
        import matplotlib.pyplot  # noqa: F401 - once, before any chart's time starts

        with contextlib.suppress(EOFError, OSError):  # the build ended
            while True:
                job = self.conn.recv()
                self.conn.send(("started", time.monotonic()))
                self.conn.send(("done", self._draw(job)))

    def _draw(self, job: Job) -> ChartError | None:
        """Run one chart within the time limit; what stopped it, or None if it drew."""
        import matplotlib as mpl
        import matplotlib.pyplot as plt

        self.job, self.stopped, self.noted = job, None, None
        tmp = job.svg.with_suffix(f".{os.getpid()}.tmp")
        signal.setitimer(signal.ITIMER_REAL, self.timeout)
        try:
            try:
                datasets = {name: data.load(path) for name, path in job.data.items()}
                draw = getattr(_load_script(job.script), "draw", None)
                if not callable(draw):
                    raise ChartError("has no draw(data) function", 1)
                with mpl.rc_context(_style()):
                    figure = draw(datasets)
                    _check(figure, job.line)
                    _write(figure, tmp)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                self.job = None  # a late alarm finds no chart to stop
        except ChartError as exc:
            failure = exc
        except BaseException as exc:  # SystemExit too: it is the chart's failure
            failure = ChartError(_stopped_by(exc), _deepest_line(exc, job.script) or job.line)
        else:
            failure = None
        finally:
            plt.close("all")
        failure = self.stopped or failure
        if failure is None:
            tmp.replace(job.svg)  # atomic: parallel readers never see half a file
        else:  # never cached: drawn again next build
            tmp.unlink(missing_ok=True)
        return failure

    def _line(self, frame: FrameType | None) -> int | None:
        """The line of the deepest frame in the chart's own code, from ``frame`` out."""
        script = str(self.job.script) if self.job else None
        while frame is not None and script is not None:
            if frame.f_code.co_filename == script:
                return frame.f_lineno
            frame = frame.f_back
        return None

    def _alarm(self, signum: int, frame: FrameType | None) -> None:
        """At the limit: tell the build where the chart is, then interrupt it."""
        if self.job is None:
            return  # between charts: the chart had just returned
        line = self._line(frame)
        self._note(line)  # in case the chart catches the interruption
        self.stopped = ChartError(_timed_out(self.timeout), line or self.job.line)
        raise _TimedOut

    def _noting(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` (which may end the process), telling the build the chart's line first."""

        @functools.wraps(function)
        def noted(*args: Any, **kwargs: Any) -> Any:
            self._note(self._line(sys._getframe(1)))
            return function(*args, **kwargs)

        return noted

    def _note(self, line: int | None) -> None:
        """Tell the build the chart's line, in case its process dies or is killed next."""
        if line is not None and line != self.noted:  # once per line: the pipe never fills
            self.noted = line
            self.conn.send(("line", line))

    def _refusing(self, arg: int) -> Callable[..., Any]:
        """A stand-in for a socket function whose argument ``arg`` is the address."""

        def refuse(*args: Any, **kwargs: Any) -> Any:
            given = [*args, *kwargs.values()]
            address = given[arg] if len(given) > arg else "?"
            host = address[0] if isinstance(address, tuple) else address
            if self.job is not None and self.stopped is None:  # the first, even if caught
                line = self._line(sys._getframe(1)) or self.job.line
                msg = f"tried to reach {host}: charts may not use the network"
                self.stopped = ChartError(msg, line)
            msg = f"sosai.features.charts: charts may not use the network ({host})"
            raise ConnectionRefusedError(msg)

        return refuse


def _stopped_by(exc: BaseException) -> str:
    """What an exception out of a chart did, in a line."""
    if isinstance(exc, SystemExit):
        return f"exited (SystemExit {exc.code!r}) before drawing"
    text = textwrap.shorten(str(exc), 300, placeholder=" …")
    return f"failed: {type(exc).__name__}" + (f": {text}" if text else "")


def _deepest_line(exc: BaseException, script: Path) -> int | None:
    """The line of the deepest frame of the traceback in the chart's own code."""
    frames = traceback.walk_tb(exc.__traceback__)
    lines = [n for frame, n in frames if frame.f_code.co_filename == str(script)]
    return lines[-1] if lines else None


def _check(figure: Any, line: int) -> None:
    """Raise :class:`ChartError` unless ``figure`` is a figure with something drawn on it."""
    from matplotlib.figure import Figure

    if not isinstance(figure, Figure):
        got = "None" if figure is None else f"a {type(figure).__name__}"
        raise ChartError(f"drew nothing: draw() returned {got}, not a matplotlib figure", line)
    drawn = [ax.has_data() or ax.texts or ax.tables or ax.artists for ax in figure.axes]
    if not any(drawn) and not (figure.texts or figure.images or figure.lines or figure.patches):
        raise ChartError("drew nothing: its figure is empty", line)


def _write(figure: Figure, path: Path) -> None:
    """Write ``figure`` as SVG to ``path``."""
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="svg", metadata={"Date": None})
    plt.close(figure)
    # matplotlib writes the SVG 1.1 DOCTYPE, whose external DTD EPUB forbids
    # (EPUBCheck reported 37 errors per chart); browsers ignore it.
    path.write_text(DOCTYPE.sub("", path.read_text(encoding="utf-8"), count=1), encoding="utf-8")


def _load_script(path: Path) -> ModuleType:
    """The chart script as a module (in the worker)."""
    spec = importlib.util.spec_from_file_location(f"sosai_chart_{path.stem}", path)
    if spec is None or spec.loader is None:
        msg = f"cannot import {path}"
        raise ImportError(msg)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def charts_used(sources: Iterable[Path]) -> list[str]:
    """Names of the charts the given MyST pages use, in order of first use."""
    names: dict[str, None] = {}
    for source in sources:
        for name in USE.findall(source.read_text(encoding="utf-8")):
            names.setdefault(name, None)
    return list(names)


def drawer_of(app: Sphinx) -> Drawer:
    """The build's chart worker (a parallel reader's own, in a parallel build)."""
    current = getattr(app, "sosai_chart_drawer", None)
    if current is None or current.owner != os.getpid():
        current = app.sosai_chart_drawer = Drawer(app.config.sosai_chart_timeout)
    return current


def start_drawing(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Send the missing charts of the pages about to be read to the worker.

    Connected to ``env-before-read-docs``. Drawing is a third of a clean build: in the
    worker it overlaps with reading the pages, in the order they are read, and the
    directive waits for its own chart. Problems are left to the directive, which
    reports them. A parallel build (-j) reads in forked processes, which each start a
    worker when a page needs a chart.
    """
    if app.parallel > 1:
        return
    srcdir = Path(app.srcdir)
    scripts_dir = srcdir / app.config.sosai_charts_dir
    data_dir = srcdir / app.config.sosai_data_dir
    out_dir = Path(app.doctreedir) / CHARTS_SUBDIR
    sources = [Path(env.doc2path(d)) for d in docnames]
    for name in charts_used(s for s in sources if s.suffix == ".md" and s.is_file()):
        try:
            job, _ = _plan(scripts_dir / f"{name}.py", data_dir, out_dir)
        except Exception:  # reported by the directive that uses the chart
            continue
        if not job.svg.exists():
            drawer_of(app).submit(job)


def stop_drawing(app: Sphinx, exception: Exception | None) -> None:
    """End the worker at the end of the build."""
    current = getattr(app, "sosai_chart_drawer", None)
    if current is not None and current.owner == os.getpid():
        current.close()


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
        data_dir = srcdir / self.config.sosai_data_dir
        out_dir = Path(self.env.app.doctreedir) / CHARTS_SUBDIR
        try:
            svg, inputs = render(script, data_dir, out_dir, drawer_of(self.env.app))
        except data.DataError as exc:
            return self.warn(f"chart {name!r} not drawn: " + "; ".join(map(str, exc.problems[:3])))
        except ChartError as exc:  # at the script's line: the page is not at fault
            where = f"{script}:{exc.line or 1}"
            logger.warning(f"chart {name!r} {exc}", location=where, type="sosai", subtype="chart")
            return []
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
    """Register ``sosai_charts_dir``, ``sosai_chart_timeout`` and the ``data-chart`` directive."""
    app.setup_extension("sosai.features.data")
    app.connect("builder-inited", publish_static)
    app.add_js_file("sosai-figures.js", loading_method="defer")
    app.add_config_value("sosai_charts_dir", "_charts", "env", types=frozenset({str}))
    app.add_config_value("sosai_chart_timeout", DEFAULT_TIMEOUT, "", types=frozenset({int, float}))
    app.add_directive(DIRECTIVE_NAME, DataChartDirective)
    app.connect("env-before-read-docs", start_drawing)
    app.connect("build-finished", stop_drawing)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
