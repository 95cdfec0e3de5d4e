"""The test session's network guard reaches the processes it starts.

TEST-NET-1 (192.0.2.1) is reserved for documentation: nothing answers there, so an
unguarded connection would at best be refused by a firewall and at worst time out.
Each test asserts the guard's own refusal, which is immediate.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests import book as bookbuild

TEST_NET = "192.0.2.1"
CONNECT = f"""
import socket
sock = socket.socket()
sock.settimeout(1)
try:
    sock.connect(({TEST_NET!r}, 80))
except OSError as error:
    print(error)
else:
    print("connected")
"""


def run_python(code: str) -> str:
    """Run ``code`` in a child Python process; its standard output."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout


def namespaces_available() -> bool:
    """Whether this machine lets an unprivileged process make a network namespace."""
    unshare = shutil.which("unshare")
    return bool(unshare) and subprocess.run([unshare, "-rn", "true"], check=False).returncode == 0


def test_a_child_python_process_is_refused_and_logged():
    with bookbuild.no_network() as network:
        said = run_python(CONNECT)
    assert said.startswith("network disabled during the build: connect to ('192.0.2.1', 80)")
    assert network.attempts == [f"('{TEST_NET}', 80)"]  # logged by the child
    assert [child["guarded"] for child in network.children] == [["-c"]]


def test_a_child_python_process_cannot_look_names_up():
    with bookbuild.no_network() as network:
        said = run_python(
            "import socket\ntry: socket.getaddrinfo('example.org', 443)\n"
            "except OSError as error: print(error)"
        )
    assert said.startswith("network disabled during the build: lookup of 'example.org'")
    assert network.attempts == ["('getaddrinfo', 'example.org')"]


def test_the_guard_ends_with_the_block():
    with bookbuild.no_network():
        pass
    said = run_python(CONNECT)
    assert "network disabled" not in said  # refused, timed out or connected: not by us


def test_a_guarded_childs_own_programs_have_no_network():
    """Where the kernel allows it, a guarded child lives in a network namespace."""
    if not namespaces_available():
        pytest.skip("no unprivileged network namespaces here (GitHub's Ubuntu 24.04 runners)")
    grandchildren = f"""
import json, subprocess
devices = subprocess.run(["cat", "/proc/self/net/dev"], capture_output=True, text=True).stdout
bash = subprocess.run(["bash", "-c", "exec 3<>/dev/tcp/{TEST_NET}/80"],
                      capture_output=True, text=True, timeout=30)
print(json.dumps({{
    "interfaces": sorted(line.split(":")[0].strip() for line in devices.splitlines()[2:]),
    "bash": bash.stderr,
}}))
"""
    with bookbuild.no_network() as network:
        said = json.loads(run_python(grandchildren))
    assert said["interfaces"] == ["lo"]  # as cat, a program not in Python, sees it
    assert "Network is unreachable" in said["bash"]  # refused at once, by the kernel
    assert network.children[0]["namespace"] is True


def test_loopback_stays_reachable_in_children_when_allowed():
    code = """
import socket
server = socket.create_server(("127.0.0.1", 0))
client = socket.create_connection(server.getsockname(), timeout=5)
print("connected")
"""
    with bookbuild.no_network(allow_loopback=True) as network:
        said = run_python(code)
    assert said == "connected\n"
    assert network.attempts == []
    assert network.children[0]["namespace"] is False
