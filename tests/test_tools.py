"""The small command-line checks in ``tools/``."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request

import pytest

from tools import check_prose
from tools.gzip_server import serve


def test_prose_check_flags_banned_phrases_and_brand_spellings(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "We delve into a seamless, cutting-edge stack.\n"
        "Github hosts it; `Github` in code and https://Github.example are fine.\n"
        "GitHub and PyTorch are spelt right.\n"
    )
    found = check_prose.problems(page)
    assert f"{page}:1: banned phrase 'delve'" in found
    assert f"{page}:1: banned phrase 'seamless'" in found
    assert f"{page}:1: banned phrase 'cutting-edge'" in found
    assert f"{page}:2: write 'GitHub', not 'Github'" in found
    assert len(found) == 4
    assert check_prose.main([str(page)]) == 1


def test_prose_check_passes_clean_text(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("Plain sentences about GitHub and Hugging Face.\n")
    assert check_prose.main([str(page)]) == 0


def test_gzip_server_compresses_text_and_serves_the_404_page(tmp_path):
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text("<p>" + "hello " * 200 + "</p>")
    (tmp_path / "404.html").write_text("<h1>Page not found</h1>")
    with serve(tmp_path, "/book/") as base:
        request = urllib.request.Request(base + "page/", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(response.read()).startswith(b"<p>hello")
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "missing/")
        assert missing.value.code == 404
        assert b"Page not found" in missing.value.read()
