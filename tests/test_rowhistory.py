"""Rows' history from git (``sosai.features.rowhistory``) and the tables' "changed" line.

Each test makes a throwaway git repository from ``tests/roots/test-datatable`` with a
dated history of its data file: rows added, one re-checked (only ``as_of`` moves),
a commit where the file is not valid YAML, a field changed, a row added and one
removed.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from sosai.features import contributors, rowhistory

ISOLATED_GIT = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_SYSTEM": "/dev/null"}
DECEMBER_2026 = "1796342400"  # 2026-12-04, as SOURCE_DATE_EPOCH
ENGINE_D = """- id: engine-d
  name: Engine D
  licence: MIT
  backends: [CPU]
  stars: 10
  open: true
  notes: Added later.
  as_of: 2026-08
  sources: [https://engine-d.example]
"""


@pytest.fixture(autouse=True)
def build_in_december_2026(monkeypatch):
    """The "due" markers depend on the build's month: fix it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DECEMBER_2026)
    rowhistory.clear()


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True,
        env={**os.environ, **ISOLATED_GIT},
    )  # fmt: skip
    return result.stdout.strip()


def commit(repo: Path, day: str, message: str) -> str:
    """Commit everything on ``day`` (noon, UTC+2); the new commit's hash."""
    stamp = f"{day}T14:00:00+02:00"
    env = {
        **os.environ,
        **ISOLATED_GIT,
        "GIT_AUTHOR_NAME": "Ann",
        "GIT_AUTHOR_EMAIL": "ann@example.org",
        "GIT_COMMITTER_NAME": "Ann",
        "GIT_COMMITTER_EMAIL": "ann@example.org",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, check=True, env=env)
    return git(repo, "rev-parse", "HEAD")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def version(
    final: str, a_licence="Apache-2.0", a_as_of="2026-10", b_as_of="2026-08", *, c=True, d=False
) -> str:
    """The data file as it was: engine-a's licence and month checked, engine-b's month."""
    text = final if c else final.split("- id: engine-c", maxsplit=1)[0]
    text = text.replace("licence: Apache-2.0", f"licence: {a_licence}")
    text = text.replace("as_of: 2026-10", f"as_of: {a_as_of}")
    text = text.replace("as_of: 2026-08", f"as_of: {b_as_of}")
    return text + (ENGINE_D if d else "")


@pytest.fixture
def history(tmp_path: Path, rootdir: Path) -> tuple[Path, dict[str, str]]:
    """The test-datatable project with a history of its data file (hashes by name)."""
    return make_history(tmp_path / "book", rootdir)


def make_history(repo: Path, rootdir: Path) -> tuple[Path, dict[str, str]]:
    """Copy test-datatable to ``repo`` and commit a history of its data file."""
    shutil.copytree(rootdir / "test-datatable", repo)
    git(repo, "init", "-q", "-b", "main")
    engines = repo / "_data" / "engines.yml"
    final = engines.read_text(encoding="utf-8")
    steps = [
        ("first", "2026-05-10", version(final, "MIT", "2026-05", "2026-05")),
        ("recheck-b", "2026-08-01", version(final, "MIT", "2026-05", "2026-08")),  # as_of only
        ("broken", "2026-08-02", "- id: engine-a\n  name: [unclosed\n"),  # not YAML
        ("licence", "2026-08-03", version(final, "Apache-2.0", "2026-08", d=True)),
        ("removal", "2026-09-01", version(final, a_as_of="2026-08", c=False, d=True)),
        ("recheck-a", "2026-10-06", version(final, c=False, d=True)),  # as_of only
    ]
    commits = {}
    for name, day, text in steps:
        engines.write_text(text, encoding="utf-8")
        commits[name] = commit(repo, day, name)
    (repo / "notes.txt").write_text("Not data.\n", encoding="utf-8")
    commits["other"] = commit(repo, "2026-10-07", "A commit that leaves the data alone")
    return repo, commits


