"""Credit the people who wrote the book, computed from git alone.

Usage in MyST (the landing page lists everyone)::

    ```{contributors}
    ```

Chapters need nothing: ``sosai.features.footer`` ends each one with its contributors, from
:func:`chapter_contributors`. A chapter's contributors are the authors of its lines
(``git blame``, honouring ``.mailmap``) in the page and the data files its tables and
charts read, ordered by lines authored; people below ``sosai_contributors_min_share``
of the lines are omitted. The landing page lists every commit author in the
repository, ordered by commits.

Names link to GitHub profiles when the login is known: when the commit email, after
git has applied the repository's ``.mailmap``, is a GitHub noreply address
(``123+login@users.noreply.github.com``). A contributor who commits with another
address adds a line to ``.mailmap`` mapping it to their noreply address (and to the
name to show, if their git name is not it). Git does the mapping, and ``.mailmap`` is
not published, unlike ``_data/*.yml`` (published as CSV and JSON), so no address
reaches the site. An email address is never shown, and a name that looks like one
(it contains ``@``, as when git's ``user.name`` is an address) is dropped from the
credits, without a warning, rather than shown.
Nothing here uses the network. Without git or with a shallow clone, one info line is
logged and nothing is rendered: git history is an input of the build, not a
requirement.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from sosai import __version__
from sosai.shared import PageRecords

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

DIRECTIVE_NAME = "contributors"
GITHUB = "https://github.com/"
NOREPLY = re.compile(r"^(?:\d+\+)?(?P<login>[A-Za-z0-9-]+)@users\.noreply\.github\.com$")
NOT_COMMITTED = "not.committed.yet"


@dataclass(frozen=True)
class Contributor:
    """One person and how much they wrote (lines, or commits on the landing page)."""

    name: str
    login: str | None
    amount: int

    @property
    def url(self) -> str | None:
        """Their GitHub profile, when the login is known."""
        return f"{GITHUB}{self.login}" if self.login else None


def git(repo: Path, *args: str) -> str | None:
    """Run git in ``repo``; None if git is missing or the command fails."""
    try:
        # errors="replace": blame prints the file's lines, and a data file that is not
        # UTF-8 is reported by sosai.features.data at its line; it must not stop the build here.
        result = subprocess.run(
            ["git", *args], cwd=repo, capture_output=True, check=False,
            encoding="utf-8", errors="replace",
        )  # fmt: skip
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


@cache
def history_problem(repo: Path) -> str | None:
    """Why contributors cannot be computed here, or None when full history exists."""
    shallow = git(repo, "rev-parse", "--is-shallow-repository")
    if shallow is None:
        return "not a git work tree (or git is not installed)"
    if shallow.strip() == "true":
        return "shallow git clone; fetch full history (fetch-depth: 0)"
    if git(repo, "rev-parse", "--verify", "-q", "HEAD") is None:
        return "no commits yet"
    return None


def login_for(email: str) -> str | None:
    """The GitHub login in a noreply address (as ``.mailmap`` left it), else None."""
    match = NOREPLY.match(email.strip("<>").lower())
    return match.group("login") if match else None


def publishable(name: str) -> bool:
    """False for a name that is, or contains, an email address."""
    return "@" not in name


@cache
def _blame(repo: Path, path: Path, stamp: tuple[str, int, int]) -> tuple[tuple[str, str], ...]:
    """(name, email) of each committed line of a file; ``stamp`` keys the cache."""
    out = git(repo, "blame", "--line-porcelain", "-w", "--", str(path))
    if out is None:
        return ()
    authors, name = [], ""
    for line in out.splitlines():
        if line.startswith("author "):
            name = line[len("author ") :]
        elif line.startswith("author-mail "):
            email = line[len("author-mail ") :].strip("<>")
            if email != NOT_COMMITTED:
                authors.append((name, email))
    return tuple(authors)


def _merge(counts: Counter[tuple[str, str]]) -> list[Contributor]:
    """One entry per person (same login, else same name), largest first.

    Authors whose name looks like an email address are left out (see the module).
    """
    people: dict[str, Contributor] = {}
    for (name, email), amount in counts.items():
        if not publishable(name):
            continue
        login = login_for(email)
        key = f"@{login.lower()}" if login else name.lower()
        known = people.get(key)
        people[key] = Contributor(
            known.name if known else name, login, amount + (known.amount if known else 0)
        )
    return sorted(people.values(), key=lambda c: (-c.amount, c.name.lower()))


def chapter_contributors(repo: Path, files: Iterable[Path], min_share: float) -> list[Contributor]:
    """Authors of the lines of ``files``, largest share first, minor ones omitted."""
    counts: Counter[tuple[str, str]] = Counter()
    head = (git(repo, "rev-parse", "HEAD") or "").strip()
    for path in files:
        if path.is_file():
            st = path.stat()
            counts.update(_blame(repo, path.resolve(), (head, st.st_mtime_ns, st.st_size)))
    people = _merge(counts)
    total = sum(p.amount for p in people)
    # The largest contributor is always credited, whatever the threshold.
    return [p for i, p in enumerate(people) if i == 0 or p.amount >= min_share * total]


def book_contributors(repo: Path) -> list[Contributor]:
    """Every commit author in the repository, most commits first."""
    out = git(repo, "log", "--use-mailmap", "--no-merges", "--format=%aN%x09%aE", "HEAD")
    counts: Counter[tuple[str, str]] = Counter()
    for line in (out or "").splitlines():
        name, _, email = line.partition("\t")
        counts[(name, email)] += 1
    return _merge(counts)


def contributor_nodes(people: list[Contributor]) -> list[nodes.Node]:
    """Names as a comma-separated run of text and profile links."""
    result: list[nodes.Node] = []
    for i, person in enumerate(people):
        if i:
            result.append(nodes.Text(", " if i < len(people) - 1 else " and "))
        if person.url:
            result.append(nodes.reference("", person.name, refuri=person.url))
        else:
            result.append(nodes.Text(person.name))
    return result


_reported: set[str] = set()


def repository(app: Sphinx) -> Path | None:
    """The book's git work tree, or None (logging why, once per build process)."""
    repo = Path(app.srcdir)
    problem = history_problem(repo)
    if problem:
        if problem not in _reported:
            _reported.add(problem)
            logger.info("[sosai.contributors] no contributor credits: %s", problem)
        return None
    return repo


