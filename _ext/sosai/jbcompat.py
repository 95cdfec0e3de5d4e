"""Accept Jupyter Book's notebook settings without loading myst-nb.

Jupyter Book 1 always passes its ``execute:`` defaults to Sphinx as ``nb_*``
settings (``jupyter_book/config.py::yaml_to_sphinx``). They belong to myst-nb,
which this book does not load: it has no notebooks, and myst-nb would add its CSS
and JavaScript to every page. Without this module each setting triggers "unknown
config value" warnings, which the strict build turns into errors. Nothing here is
used; delete the module if the book ever executes notebooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sosai import __version__

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

# The execute: keys of jupyter_book/default_config.yml, as Jupyter Book renames them.
NOTEBOOK_SETTINGS = (
    "nb_execution_allow_errors",
    "nb_execution_raise_on_error",
    "nb_eval_name_regex",
    "nb_execution_show_tb",
    "nb_execution_in_temp",
    "nb_output_stderr",
    "nb_execution_timeout",
    "nb_execution_cache_path",
    "nb_execution_mode",
    "nb_execution_excludepatterns",
)


def setup(app: Sphinx) -> ExtensionMetadata:
    """Declare the ``nb_*`` settings as known (and unused)."""
    for name in NOTEBOOK_SETTINGS:
        app.add_config_value(name, None, "")
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
