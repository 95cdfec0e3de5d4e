"""The garbage collector runs less often during a build (``sosai.gctuning``)."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import BOOK, ROOTS


def build_noting_thresholds(make_app, srcdir, **confoverrides) -> list[tuple[int, int, int]]:
    app = make_app("html", srcdir=srcdir, confoverrides=confoverrides, freshenv=True)
    during: list[tuple[int, int, int]] = []
    app.connect("env-updated", lambda app, env: during.append(gc.get_threshold()))
    app.build(force_all=True)
    return during


@pytest.mark.sphinx("html", testroot="gctuning")
def test_threshold_is_raised_for_the_build_and_restored_after(make_app, app_params):
    before = gc.get_threshold()
    assert before != (50_000, 20, 20)
    assert build_noting_thresholds(make_app, app_params[1]["srcdir"]) == [(50_000, 20, 20)]
    assert gc.get_threshold() == before


@pytest.mark.sphinx("html", testroot="gctuning")
def test_zero_leaves_the_collector_alone(make_app, app_params):
    before = gc.get_threshold()
    srcdir = app_params[1]["srcdir"]
    assert build_noting_thresholds(make_app, srcdir, sosai_gc_threshold=0) == [before]


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
