"""Build a Jupyter Book in-process, as ``jupyter-book build --builder dirhtml`` does.

Used by the test suite (the real book once per session, and the mini-books under
``tests/roots/test-book-*``) and by the benchmark. Running in-process lets a test
capture every warning. :func:`no_network` refuses network access to the test process
and to every Python process it starts (``tests/netguard/sitecustomize.py``), on any
machine, including a GitHub runner where network namespaces are unavailable.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from jupyter_book.config import get_final_config
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace, patch_docutils

from tests.netguard import sitecustomize as netguard

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sphinx.environment import BuildEnvironment

BUILDER = "dirhtml"
NETGUARD_DIR = Path(netguard.__file__).parent  # first on a child's PYTHONPATH


@dataclass
class Build:
    """What a build produced: its output folder, log and warnings."""

    srcdir: Path
    outdir: Path
    status: str
    warnings: str
    exception: BaseException | None = None
    env: BuildEnvironment | None = field(default=None, repr=False)

    @property
    def warning_lines(self) -> list[str]:
        """One entry per warning or error."""
        return [line for line in self.warnings.splitlines() if line.strip()]


@dataclass
class NetworkLog:
    """Outbound connections that were attempted (and refused), here and in children.

    ``children`` has one entry per guarded child Python process: its ``argv[0]`` and
    whether it ran in a network namespace of its own.
    """

    attempts: list[Any] = field(default_factory=list)
    children: list[dict[str, Any]] = field(default_factory=list)

    def read_children_log(self, path: Path) -> None:
        """Add what the guarded child processes wrote to their log file."""
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if "refused" in entry:
                self.attempts.append(entry["refused"])
            else:
                self.children.append(entry)


def sphinx_config(srcdir: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Sphinx settings Jupyter Book derives from ``srcdir/_config.yml``."""
    config, _meta = get_final_config(
        user_yaml=srcdir / "_config.yml",
        cli_config={
            "latex_individualpages": False,
            "external_toc_path": (srcdir / "_toc.yml").as_posix(),
            "nitpicky": True,
        },
        sourcedir=srcdir,
    )
    config.update(overrides or {})
    return config


def build(
    srcdir: Path,
    outdir: Path | None = None,
    *,
    fresh: bool = True,
    strict: bool = True,
    overrides: dict[str, Any] | None = None,
    parallel: int = 1,
    builder: str = BUILDER,
) -> Build:
    """Build ``srcdir`` to ``outdir`` (default ``srcdir/_build/dirhtml``).

    ``strict`` mirrors ``--warningiserror --keep-going``: every warning is collected
    (the caller asserts on them) and the build runs to the end. Exceptions are
    captured on the result rather than raised.
    """
    srcdir = Path(srcdir).resolve()
    outdir = Path(outdir or srcdir / "_build" / builder).resolve()
    status, warnings = StringIO(), StringIO()
    exception, app = None, None
    try:
        with patch_docutils(srcdir), docutils_namespace():
            app = Sphinx(
                srcdir=srcdir,
                confdir=None,
                outdir=outdir,
                doctreedir=outdir.parent / ".doctrees",
                buildername=builder,
                confoverrides=sphinx_config(srcdir, overrides),
                status=status,
                warning=warnings,
                freshenv=fresh,
                warningiserror=False,
                keep_going=strict,
                parallel=parallel,
            )
            app.build(force_all=fresh)
    except Exception as exc:
        exception = exc
        app = None
    env = app.env if app is not None else None
    return Build(srcdir, outdir, status.getvalue(), warnings.getvalue(), exception, env)


@contextlib.contextmanager
def no_network(*, allow_loopback: bool = False) -> Iterator[NetworkLog]:
    """Refuse every outbound internet connection, here and in child processes; log who tried.

    Local (AF_UNIX) sockets still work, and 127.0.0.1 too with ``allow_loopback``
    (for tests that serve pages locally). Name lookups fail as they would offline.
    Child Python processes started meanwhile are guarded by
    ``tests/netguard/sitecustomize.py``, in a network namespace where possible.
    """
    log = NetworkLog()
    undo = netguard.refuse_connections(log.attempts.append, allow_loopback=allow_loopback)
    with tempfile.TemporaryDirectory(prefix="sosai-netguard-") as folder:
        children_log = Path(folder) / "children.jsonl"
        children_log.touch()
        pythonpath = os.pathsep.join(
            p for p in (str(NETGUARD_DIR), os.environ.get("PYTHONPATH")) if p
        )
        child_settings = {
            "PYTHONPATH": pythonpath,
            netguard.LOG_VARIABLE: str(children_log),
            netguard.LOOPBACK_VARIABLE: "1" if allow_loopback else "0",
        }
        with _environment(child_settings):
            try:
                yield log
            finally:
                undo()
                log.read_children_log(children_log)


@contextlib.contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration, then restore them."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def write_config(srcdir: Path, template: Path, **changes: Any) -> None:
    """Write ``srcdir/_config.yml`` from a template config with top-level changes."""
    config = yaml.safe_load(template.read_text(encoding="utf-8"))
    config.update(changes)
    (srcdir / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