def test_added_changed_and_removed_rows_with_fields_and_dates(history):
    repo, commits = history
    found = rowhistory.file_history(repo / "_data" / "engines.yml")
    assert found.last_commit == commits["recheck-a"]
    events = [(e.row_id, e.kind, e.commit, e.date, e.fields) for e in found.events]
    assert events == [
        ("engine-a", "added", commits["first"], "2026-05-10T12:00:00Z", ()),
        ("engine-b", "added", commits["first"], "2026-05-10T12:00:00Z", ()),
        ("engine-c", "added", commits["first"], "2026-05-10T12:00:00Z", ()),
        # re-checks moved only as_of: no event; the broken version is skipped, and
        # the next valid one is compared with the last valid one
        ("engine-a", "changed", commits["licence"], "2026-08-03T12:00:00Z", ("licence",)),
        ("engine-d", "added", commits["licence"], "2026-08-03T12:00:00Z", ()),
        ("engine-c", "removed", commits["removal"], "2026-09-01T12:00:00Z", ()),
    ]
    assert sorted(found.rows) == ["engine-a", "engine-b", "engine-d"]  # current rows only
    a = found.rows["engine-a"]
    assert (a.added, a.last_changed) == ("2026-05-10T12:00:00Z", "2026-08-03T12:00:00Z")
    assert [e.kind for e in a.events] == ["added", "changed"]
    b = found.rows["engine-b"]
    assert (b.added, b.last_changed) == ("2026-05-10T12:00:00Z", "2026-05-10T12:00:00Z")
    engines = repo / "_data" / "engines.yml"
    rows = yaml.safe_load(engines.read_text(encoding="utf-8"))
    # Tables show edits only: adding a row is not an edit of it.
    assert found.last_edited(rows) == {"engine-a": "2026-08-03T12:00:00Z"}


def test_an_uncommitted_edit_has_no_date(history):
    repo, _ = history
    engines = repo / "_data" / "engines.yml"
    edit(engines, "Plain text.", "Edited, not committed.")
    rows = yaml.safe_load(engines.read_text(encoding="utf-8"))
    found = rowhistory.file_history(engines).last_changed(rows)
    assert found == {"engine-a": "2026-08-03T12:00:00Z", "engine-d": "2026-08-03T12:00:00Z"}


def test_a_merge_has_events_only_for_what_it_changed_itself(history):
    repo, _ = history
    engines = repo / "_data" / "engines.yml"
    git(repo, "checkout", "-q", "-b", "side")
    edit(engines, "Plain text.", "Edited on a branch.")
    side = commit(repo, "2026-10-10", "engine-b on a branch")
    git(repo, "checkout", "-q", "main")
    edit(engines, "Added later.", "Edited on main.")
    main = commit(repo, "2026-10-11", "engine-d on main")
    subprocess.run(
        ["git", "merge", "-q", "--no-edit", "side"], cwd=repo, check=True,
        env={**os.environ, **ISOLATED_GIT, "GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "a@b.c",
             "GIT_COMMITTER_NAME": "Ann", "GIT_COMMITTER_EMAIL": "a@b.c",
             "GIT_COMMITTER_DATE": "2026-10-12T12:00:00Z"},
    )  # fmt: skip
    rowhistory.clear()
    found = rowhistory.file_history(engines)
    late = [(e.row_id, e.kind, e.commit) for e in found.events if e.date >= "2026-10-08"]
    assert late == [("engine-b", "changed", side), ("engine-d", "changed", main)]
    assert found.rows["engine-b"].last_changed == "2026-10-10T12:00:00Z"


def test_without_git_or_with_a_shallow_clone_there_is_no_history(history, tmp_path, rootdir):
    repo, _ = history
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    plain = tmp_path / "plain"
    shutil.copytree(rootdir / "test-datatable", plain)
    contributors.history_problem.cache_clear()
    assert rowhistory.file_history(shallow / "_data" / "engines.yml") is None
    assert rowhistory.file_history(plain / "_data" / "engines.yml") is None


def test_the_history_is_kept_and_not_walked_again(history, monkeypatch, tmp_path):
    repo, _ = history
    engines = repo / "_data" / "engines.yml"
    calls: list[str] = []
    run = rowhistory._run

    def counted(cwd, *args, **kwargs):
        calls.append(args[0] if args[0] != "log" or "-1" not in args else "log -1")
        return run(cwd, *args, **kwargs)

    monkeypatch.setattr(rowhistory, "_run", counted)
    cache = tmp_path / "doctrees"
    first = rowhistory.file_history(engines, cache)
    assert calls == ["rev-parse", "log -1", "log", "cat-file"]
    assert (cache / "sosai-rowhistory" / "engines.yml.pickle").is_file()

    calls.clear()
    rowhistory.clear()  # a new build, HEAD where it was: only HEAD is asked
    assert rowhistory.file_history(engines, cache) == first
    assert calls == ["rev-parse"]

    calls.clear()
    (repo / "notes.txt").write_text("Changed.\n", encoding="utf-8")
    commit(repo, "2026-10-20", "Not the data")
    rowhistory.clear()  # HEAD moved, the file's last commit did not: no walk
    assert rowhistory.file_history(engines, cache) == first
    assert calls == ["rev-parse", "log -1"]

    calls.clear()
    edit(engines, "Plain text.", "Now committed.")
    commit(repo, "2026-10-21", "engine-b's notes")
    rowhistory.clear()
    again = rowhistory.file_history(engines, cache)
    assert calls == ["rev-parse", "log -1", "log", "cat-file"]  # one git process for every version
    assert again.rows["engine-b"].last_changed == "2026-10-21T12:00:00Z"


