"""The garbage collector runs less often during a build (``sosai.speed.gctuning``)."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import BOOK, ROOTS


def build_noting_collector(make_app, srcdir, **confoverrides) -> list[tuple]:
    """Build, noting the thresholds and the number of frozen objects mid-build."""
    app = make_app("html", srcdir=srcdir, confoverrides=confoverrides, freshenv=True)
    during: list[tuple] = []
    app.connect(
        "env-updated", lambda app, env: during.append((gc.get_threshold(), gc.get_freeze_count()))
    )
    app.build(force_all=True)
    return during


@pytest.mark.sphinx("html", testroot="gctuning")
def test_collector_is_tuned_for_the_build_and_restored_after(make_app, app_params):
    before = gc.get_threshold()
    assert before != (50_000, 20, 20)
    assert gc.get_freeze_count() == 0
    [(threshold, frozen)] = build_noting_collector(make_app, app_params[1]["srcdir"])
    assert threshold == (50_000, 20, 20)
    assert frozen > 10_000  # the modules and settings alive when the builder started
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


@pytest.mark.sphinx("html", testroot="gctuning")
def test_zero_leaves_the_collector_alone(make_app, app_params):
    before = gc.get_threshold()
    srcdir = app_params[1]["srcdir"]
    assert build_noting_collector(make_app, srcdir, sosai_gc_threshold=0) == [(before, 0)]
    assert gc.get_threshold() == before


def test_live_objects_are_frozen_before_the_interpreter_exits(tmp_path):
    # An exit hook registered before the build runs after the extension's own
    # (exit hooks run last-in, first-out) and sees what the final collections will.
    script = textwrap.dedent(f"""
        import atexit, gc, sys
        sys.path.insert(0, {str(BOOK / "_ext")!r})
        atexit.register(lambda: print("frozen", gc.get_freeze_count()))
        from sphinx.application import Sphinx
        app = Sphinx({str(ROOTS / "test-gctuning")!r}, {str(ROOTS / "test-gctuning")!r},
                     {str(tmp_path / "html")!r}, {str(tmp_path / "doctrees")!r}, "html",
                     status=None, warning=None)
        app.build()
        print("after build", gc.get_freeze_count())
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    after_build, frozen = result.stdout.splitlines()
    assert after_build == "after build 0"
    assert int(frozen.split()[1]) > 10_000
