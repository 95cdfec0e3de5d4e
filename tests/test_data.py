"""Loading and validating ``_data`` files (``sosai.features.data``), and the book's own data."""

from __future__ import annotations

import json
import pickle
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pybtex.database
import pytest

from sosai import shared
from sosai.features import data
from sosai.shared import is_web_url
from tests.conftest import BOOK, ROOTS

GOOD = ROOTS / "test-book-good" / "_data"


@pytest.fixture
def datadir(tmp_path: Path) -> Path:
    """A copy of the good mini-book's data folder, with the shared schema."""
    folder = tmp_path / "_data"
    shutil.copytree(GOOD, folder)
    shutil.copy(BOOK / "_data" / "schema" / "common.schema.json", folder / "schema")
    return folder


def problems_of(path: Path) -> list[data.Problem]:
    with pytest.raises(data.DataError) as caught:
        data.load(path)
    return caught.value.problems


def test_loads_rows_with_their_lines_and_titles(datadir):
    dataset = data.load(datadir / "things.yml")
    assert [row["id"] for row in dataset.rows] == ["small", "large"]
    assert dataset.lines == [1, 6]
    assert dataset.line_of(1, "size_b") == 8
    assert dataset.title("size_b") == "Parameters (B)"
    assert dataset.title("sources") == "Sources"  # from common.schema.json via $ref
    assert data.oldest_as_of(dataset.rows) == "2026-10"
    assert data.month_label("2026-10") == "October 2026"


def test_validation_is_remembered_between_builds_until_a_file_changes(
    datadir, tmp_path, monkeypatch
):
    app = SimpleNamespace(
        srcdir=str(tmp_path),
        doctreedir=str(tmp_path / "_build" / ".doctrees"),
        config=SimpleNamespace(sosai_data_dir="_data"),
    )
    validated = []
    real = data._load_uncached
    monkeypatch.setattr(data, "_load_uncached", lambda *a: validated.append(a[0]) or real(*a))
    monkeypatch.setattr(data, "_cache", {})
    data.validate_all(app)
    assert [p.name for p in validated] == ["things.yml"]
    data._cache.clear()  # a new build process: only the saved cache is left
    data.validate_all(app)
    assert len(validated) == 1
    data._cache.clear()
    path = datadir / "things.yml"
    path.write_text(path.read_text().replace("size_b: 70", "size_b: seventy"))
    with pytest.raises(data.DataError):
        data.load(path)  # the edited file is validated again, and fails
    assert len(validated) == 2


def test_malformed_yaml_names_the_line(datadir):
    path = datadir / "things.yml"
    path.write_text(path.read_text().replace("size_b: 70", "size_b: [70"))
    [problem] = problems_of(path)
    assert problem.line == 9
    assert str(problem).startswith("malformed YAML")


def test_schema_error_names_row_field_and_line(datadir):
    path = datadir / "things.yml"
    path.write_text(path.read_text().replace("size_b: 70", "size_b: seventy"))
    [problem] = problems_of(path)
    assert (problem.row, problem.row_id, problem.field, problem.line) == (2, "large", "size_b", 8)
    assert problem.location.endswith("things.yml:8")


def test_unexpected_field_is_located(datadir):
    path = datadir / "things.yml"
    path.write_text(path.read_text().replace("  name: Large\n", "  name: Large\n  colour: red\n"))
    [problem] = problems_of(path)
    assert (problem.row, problem.field, problem.line) == (2, "colour", 8)


def test_missing_required_field_and_bad_month(datadir):
    path = datadir / "things.yml"
    text = path.read_text().replace("  size_b: 8\n", "").replace("as_of: 2026-11", "as_of: 2026-13")
    path.write_text(text)
    messages = sorted(str(p) for p in problems_of(path))
    assert any("row 1 (small): 'size_b' is a required property" in m for m in messages)
    assert any("row 2 (large), field 'as_of'" in m for m in messages)


def test_duplicate_ids(datadir):
    path = datadir / "things.yml"
    path.write_text(path.read_text().replace("id: large", "id: small"))
    [problem] = problems_of(path)
    assert (problem.row, problem.field) == (2, "id")
    assert "duplicate id, first used in row 1" in problem.message