def html_tables(app) -> list:
    soup = BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    return soup.select("table.sosai-data-table")


def checked_column(table) -> list[str]:
    column = [th.get_text(strip=True) for th in table.select("thead th")].index("Checked")
    found = []
    for tr in table.select("tbody tr"):
        cell = copy.copy(tr.select("td")[column])  # a copy: the span is taken out of it
        changed = cell.select_one("span.sosai-changed")
        lines = [" ".join(changed.extract().get_text().split())] if changed else []
        found.append(" | ".join([" ".join(cell.get_text().split()), *lines]))
    return found


def build(make_app, srcdir: Path, **kwargs):
    app = make_app(
        "html",
        srcdir=srcdir,
        confoverrides={
            "extensions": [
                "myst_parser", "sphinxcontrib.bibtex", "sosai.features.datatable",
                "sosai.website.markdown",
            ],
            "html_baseurl": "https://example.org/book/",
        },
        **kwargs,
    )  # fmt: skip
    app.build()
    return app


def test_checked_cells_say_when_the_content_last_changed(make_app, history):
    repo, _ = history
    app = build(make_app, repo)
    assert app._warning.getvalue() == ""
    table = html_tables(app)[0]
    assert [tr.select("td")[0].get_text() for tr in table.select("tbody tr")] == [
        "Engine A", "Engine B", "Engine D",
    ]  # fmt: skip
    assert checked_column(table) == [
        "2026-10 | changed 2026-08",  # licence changed in August, checked in October
        "2026-08 (due)",  # never edited since it was added: one line
        "2026-08 (due)",  # added in August, checked then: one line
    ]
    changed = table.select_one("span.sosai-changed abbr")
    assert changed.get_text() == "changed"
    assert changed["title"] == "the month the row's content was last edited in the book"
    caption = table.select_one("caption").get_text(" ", strip=True)
    assert "changed" not in caption  # the cell says it in words; the caption need not
    markdown = (app.outdir / "index.html.md").read_text(encoding="utf-8")
    assert "| 2026-10 changed 2026-08 |" in markdown
    assert "changed 2026-05" not in markdown  # adding a row is not an edit


def test_downloads_give_the_day_each_row_last_changed(make_app, history):
    repo, _ = history
    app = build(make_app, repo)
    rows = list(csv.DictReader(io.StringIO((app.outdir / "data" / "engines.csv").read_text())))
    assert {r["id"]: r["last_changed"] for r in rows} == {
        "engine-a": "2026-08-03", "engine-b": "2026-05-10", "engine-d": "2026-08-03",
    }  # fmt: skip
    document = json.loads((app.outdir / "data" / "engines.json").read_text(encoding="utf-8"))
    assert document["columns"]["last_changed"] == "Last changed"
    days = [r["last_changed"] for r in document["rows"]]
    assert days == ["2026-08-03", "2026-05-10", "2026-08-03"]


def test_without_history_the_cells_give_only_the_month_checked(make_app, history, tmp_path):
    repo, _ = history
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    contributors.history_problem.cache_clear()
    app = build(make_app, shallow)
    assert checked_column(html_tables(app)[0]) == ["2026-10", "2026-08 (due)", "2026-08 (due)"]
    document = json.loads((app.outdir / "data" / "engines.json").read_text(encoding="utf-8"))
    assert [r["last_changed"] for r in document["rows"]] == [None, None, None]


def test_a_commit_to_the_data_renders_its_tables_again(make_app, history):
    repo, _ = history
    build(make_app, repo)
    engines = repo / "_data" / "engines.yml"
    edit(engines, "Plain text.", "Edited.")
    edited = build(make_app, repo)  # the file changed: read again, but not committed yet
    assert checked_column(html_tables(edited)[0])[1] == "2026-08 (due)"
    commit(repo, "2026-11-20", "engine-b's notes")  # the file stays as it is
    committed = build(make_app, repo)
    assert checked_column(html_tables(committed)[0])[1] == "2026-08 (due) | changed 2026-11"
    unchanged = build(make_app, repo)  # nothing new: nothing read again
    assert "0 added, 0 changed, 0 removed" in unchanged._status.getvalue()
