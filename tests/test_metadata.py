"""Citation metadata: CITATION.cff is valid and agrees with .zenodo.json and _config.yml."""

from __future__ import annotations

import json
from pathlib import Path

import check_jsonschema
import jsonschema
import pytest
import yaml

from sosai.features.cite_this_book import bibtex
from tests.conftest import BOOK

CFF_SCHEMA = (
    Path(check_jsonschema.__file__).parent / "builtin_schemas/vendor/citation-file-format.json"
)


@pytest.fixture(scope="module")
def cff() -> dict:
    return yaml.safe_load((BOOK / "CITATION.cff").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def zenodo() -> dict:
    return json.loads((BOOK / ".zenodo.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def config() -> dict:
    return yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))


def test_citation_cff_is_valid(cff):
    jsonschema.validate(cff, json.loads(CFF_SCHEMA.read_text(encoding="utf-8")))


def test_title_version_and_authors_agree(cff, zenodo, config):
    assert cff["title"] == zenodo["title"] == config["title"]
    assert cff["version"] == zenodo["version"] == config["sphinx"]["config"]["sosai_edition"]
    assert [a["name"] for a in cff["authors"]] == [c["name"] for c in zenodo["creators"]]
    assert cff["authors"][0]["name"] == config["author"]


def test_licences_agree(cff, zenodo):
    assert cff["license"] == ["CC-BY-4.0", "Apache-2.0"]
    assert zenodo["license"] == "CC-BY-4.0"  # Zenodo takes one: the text's licence


def test_keywords_and_urls_agree(cff, zenodo, config):
    assert cff["keywords"] == zenodo["keywords"]
    related = {r["relation"]: r["identifier"] for r in zenodo["related_identifiers"]}
    assert cff["url"] == related["isAlternateIdentifier"] == config["html"]["baseurl"]
    assert cff["repository-code"] == related["isSupplementedBy"] == config["repository"]["url"]


def test_doi_lives_in_config_and_appears_only_when_set(cff, config):
    doi = config["sphinx"]["config"]["sosai_doi"]
    assert cff.get("doi", "") == doi
    assert ("doi = {" in bibtex("T", "A", "2026", "https://x/", doi)) == bool(doi)
    assert "doi = {10.5281/zenodo.1}" in bibtex("T", "A", "2026", "https://x/", "10.5281/zenodo.1")


def test_no_invented_people(cff, zenodo):
    # Authorship is collective: the contributors are credited in the book itself.
    assert cff["authors"] == [{"name": "The State of Open Source AI contributors"}]
    assert zenodo["creators"] == [{"name": "The State of Open Source AI contributors"}]
