"""Let Python's garbage collector keep out of the way of a build.

A build makes millions of objects that live until it ends (docutils nodes, which
point to their parents, the environment, the bibliography), and almost none of them
become garbage. With Python's default thresholds (a collection every 700 net
allocations) the collector walks them again and again: most of a second of a
one-chapter rebuild and about two seconds of a clean build here (``make bench``).
Then, when the process exits, the interpreter's final collections walk them once
more, another second, only to free memory the operating system is about to reclaim.

So, for the length of the build, the first-generation threshold is raised (as
mypy does for the same reason), and the previous thresholds come back when the
build finishes. At interpreter exit, live objects are frozen (``gc.freeze``) so the
final collections skip them. Cyclic garbage is still collected during the build,
only less often. Nothing to write in MyST.

Config: ``sosai_gc_threshold`` (default 50000; 0 leaves the collector as it is).
"""

from __future__ import annotations

import atexit
import gc
from typing import TYPE_CHECKING

from sosai import __version__

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.util.typing import ExtensionMetadata

_saved_thresholds: list[tuple[int, int, int]] = []
_freeze_registered = False


def raise_threshold(app: Sphinx, config: Config) -> None:
    """Collect the youngest generation after ``sosai_gc_threshold`` allocations."""
    global _freeze_registered  # noqa: PLW0603 - one exit hook per process
    threshold = config.sosai_gc_threshold
    if threshold <= 0:
        return
    _saved_thresholds.append(gc.get_threshold())
    gc.set_threshold(threshold, 20, 20)
    if not _freeze_registered:
        atexit.register(gc.freeze)
        _freeze_registered = True


def restore_thresholds(app: Sphinx, exception: BaseException | None) -> None:
    """Put back the thresholds in force before the build."""
    if _saved_thresholds:
        gc.set_threshold(*_saved_thresholds.pop())


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register ``sosai_gc_threshold``; raise it for the build, restore it after."""
    app.add_config_value("sosai_gc_threshold", 50_000, "", types=(int,))
    app.connect("config-inited", raise_threshold)
    app.connect("build-finished", restore_thresholds)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
