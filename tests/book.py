"""Build a Jupyter Book in-process, as ``jupyter-book build --builder dirhtml`` does.

Used by the test suite (the real book once per session, and the mini-books under
``tests/roots/test-book-*``) and by the benchmark. Running in-process lets a test
capture every warning and refuse network access with :func:`no_network`, which
works on any machine, including a GitHub runner where ``unshare -n`` is unavailable.
"""

from __future__ import annotations

import contextlib
import socket
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from jupyter_book.config import get_final_config
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace, patch_docutils

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sphinx.environment import BuildEnvironment

BUILDER = "dirhtml"
LOOPBACK = {None, "localhost", "127.0.0.1", "::1", b"localhost"}


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
    """Outbound connections that were attempted (and refused)."""

    attempts: list[Any] = field(default_factory=list)


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
    """Refuse every outbound internet connection; log who tried.

    Local (AF_UNIX) sockets still work, and 127.0.0.1 too with ``allow_loopback``
    (for tests that serve pages locally). Name lookups fail as they would offline.
    """
    log = NetworkLog()
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def _refuse(sock: socket.socket, address: Any) -> bool:
        if sock.family == socket.AF_UNIX:
            return False
        if allow_loopback and isinstance(address, tuple) and address[0] in LOOPBACK:
            return False
        log.attempts.append(address)
        return True

    def connect(sock: socket.socket, address: Any) -> None:
        if _refuse(sock, address):
            msg = f"network disabled during the build: connect to {address!r}"
            raise OSError(msg)
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        if _refuse(sock, address):
            return 111  # ECONNREFUSED
        return real_connect_ex(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host in LOOPBACK:
            return real_getaddrinfo(host, *args, **kwargs)
        log.attempts.append(("getaddrinfo", host))
        msg = f"network disabled during the build: lookup of {host!r}"
        raise socket.gaierror(msg)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    socket.getaddrinfo = getaddrinfo
    try:
        yield log
    finally:
        socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex
        socket.getaddrinfo = real_getaddrinfo


def write_config(srcdir: Path, template: Path, **changes: Any) -> None:
    """Write ``srcdir/_config.yml`` from a template config with top-level changes."""
    config = yaml.safe_load(template.read_text(encoding="utf-8"))
    config.update(changes)
    (srcdir / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
