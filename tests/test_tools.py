"""The small command-line checks in ``tools/``."""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.request

import pytest
import yaml

from tools import bench, check_prose, compare_search
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


def test_compare_search_names_the_chapter_a_result_links_to():
    assert compare_search.chapter_of("http://127.0.0.1:8000/models/") == "models"
    assert compare_search.chapter_of("http://127.0.0.1:8000/models/#models-moe") == "models"
    assert compare_search.chapter_of("/vector-db/") == "vector-db"
    assert compare_search.chapter_of("/book/sdk/index.html") == "sdk"
    assert compare_search.chapter_of("/") == "index"
    assert compare_search.chapter_of("http://127.0.0.1:8000/index.html") == "index"


def test_compare_search_scores_first_place_and_top_three():
    assert compare_search.score(["sdk", "models"], "sdk") == {"first": True, "top3": True}
    assert compare_search.score(["index", "sdk", "sdk"], "sdk") == {"first": False, "top3": True}
    assert compare_search.score(["a", "b", "c", "sdk"], "sdk") == {"first": False, "top3": False}
    assert compare_search.score([], "sdk") == {"first": False, "top3": False}


def test_compare_search_tells_excerpts_from_index_files():
    assert compare_search.is_excerpt("http://127.0.0.1:1/models/")
    assert compare_search.is_excerpt("http://127.0.0.1:1/pagefind/fragment/en_1a2b.pf_fragment")
    assert not compare_search.is_excerpt("http://127.0.0.1:1/searchindex.js")
    assert not compare_search.is_excerpt("http://127.0.0.1:1/pagefind/index/en_3c4d.pf_index")
    run = compare_search.Run.of(
        ["models"], 12.34, {"/searchindex.js": 100, "/models/": 40, "/sdk/": 60}
    )
    assert (run.bytes, run.index_bytes, run.requests, run.ms) == (200, 100, 3, 12.3)


def test_compare_search_indexes_the_pages_sphinx_indexes(tmp_path):
    index = {"docnames": ["index", "models", "guide/index", "guide/setup"], "terms": {}}
    (tmp_path / "searchindex.js").write_text(f"Search.setIndex({json.dumps(index)})")
    assert compare_search.indexed_pages(tmp_path) == [
        "index.html",
        "models/index.html",
        "guide/index.html",
        "guide/setup/index.html",
    ]


def test_compare_search_totals_and_table(monkeypatch):
    queries = [("GGUF", "model-formats"), ("RAG", "vector-db")]
    monkeypatch.setattr(compare_search, "TOP_THREE", queries)
    monkeypatch.setattr(compare_search, "SPELLINGS", [("GGUF", "RAG", "vector-db")])
    runs = {
        "GGUF": {
            "sphinx": compare_search.Run(["model-formats"], 300, 1000, 800, 4),
            "pagefind": compare_search.Run(["glossary", "model-formats"], 100, 500, 400, 8),
        },
        "RAG": {
            "sphinx": compare_search.Run(["desktop-apps", "vector-db"], 500, 3000, 800, 6),
            "pagefind": compare_search.Run(["desktop-apps"], 200, 700, 600, 9),
        },
    }
    sizes = {
        "sphinx": {"index_bytes_on_disk": 9000},
        "pagefind": {
            "index_bytes_on_disk": 7000,
            "folder_bytes_on_disk": 8000,
            "ui_bytes_gzipped": 3000,
        },
    }
    results = compare_search.report(runs, sizes, "1.5.2", ["index.html", "sdk/index.html"])
    sphinx, pagefind = results["totals"]["sphinx"], results["totals"]["pagefind"]
    assert (sphinx["first"], sphinx["top3"], pagefind["first"], pagefind["top3"]) == (1, 2, 0, 1)
    assert (sphinx["median_ms"], sphinx["median_bytes"], sphinx["max_bytes"]) == (400, 2000, 3000)
    assert results["spellings"] == [
        {"american": "GGUF", "british": "RAG", "expected": "vector-db"}
        | {"sphinx": False, "pagefind": False}
    ]
    table = compare_search.markdown(results)
    assert (
        "| RAG | vector-db | desktop-apps, vector-db | top 3 | desktop-apps | **miss** |" in table
    )
    assert "| First place | 1/2 | 0/2 |" in table
    assert "| Top 3 | 2/2 | 1/2 |" in table
    assert "| Index on disk | 9.0 KB | 7.0 KB (folder 8.0 KB) |" in table
    assert "Pagefind 1.5.2 on the 2 pages Sphinx indexes, with `--root-selector" in table


def test_speed_benchmark_lists_each_variant_in_place_of_the_switch(tmp_path):
    variants = bench.speed_variants()
    every = variants["all"]
    assert variants["none"] == []
    assert variants["without fastnumref"] == [m for m in every if m != "sosai.speed.fastnumref"]
    assert len(variants) == 2 + len(every)
    original = (bench.ROOT / "_config.yml").read_text(encoding="utf-8")
    bench.use_speed_modules(tmp_path, original, variants["without gctuning"])
    written = yaml.safe_load((tmp_path / "_config.yml").read_text(encoding="utf-8"))
    book = yaml.safe_load(original)
    extensions = written["sphinx"]["config"]["extensions"]
    assert "sosai.speed" not in extensions
    assert extensions[:3] == [
        "sosai.speed.fastnumref",
        "sosai.speed.templates",
        "sosai.speed.bibdomain",
    ]
    assert extensions[3:] == book["sphinx"]["config"]["extensions"][1:]
