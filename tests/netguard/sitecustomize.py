"""Refuse network access in the test process and in every Python process it starts.

:func:`tests.book.no_network` installs :func:`refuse_connections` in the test process
and, for the processes it starts (the ``jupyter-book`` builds of the EPUB and PDF, and
whatever they start), puts this folder first on ``PYTHONPATH`` and names a log file in
:data:`LOG_VARIABLE`. Python imports ``sitecustomize`` from its path as it starts, so
each child Python process runs :func:`guard_this_process` before anything else: it
refuses connections the same way and appends each refused attempt, and the fact that
it was guarded, to the log, for the test to assert on.

Where the kernel lets an unprivileged process create namespaces (here, not on
GitHub's Ubuntu 24.04 runners, whose AppArmor forbids it), the child first moves into
a network namespace of its own, with no interface up, so that the programs *it*
starts (git, anything not written in Python) have no network either. With loopback
allowed there is no namespace: its loopback interface would be down.

A child started with ``python -I``, ``-E`` or ``-S`` skips ``sitecustomize`` and
escapes the Python refusal (nothing the book runs does). Standard library only, since
this runs before anything else is importable.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import socket
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

LOG_VARIABLE = "SOSAI_NO_NETWORK_LOG"  # set: guard this process, log to that file
LOOPBACK_VARIABLE = "SOSAI_NO_NETWORK_ALLOW_LOOPBACK"  # "1": 127.0.0.1 stays reachable
LOOPBACK = {None, "localhost", "127.0.0.1", "::1", b"localhost"}
REFUSED = "network disabled during the build"
CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000  # from <sched.h>
ECONNREFUSED = 111


def refuse_connections(
    record: Callable[[Any], None], *, allow_loopback: bool = False
) -> Callable[[], None]:
    """Make sockets refuse outbound connections and lookups; return the undo.

    Local (AF_UNIX) sockets still work, and loopback too with ``allow_loopback``.
    ``record`` is called with each refused address (or ``("getaddrinfo", host)``).
    """
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def refused(sock: socket.socket, address: Any) -> bool:
        if sock.family == socket.AF_UNIX:
            return False
        if allow_loopback and isinstance(address, tuple) and address[0] in LOOPBACK:
            return False
        record(address)
        return True

    def connect(sock: socket.socket, address: Any) -> None:
        if refused(sock, address):
            msg = f"{REFUSED}: connect to {address!r}"
            raise OSError(msg)
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        return ECONNREFUSED if refused(sock, address) else real_connect_ex(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host in LOOPBACK:
            return real_getaddrinfo(host, *args, **kwargs)
        record(("getaddrinfo", host))
        msg = f"{REFUSED}: lookup of {host!r}"
        raise socket.gaierror(msg)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    socket.getaddrinfo = getaddrinfo

    def undo() -> None:
        socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex
        socket.getaddrinfo = real_getaddrinfo

    return undo


def enter_network_namespace() -> bool:
    """Move this process into a new user and network namespace, if the kernel allows.

    Keeps its user and group ids (mapped to themselves). False where namespaces are
    unavailable, the process then being unchanged: ``unshare`` is all or nothing.
    """
    uid, gid = os.getuid(), os.getgid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
            return False
    except (OSError, AttributeError):  # no libc, or no unshare in it (not Linux)
        return False
    for path, mapping in (
        ("/proc/self/setgroups", "deny"),  # the kernel's condition for writing gid_map
        ("/proc/self/uid_map", f"{uid} {uid} 1"),
        ("/proc/self/gid_map", f"{gid} {gid} 1"),
    ):
        with contextlib.suppress(OSError), open(path, "w", encoding="ascii") as f:
            f.write(mapping)
    return True


def already_isolated() -> bool:
    """True inside a network namespace whose only interface is loopback."""
    try:
        with open("/proc/self/net/dev", encoding="ascii") as f:
            interfaces = {line.split(":")[0].strip() for line in f.readlines()[2:]}
    except OSError:
        return False
    return interfaces == {"lo"}


def guard_this_process() -> None:
    """Refuse the network here, as the environment asks, and log to its file."""
    log_path = os.environ[LOG_VARIABLE]
    allow_loopback = os.environ.get(LOOPBACK_VARIABLE) == "1"

    def write(entry: dict[str, Any]) -> None:
        # Opened per entry in append mode, so lines of concurrent children never mix.
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")

    isolated = not allow_loopback and (already_isolated() or enter_network_namespace())
    refuse_connections(
        lambda address: write({"refused": repr(address)}), allow_loopback=allow_loopback
    )
    write({"guarded": sys.argv[:1], "pid": os.getpid(), "namespace": isolated})


if os.environ.get(LOG_VARIABLE):
    guard_this_process()
