"""Sphinx configuration for sphinx-build and sphinx-autobuild (live preview).

The book's settings live in `_config.yml`; this file only asks Jupyter Book to
translate them, so `jupyter-book build` and `sphinx-autobuild` build the same book.
"""

from pathlib import Path

from jupyter_book.config import get_final_config

_root = Path(__file__).parent
_config, _ = get_final_config(
    user_yaml=_root / "_config.yml",
    cli_config={"latex_individualpages": False, "external_toc_path": "_toc.yml"},
    sourcedir=_root,
)
globals().update(_config)