def test_a_data_file_needs_a_schema_and_a_list(datadir):
    (datadir / "orphan.yml").write_text("- id: a\n")
    assert "no schema" in str(problems_of(datadir / "orphan.yml")[0])
    (datadir / "schema" / "mapping.schema.json").write_text(json.dumps({"type": "array"}))
    (datadir / "mapping.yml").write_text("key: value\n")
    assert "must be a YAML list" in str(problems_of(datadir / "mapping.yml")[0])


BOOK_DATA = sorted((BOOK / "_data").glob("*.yml"))


@pytest.mark.parametrize("path", BOOK_DATA, ids=[p.name for p in BOOK_DATA])
def test_book_data_is_valid(path):
    dataset = data.load(path)
    assert dataset.rows


SCHEMAS = sorted((BOOK / "_data" / "schema").glob("*.schema.json"))


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.name for p in SCHEMAS])
def test_book_schemas_describe_tables_with_dates_and_sources(path):
    if path.name == "common.schema.json":
        return
    schema = json.loads(path.read_text())
    items = schema["items"]
    assert items.get("additionalProperties") is False
    assert {"as_of", "sources"} <= set(items["required"])
    untitled = [
        name
        for name, prop in items["properties"].items()
        if "title" not in prop and "$ref" not in prop and name != "id"
    ]
    assert untitled == [], "every column needs a title (its header)"


def test_model_licence_families_exist():
    """``licence_family`` in models.yml names a row of model-licences.yml."""
    models, licences = BOOK / "_data" / "models.yml", BOOK / "_data" / "model-licences.yml"
    if not licences.exists():
        pytest.skip("the licences table is not written yet")
    families = {row["id"] for row in data.load(licences).rows}
    used = {row.get("licence_family") for row in data.load(models).rows} - {None}
    assert used - families == set()


def test_model_architectures_are_consistent_and_cited():
    """``architecture`` in models.yml: layer counts add up, MLA widths come in pairs.

    Every source is a bib key of references.bib (the rendered tables do not cite them).
    """
    bib = pybtex.database.parse_file(BOOK / "references.bib")
    keys = {key.lower() for key in bib.entries}
    problems = []
    for row in data.load(BOOK / "_data" / "models.yml").rows:
        arch = row.get("architecture")
        if not arch:
            continue
        if not arch["sliding_layers"] <= arch["attention_layers"] <= arch["layers"]:
            problems.append(f"{row['id']}: sliding <= attention <= all layers")
        if (arch["sliding_window"] is None) != (arch["sliding_layers"] == 0):
            problems.append(f"{row['id']}: a window needs windowed layers, and back")
        if (arch["kv_lora_rank"] is None) != (arch["rope_head_dim"] is None):
            problems.append(f"{row['id']}: kv_lora_rank and rope_head_dim go together")
        problems += [
            f"{row['id']}: no bib entry {key}"
            for key in arch["sources"]
            if not is_web_url(key) and key not in keys
        ]
    assert problems == []


ARCHITECTURE = """\
  architecture:
    layers: 36
    attention_layers: 36
    sliding_window: 128
    sliding_layers: 18
    kv_heads: 8
    head_dim: 64
    kv_lora_rank: null
    rope_head_dim: null
    sources: [small-models]
"""


@pytest.mark.parametrize(
    ("architecture", "wanted"),
    [
        ("  architecture: null\n", None),
        (ARCHITECTURE, None),
        (ARCHITECTURE.replace("    head_dim: 64\n", ""), "'head_dim' is a required property"),
        (ARCHITECTURE.replace("    head_dim: 64\n", "    head_dim: 64\n    heads: 64\n"), "heads"),
        (ARCHITECTURE.replace("    layers: 36\n", "    layers: 0\n"), "minimum of 1"),
    ],
    ids=["null", "complete", "missing-key", "unknown-key", "no-layers"],
)
def test_model_architecture_is_optional_and_closed(tmp_path, architecture, wanted):
    """The models schema takes ``architecture`` as null or as exactly the calculator's keys."""
    folder = tmp_path / "_data"
    (folder / "schema").mkdir(parents=True)
    for name in ("models.schema.json", "common.schema.json"):
        shutil.copy(BOOK / "_data" / "schema" / name, folder / "schema" / name)
    row = (
        '- id: "tiny"\n  name: "Tiny"\n  organisation: "Org"\n  release: "2025-08"\n'
        '  kind: "llm"\n  input: ["text"]\n  output: ["text"]\n  moe: false\n'
        "  total_params_b: 1\n  active_params_b: null\n  context_tokens: 4096\n"
        '  licence: "Apache-2.0"\n  licence_family: null\n  open_data: null\n'
        '  open_code: null\n  sources: [small-models]\n  as_of: "2026-11"\n'
    )
    path = folder / "models.yml"
    path.write_text(row.replace("  sources:", architecture + "  sources:", 1))
    if wanted is None:
        assert data.load(path).rows[0]["id"] == "tiny"
    else:
        assert any(wanted in str(p) for p in problems_of(path))