def history_key(app: Sphinx) -> str:
    """What a page built from git history depends on: the commit checked out and the day.

    The day matters because some figures count the commits of the last days.
    """
    head = git(Path(app.srcdir), "rev-parse", "HEAD") or ""
    return f"{head.strip()} {date.today().isoformat()}"


class HistoryPages(PageRecords):
    """docname of a page that shows git figures -> :func:`history_key` when it was read.

    The directives record it while the page is read; the collector forgets it before
    the page is read again and merges parallel readers' records, and sends the page to
    be read again once the key has changed (a new commit, a new day).
    """

    attribute = "sosai_history_pages"

    def record(self, app: Sphinx, doctree: nodes.document) -> None:
        """Nothing to take from the doctree: the directives have recorded the key."""

    def get_outdated_docs(
        self,
        app: Sphinx,
        env: BuildEnvironment,
        added: set[str],
        changed: set[str],
        removed: set[str],
    ) -> list[str]:
        """The pages read under another :func:`history_key`."""
        pages = self.of(env)
        if not pages:
            return []
        key = history_key(app)
        return sorted(d for d, seen in pages.items() if seen != key and d not in removed)


def note_history_dependency(env: BuildEnvironment) -> None:
    """Read the current page again whenever :func:`history_key` changes.

    ``env.note_reread()`` would re-read it on every build, which costs every
    incremental rebuild the pages that show git figures.
    """
    HistoryPages.of(env)[env.docname] = history_key(env.app)


class ContributorsDirective(SphinxDirective):
    """List everyone who has committed to the book."""

    has_content = False
    option_spec: ClassVar[dict] = {}

    def run(self) -> list[nodes.Node]:
        """A paragraph of names, or nothing without git history."""
        repo = repository(self.env.app)
        if repo is None:
            return []
        note_history_dependency(self.env)  # any new commit can add a person
        people = book_contributors(repo)
        if not people:
            return []
        paragraph = nodes.paragraph("", "", *contributor_nodes(people))
        paragraph["classes"].append("sosai-contributors")
        self.set_source_info(paragraph)
        return [paragraph]


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register the contributor settings and the ``contributors`` directive."""
    app.add_config_value("sosai_contributors_min_share", 0.05, "env", types=frozenset({float, int}))
    app.add_directive(DIRECTIVE_NAME, ContributorsDirective)
    app.add_env_collector(HistoryPages)
    return {
        "version": __version__,
        "env_version": 2,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
