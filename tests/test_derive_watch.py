"""The rows' ``watch`` fields: derived from their own sources (``tools/derive_watch.py``)."""

from __future__ import annotations

import re

import pytest
import yaml

from sosai.features import data
from tests.conftest import BOOK
from tools import derive_watch as dw


@pytest.mark.parametrize(
    ("url", "repository"),
    [
        ("https://github.com/vllm-project/vllm", "vllm-project/vllm"),
        ("https://github.com/vllm-project/vllm/", "vllm-project/vllm"),
        ("https://www.github.com/ollama/ollama.git", "ollama/ollama"),
        ("https://github.com/ggml-org/llama.cpp/releases/tag/b9940", "ggml-org/llama.cpp"),
        ("https://github.com/ggml-org/llama.cpp/releases", "ggml-org/llama.cpp"),
        ("https://github.com/ggml-org/llama.cpp#readme", "ggml-org/llama.cpp"),
        # A file, a folder or a pull request in a repository does not name the row's project:
        ("https://github.com/lmstudio-ai/docs/blob/main/1_developer/api-changelog.md", None),
        ("https://github.com/embeddings-benchmark/mteb/tree/main/mteb/models", None),
        ("https://github.com/open-webui/docs/pull/847.patch", None),
        ("https://github.com/orgs/community/discussions", None),
        ("https://github.com/ollama", None),  # an owner, not a repository
        ("https://gitlab.com/a/b", None),
    ],
)
def test_github_repository_only_from_a_repository_home_or_its_releases(url, repository):
    assert dw.github_repository(url) == repository


@pytest.mark.parametrize(
    ("url", "organisation"),
    [
        ("https://huggingface.co/Qwen/Qwen3.5-397B-A17B", "Qwen"),
        ("https://huggingface.co/mistralai/Mistral-Large-3/blob/main/README.md", "mistralai"),
        ("https://huggingface.co/nvidia", "nvidia"),
        ("https://huggingface.co/docs/hub/local-apps", None),
        ("https://huggingface.co/blog/gemma4", None),
        ("https://huggingface.co/datasets/cais/hle-rolling", None),
        ("https://huggingface.co/spaces/bigscience/license", None),
        ("https://example.org/huggingface.co/Qwen/x", None),
    ],
)
def test_hugging_face_organisation_only_from_model_or_organisation_pages(url, organisation):
    assert dw.hugging_face_organisation(url) == organisation


def test_derive_takes_a_key_only_when_one_candidate_qualifies():
    urls = {
        "app-repo": "https://github.com/acme/app",
        "app-release": "https://github.com/ACME/App/releases/tag/v2",  # same repo, other case
        "other-repo": "https://github.com/acme/other",
        "card": "https://huggingface.co/acme/model-7b",
        "docs": "https://github.com/acme/docs/blob/main/x.md",
    }
    one = dw.derive(["app-repo", "app-release", "card", "docs", "unknown-key"], urls)
    assert (one.watch, one.ambiguous) == ({"github": "acme/app", "huggingface": "acme"}, {})
    two = dw.derive(["app-repo", "other-repo", "https://huggingface.co/beta/m"], urls)
    assert two.watch == {"huggingface": "beta"}
    assert two.ambiguous == {"github": ["acme/app", "acme/other"]}
    assert dw.derive(["docs"], urls).watch == {}


def test_insert_watch_adds_one_line_above_as_of_and_keeps_everything_else():
    text = (
        "# A comment that stays.\n"
        '- id: "a"\n'
        '  sources: ["a-repo"]\n'
        '  as_of: "2026-11"\n'
        "\n"
        "- id: b\n"
        "  as_of: 2026-08  # checked by hand\n"
        "  sources:\n"
        "    - b-repo\n"
    )
    written = dw.insert_watch(
        text, {0: {"github": "acme/a"}, 1: {"github": "o/b", "huggingface": "o"}}
    )
    assert written == (
        "# A comment that stays.\n"
        '- id: "a"\n'
        '  sources: ["a-repo"]\n'
        '  watch: {github: "acme/a"}\n'
        '  as_of: "2026-11"\n'
        "\n"
        "- id: b\n"
        '  watch: {github: "o/b", huggingface: "o"}\n'
        "  as_of: 2026-08  # checked by hand\n"
        "  sources:\n"
        "    - b-repo\n"
    )
    rows = yaml.safe_load(written)
    assert rows[1]["watch"] == {"github": "o/b", "huggingface": "o"}


def test_the_tool_writes_once_and_leaves_watched_rows_alone(tmp_path, capsys):
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "apps.schema.json").write_text(
        '{"items": {"properties": {"id": {}, "watch": {}, "as_of": {}, "sources": {}}}}'
    )
    (tmp_path / "schema" / "notes.schema.json").write_text('{"items": {"properties": {}}}')
    (tmp_path / "apps.yml").write_text(
        '- id: one\n  sources: [one-repo]\n  as_of: "2026-11"\n'
        '- id: two\n  sources: [one-repo, two-repo]\n  as_of: "2026-11"\n'
    )
    (tmp_path / "notes.yml").write_text('- id: n\n  sources: [one-repo]\n  as_of: "2026-11"\n')
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@online{one-repo, title = {One}, url = {https://github.com/acme/one}}\n"
        "@online{two-repo, title = {Two}, url = {https://github.com/acme/two}}\n"
    )
    where = ["--data", str(tmp_path), "--bib", str(bib)]
    assert dw.main([*where, "--write"]) == 0
    out = capsys.readouterr().out
    assert 'apps: one: watch: {github: "acme/one"}' in out
    assert "apps: two: several github candidates: acme/one, acme/two" in out
    assert out.splitlines()[-1].startswith("1 github and 0 huggingface watches derived for 2 rows")
    assert 'watch: {github: "acme/one"}' in (tmp_path / "apps.yml").read_text()
    assert "watch" not in (tmp_path / "notes.yml").read_text()  # its schema has no watch
    dw.main([*where, "--write"])
    assert "1 rows already watched" in capsys.readouterr().out
    assert (tmp_path / "apps.yml").read_text().count("watch:") == 1


WATCHED = dw.watched_tables(BOOK / "_data")


@pytest.mark.parametrize("path", WATCHED, ids=[p.name for p in WATCHED])
def test_every_watch_in_the_book_comes_from_the_rows_own_sources(path):
    urls = dw.bib_urls(BOOK / "references.bib")
    invented = []
    for row in data.load(path).rows:
        for key, value in row.get("watch", {}).items():
            links = [urls.get(s, s) for s in row["sources"]]
            named = dw.github_repository if key == "github" else dw.hugging_face_organisation
            if value.lower() not in {(named(u) or "").lower() for u in links}:
                invented.append(f"{row['id']}: {key} {value}")
    assert invented == [], "a watch must name a repository or organisation the row cites"


def test_watched_tables_are_shown_with_chosen_columns():
    """A table without ``:columns:`` would show every field, ``watch`` included."""
    names = {path.stem for path in WATCHED}
    directive = re.compile(
        r"```\{data-table\}\s+_data/(?P<name>[\w-]+)\.yml\n(?P<options>(:.*\n)*)"
    )
    for chapter in BOOK.glob("*.md"):
        for found in directive.finditer(chapter.read_text(encoding="utf-8")):
            if found["name"] in names:
                assert ":columns:" in found["options"], f"{chapter.name}: {found['name']}"