def test_devices_name_existing_accelerator_rows():
    """``accelerator`` in devices.yml names a row of accelerators.yml (or is null)."""
    accelerators = {row["id"] for row in data.load(BOOK / "_data" / "accelerators.yml").rows}
    used = {row["accelerator"] for row in data.load(BOOK / "_data" / "devices.yml").rows} - {None}
    assert used - accelerators == set()


def test_memory_measurements_name_existing_models_and_state_their_context():
    """``model_id`` names a row of models.yml; a measured KV cache says how many tokens it holds."""
    models = {row["id"] for row in data.load(BOOK / "_data" / "models.yml").rows}
    rows = data.load(BOOK / "_data" / "memory-measurements.yml").rows
    assert {row["model_id"] for row in rows} - {None} - models == set()
    unstated = [r["id"] for r in rows if r["measured"]["kv_cache_gib"] and not r["context_tokens"]]
    assert unstated == []


def test_csv_makes_formula_like_text_inert_and_resolves_sources(datadir):
    things = datadir / "things.yml"
    things.write_text(
        things.read_text(encoding="utf-8").replace("name: Small", 'name: "=HYPERLINK(1)"'),
        encoding="utf-8",
    )
    dataset = data.load(things)
    urls = {"small-models": "https://example.org/small"}
    rows = data.to_csv(dataset, urls).splitlines()
    assert rows[0].endswith(",sources,source_urls")
    assert rows[1].startswith("small,'=HYPERLINK(1),8,")  # text, not a formula
    assert rows[1].endswith(",small-models,https://example.org/small")
    assert rows[2].endswith(",https://example.org/large,https://example.org/large")
    document = json.loads(data.to_json(dataset, urls))
    assert document["rows"][0]["name"] == "=HYPERLINK(1)"  # JSON keeps the value as it is
    assert document["rows"][0]["source_urls"] == ["https://example.org/small"]
    assert document["columns"]["source_urls"] == "Source URLs"


def test_csv_keeps_negative_numbers_as_numbers():
    assert data._csv_cell(-3) == "-3"
    assert data._csv_cell("-3 dB") == "'-3 dB"
    assert data._csv_cell(["@user", "x"]) == "'@user; x"


def test_csv_writes_a_mapping_as_key_value_pairs():
    assert data._csv_cell({"github": "vllm-project/vllm"}) == "github: vllm-project/vllm"
    assert data._csv_cell({"github": "a/b", "huggingface": "c"}) == "github: a/b; huggingface: c"


# Hostile and careless input (issue #16): each refused with one located problem.


def test_bytes_that_are_not_utf8_are_located(datadir):
    path = datadir / "things.yml"
    path.write_bytes(path.read_bytes().replace(b"name: Large", b"name: L\xe4rge"))
    [problem] = problems_of(path)
    assert problem.location == f"{path}:7"
    assert str(problem) == "not UTF-8 text: byte 0xe4 at column 10 of this line"


def test_control_character_is_located(datadir):
    path = datadir / "things.yml"
    path.write_text("- id: café\n" + path.read_text().replace("Large", "L\x07rge"))
    [problem] = problems_of(path)
    assert problem.location == f"{path}:8"  # libyaml counts bytes; the line is still right
    assert "character U+0007 is not allowed" in str(problem)


def test_key_written_twice(datadir):
    path = datadir / "things.yml"
    path.write_text(path.read_text().replace("  size_b: 70\n", "  size_b: 70\n  name: Huge\n"))
    [problem] = problems_of(path)
    assert problem.location == f"{path}:9"
    assert str(problem) == (
        "row 2 (large), field 'name': key 'name' written twice (first on line 7); "
        "YAML would keep only the last value"
    )


