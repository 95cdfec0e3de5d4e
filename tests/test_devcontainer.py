"""The Dev Container / Codespaces definition (JSON with comments)."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import BOOK


def load_jsonc(text: str) -> dict:
    """Parse JSON with // and /* */ comments (outside strings) and trailing commas."""
    token = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.DOTALL)
    stripped = token.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)
    return json.loads(re.sub(r",(\s*[}\]])", r"\1", stripped))


@pytest.fixture(scope="module")
def devcontainer() -> dict:
    return load_jsonc((BOOK / ".devcontainer" / "devcontainer.json").read_text(encoding="utf-8"))


def test_jsonc_parser_keeps_slashes_inside_strings():
    assert load_jsonc('{"a": "http://x", // c\n "b": [1,],}') == {"a": "http://x", "b": [1]}


def test_stock_python_image(devcontainer):
    assert devcontainer["image"].startswith("mcr.microsoft.com/devcontainers/python:3.11")
    assert "build" not in devcontainer  # no custom Dockerfile


def test_installs_on_create_and_previews_on_attach(devcontainer):
    assert "make install" in devcontainer["postCreateCommand"]
    assert "make serve" in devcontainer["postAttachCommand"]
    assert "HOST=0.0.0.0" in devcontainer["postAttachCommand"]


def test_forwards_the_preview_port_with_a_label(devcontainer):
    assert 8000 in devcontainer["forwardPorts"]
    port = devcontainer["portsAttributes"]["8000"]
    assert port["label"]
    assert port["onAutoForward"] == "openPreview"


def test_recommends_myst_markdown_lint_and_spelling_extensions(devcontainer):
    extensions = devcontainer["customizations"]["vscode"]["extensions"]
    assert "ExecutableBookProject.myst-highlight" in extensions
    assert "DavidAnson.vscode-markdownlint" in extensions
    assert "streetsidesoftware.code-spell-checker" in extensions


def test_readme_links_to_codespaces():
    assert (
        "https://codespaces.new/premAI-io/state-of-open-source-ai"
        in (BOOK / "README.md").read_text()
    )
