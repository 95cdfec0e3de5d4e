"""Contributors from git (``sosai.features.contributors``), the footer and the badges.

Each test makes a throwaway git repository from ``tests/roots/test-contributors``
with commits by several people, then builds it with Sphinx's testing app.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.util.console import strip_colors

from sosai.features import contributors

ISOLATED_GIT = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_SYSTEM": "/dev/null"}
EMAIL_AS_NAME = "ada@example.org"  # a git user.name that is an address


def commit(repo: Path, name: str, email: str, message: str) -> None:
    env = {
        **os.environ,
        **ISOLATED_GIT,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, check=True, env=env)


def append(path: Path, lines: int, word: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.writelines(f"{word} line {i}.\n\n" for i in range(lines))


@pytest.fixture
def history(tmp_path: Path, rootdir: Path) -> Path:
    """A repository with five authors and a .mailmap.

    Alice wrote most of the chapter, Bob (two addresses, which .mailmap joins and maps
    to his GitHub noreply address) some, Carol (GitHub noreply address) a little, Dan
    one line, and someone whose git ``user.name`` is an email address a few lines.
    """
    repo = tmp_path / "book"
    shutil.copytree(rootdir / "test-contributors", repo)
    subprocess.run(
        ["git", "init", "-q", "-b", "main"],
        cwd=repo,
        check=True,
        env={**os.environ, **ISOLATED_GIT},
    )
    chapter = repo / "chapter.md"
    append(chapter, 40, "Alice")
    commit(repo, "Alice Author", "alice@example.org", "Alice writes")
    append(chapter, 8, "Bob")
    commit(repo, "bob", "bob@old.example", "Bob writes (old address)")
    append(chapter, 8, "Bob")
    (repo / ".mailmap").write_text(
        "Bob Builder <bob-gh@users.noreply.github.com> <bob@corp.example>\n"
        "Bob Builder <bob-gh@users.noreply.github.com> <bob@old.example>\n"
    )
    commit(repo, "Bob Builder", "bob@corp.example", "Bob writes")
    append(chapter, 6, "Carol")
    commit(repo, "Carol", "12345+carol-gh@users.noreply.github.com", "Carol writes")
    append(chapter, 1, "Dan")
    commit(repo, "Dan", "dan@example.org", "Dan fixes a typo")
    append(chapter, 8, "Ada")
    commit(repo, EMAIL_AS_NAME, EMAIL_AS_NAME, "Ada writes, named by her address")
    return repo


def test_chapter_contributors_by_lines_with_mailmap_and_threshold(history):
    people = contributors.chapter_contributors(history, [history / "chapter.md"], 0.05)
    assert [(p.name, p.login) for p in people] == [
        ("Alice Author", None),
        ("Bob Builder", "bob-gh"),  # both addresses, one person; login from .mailmap
        ("Carol", "carol-gh"),  # login from the noreply address
    ]  # Dan wrote 2 of 129 credited lines, below 5%; Ada's name is an address
    assert people[0].amount > people[1].amount > people[2].amount


def test_book_contributors_by_commits(history):
    people = contributors.book_contributors(history)
    assert [p.name for p in people] == ["Bob Builder", "Alice Author", "Carol", "Dan"]
    assert people[0].amount == 2


def test_a_name_that_is_an_email_address_is_never_credited(history):
    log = subprocess.run(
        ["git", "log", "--format=%aN"], cwd=history, capture_output=True, text=True, check=True
    )
    assert EMAIL_AS_NAME in log.stdout.split()  # git has it; the credits must not
    everyone = contributors.book_contributors(history)
    chapter = contributors.chapter_contributors(history, [history / "chapter.md"], 0.0)
    assert "Dan" in [p.name for p in chapter]  # no threshold: only the address is left out
    assert [p for p in [*everyone, *chapter] if "@" in p.name] == []


def build(make_app, srcdir: Path, **overrides):
    app = make_app("dirhtml", srcdir=srcdir, confoverrides=overrides)
    app.build()
    return app


def page(app, name: str) -> BeautifulSoup:
    path = app.outdir / ("index.html" if name == "index" else f"{name}/index.html")
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_footer_credits_chapter_authors_without_emails(make_app, history):
    app = build(make_app, history)
    footer = page(app, "chapter").select_one("div.sosai-footer")
    credits = footer.select_one("p.sosai-contributors")
    assert credits.get_text() == "Written by Alice Author, Bob Builder and Carol."
    assert [a["href"] for a in credits.select("a")] == [
        "https://github.com/bob-gh",
        "https://github.com/carol-gh",
    ]
    for name in ("chapter", "index"):
        html = (app.outdir / ("" if name == "index" else name) / "index.html").read_text()
        assert "mailto:" not in html
        assert "example.org" not in html  # neither Alice's address nor Ada's name


def test_footer_links_to_issue_form_edit_page_and_comments(make_app, history):
    app = build(make_app, history)
    footer = page(app, "chapter").select_one("div.sosai-footer")
    hrefs = [a["href"] for a in footer.select("p:not(.sosai-contributors) a")]
    assert hrefs == [
        "https://github.com/example/book/issues/new?template=outdated.yml&title=%5Bchapter%5D+&labels=content&page=chapter",
        "https://github.com/example/book/edit/main/chapter.md",
    ]
    assert footer.select_one("div.section.sosai-comments") is not None
    assert page(app, "index").select("div.sosai-footer") == []  # not on the landing page


def test_footer_can_exclude_pages(make_app, history):
    app = build(make_app, history, sosai_footer_exclude=["chapter"])
    assert page(app, "chapter").select("div.sosai-footer") == []


def test_landing_page_lists_everyone(make_app, history):
    app = build(make_app, history)
    names = page(app, "index").select_one("p.sosai-contributors").get_text()
    assert names == "Bob Builder, Alice Author, Carol and Dan"


def test_landing_page_is_read_again_after_a_commit_not_on_every_build(make_app, history):
    build(make_app, history)
    unchanged = build(make_app, history)
    assert "0 added, 0 changed, 0 removed" in strip_colors(unchanged.status.getvalue())
    append(history / "chapter.md", 1, "Erin")
    commit(history, "Erin", "erin@example.org", "Erin writes")
    after_commit = build(make_app, history)
    assert "Erin" in page(after_commit, "index").select_one("p.sosai-contributors").get_text()


def test_badges_from_git_and_config(make_app, history):
    app = build(make_app, history, sosai_doi="10.5281/zenodo.1234")
    badges = page(app, "index").select("p.sosai-badges a.sosai-badge")
    found = {
        b.select("span")[0].get_text(): (b.select("span")[1].get_text(), b["href"]) for b in badges
    }
    assert "last updated" not in found  # the footer gives the page's one date
    assert found["commits (30 days)"][0] == "6"
    assert found["licence"] == ("CC-BY-4.0", "https://github.com/example/book/blob/main/LICENCE")
    assert found["DOI"] == ("10.5281/zenodo.1234", "https://doi.org/10.5281/zenodo.1234")
    assert found["Open in"][1] == "https://codespaces.new/example/book?quickstart=1"
    assert page(app, "index").select("p.sosai-badges img") == []


def test_no_doi_badge_unless_set(make_app, history):
    app = build(make_app, history)
    labels = [b.select("span")[0].get_text() for b in page(app, "index").select("a.sosai-badge")]
    assert "DOI" not in labels


def test_without_git_one_info_line_and_no_credits(make_app, tmp_path, rootdir):
    srcdir = tmp_path / "no-git"
    shutil.copytree(rootdir / "test-contributors", srcdir)
    contributors._reported.clear()
    contributors.history_problem.cache_clear()
    app = build(make_app, srcdir)
    assert app._warning.getvalue() == ""
    assert app._status.getvalue().count("[sosai.contributors] no contributor credits") == 1
    assert page(app, "chapter").select("p.sosai-contributors") == []
    assert page(app, "index").select("p.sosai-contributors") == []
    assert page(app, "chapter").select_one("div.sosai-footer")  # feedback links still there


def test_shallow_clone_is_reported_not_misattributed(make_app, history, tmp_path):
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{history}", str(shallow)],
        check=True,
        env={**os.environ, **ISOLATED_GIT},
    )
    contributors._reported.clear()
    contributors.history_problem.cache_clear()
    app = build(make_app, shallow)
    assert "shallow git clone" in app._status.getvalue()
    assert page(app, "chapter").select("p.sosai-contributors") == []


def dated_commit(repo: Path, day: str, message: str) -> None:
    env = {
        **os.environ,
        **ISOLATED_GIT,
        "GIT_AUTHOR_NAME": "Ann",
        "GIT_AUTHOR_EMAIL": "ann@example.org",
        "GIT_COMMITTER_NAME": "Ann",
        "GIT_COMMITTER_EMAIL": "ann@example.org",
        "GIT_AUTHOR_DATE": f"{day}T12:00:00+00:00",
        "GIT_COMMITTER_DATE": f"{day}T12:00:00+00:00",
    }
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, check=True, env=env)


def test_a_page_is_dated_by_its_content_and_data_not_by_chart_code(make_app, tmp_path, rootdir):
    import yaml  # noqa: PLC0415

    repo = tmp_path / "dated"
    shutil.copytree(rootdir / "test-charts", repo)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    dated_commit(repo, "2026-01-15", "chapter, data and chart")
    book = yaml.safe_load((Path(__file__).parents[1] / "_config.yml").read_text())
    overrides = {
        "extensions": ["myst_parser", "sosai.features.charts", "sphinx_last_updated_by_git"],
        "html_last_updated_fmt": "%Y-%m-%d",
        "git_exclude_patterns": book["sphinx"]["config"]["git_exclude_patterns"],
    }

    def built_date() -> str:
        app = make_app("html", srcdir=repo, freshenv=True, confoverrides=overrides)
        app.build()
        page = BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
        return page.select_one("meta[property='article:modified_time']")["content"][:10]

    script = next((repo / "_charts").glob("*.py"))
    script.write_text(script.read_text() + "\n# a refactor that changes no drawing\n")
    dated_commit(repo, "2026-03-01", "chart code only")
    assert built_date() == "2026-01-15"
    data = next((repo / "_data").glob("*.yml"))
    data.write_text(data.read_text() + "\n")
    dated_commit(repo, "2026-04-01", "data")
    assert built_date() == "2026-04-01"