def test_key_written_twice_in_a_nested_mapping(datadir):
    (datadir / "schema" / "nested.schema.json").write_text(json.dumps({"type": "array"}))
    path = datadir / "nested.yml"
    path.write_text("- id: a\n  scores:\n    mmlu: 1\n    mmlu: 2\n")
    [problem] = problems_of(path)
    assert (problem.line, problem.row, problem.row_id, problem.field) == (4, 1, "a", None)


BILLION_LAUGHS = '- &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"- &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


def test_alias_bomb_is_refused_before_it_is_expanded(datadir):
    path = datadir / "things.yml"
    path.write_text(BILLION_LAUGHS)
    [problem] = problems_of(path)
    assert problem.location == f"{path}:6"  # the row that goes over the limit
    assert str(problem).startswith("too large once its YAML aliases are expanded: 490,329,055")


def test_aliases_within_the_limits_are_fine(datadir):
    path = datadir / "things.yml"
    text = path.read_text().replace("sources: [small-models]", "sources: &both [small-models]")
    path.write_text(text.replace("sources: [https://example.org/large]", "sources: *both"))
    assert data.load(path).rows[1]["sources"] == ["small-models"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- &a [1, *a]\n", "a YAML alias is used inside the value it names"),
        ("- " + "[" * 40 + "]" * 40 + "\n", f"nested more than {data.MAX_DEPTH} levels deep"),
    ],
    ids=["alias-in-itself", "too-deep"],
)
def test_trees_that_cannot_be_validated(datadir, text, message):
    path = datadir / "things.yml"
    path.write_text(text)
    [problem] = problems_of(path)
    assert (problem.line, str(problem)) == (1, message)


def test_as_of_later_than_the_month_of_the_build(datadir, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790812800")  # 2026-10-01
    assert data.build_month() == "2026-10"
    [problem] = problems_of(datadir / "things.yml")  # large: as_of 2026-11
    assert problem.location.endswith("things.yml:9")
    assert str(problem) == (
        "row 2 (large), field 'as_of': as_of 2026-11 is later than the month of this build, "
        "2026-10 (as_of is the month the row was checked)"
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793491200")  # 2026-11-01
    assert data.load(datadir / "things.yml").rows


def test_source_that_is_not_an_http_url(datadir):
    path = datadir / "things.yml"
    path.write_text(path.read_text().replace("https://example.org/large", "javascript:alert(1)"))
    [problem] = problems_of(path)
    assert (problem.line, problem.row_id, problem.field) == (10, "large", "sources")
    assert problem.message == (
        "'javascript:alert(1)' is neither a bib key nor an http(s) URL (percent-encode "
        "spaces, quotes, brackets and braces)"
    )


URLS = [
    "https://example.org/a?b=1&c=%28d%29#e",
    "http://example.org",
    "https://example.org/)<script>alert(1)</script>",
    "https://example.org/a b",
    'https://example.org/"onmouseover="x',
    "https://example.org/{x}",
    "https://example.org/\x07",
    "javascript:alert(1)",
    "data:text/html,x",
    "//example.org",
    "example.org",
]


@pytest.mark.parametrize("url", URLS)
def test_schema_and_code_accept_the_same_source_urls(url):
    """``sources`` in common.schema.json and ``sosai.is_web_url`` agree on every URL."""
    schema = json.loads((BOOK / "_data" / "schema" / "common.schema.json").read_text())
    pattern = schema["$defs"]["sources"]["items"]["pattern"]
    url_part = re.fullmatch(r"\^\(\[a-z0-9\]\[a-z0-9\.-\]\*\|(.*)\)\$", pattern).group(1)
    assert bool(re.fullmatch(url_part, url)) == is_web_url(url)
    assert is_web_url(url) == (URLS.index(url) < 2)


def test_a_cache_pickled_by_modules_that_have_moved_is_not_used(tmp_path):
    """A build after ``sosai.data`` became ``sosai.features.data`` found its old cache."""
    stale = tmp_path / "sosai-data.pickle"
    stale.write_bytes(b"csosai.data\nDataset\n.")  # a pickle of the old module's class
    with pytest.raises(ImportError):
        pickle.loads(stale.read_bytes())
    assert shared.load_kept(stale) is None
    before = dict(data._cache)
    data._restore_cache(stale)  # validates again instead of failing the build
    assert data._cache == before
