"""When each row of a data file was added and last changed, from git history.

A library module, not a Sphinx extension (it has no ``setup()``): the tables
(``sosai.features.datatable``) show a row's last change under its "Checked" month,
the downloads (``sosai.features.data``) carry it as ``last_changed``, and the
catalogue's changelog lists every event. It needs git, not Sphinx::

    from sosai.features import rowhistory

    history = rowhistory.file_history("_data/models.yml")  # None without full history
    row = history.rows["qwen3-30b-a3b"]
    row.added, row.last_changed  # "2026-11-22T11:48:23Z", "2026-12-04T16:57:34Z"
    for event in row.events:
        print(event.kind, event.date, event.commit[:7], event.fields)

``as_of`` says when a person last checked a row against its sources; the history says
when its content last changed. Each version of the file in ``git log -- <file>`` is
read (``git cat-file --batch``, one process for every version, the same as ``git show
<commit>:<file>`` for each) and parsed as the build parses data files
(``sosai.features.data.parse_yaml``). A row is known by its ``id``; its content is
every field except ``as_of`` and ``watch`` (bookkeeping: bumping the month a row was
checked, or what the upstream watch follows, changes nothing a reader sees). Against
the version before it (each parent, for a merge), a commit has, per row:

- **added**: an ``id`` no parent had;
- **changed**: the content differs, with the fields that differ;
- **removed**: the ``id`` is gone (also when the file is deleted).

A merge has an event only where its version differs from every parent's (otherwise
the change was the branch's, and is already the branch commit's event). A version
that is not valid YAML or not a list of rows is skipped: the next valid one is compared
with the last valid one. Renames are not followed: history starts when the file got its
current name. Dates are the commit's (committer) date in UTC; an uncommitted edit is
not history, so :meth:`FileHistory.last_changed` gives no date for a row that differs
from its last committed version.

Without git, outside a work tree, or in a shallow clone (CI's checkout must fetch the
full history: ``fetch-depth: 0``, as for ``sosai.features.contributors``),
:func:`file_history` returns None and tables show only "Checked".

With ``cache_dir`` (the build's doctree folder), each file's history is kept in
``sosai-rowhistory/<file>.pickle``, keyed by this code (:func:`sosai.shared.cache_key`),
PyYAML's version, and the file's last commit (``git log -1 -- <file>``): an unchanged
file is not walked again. While HEAD stays where it was, not even that is asked; the
process remembers HEAD until :func:`clear` (each build calls it when it starts).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from sosai.features import contributors, data
from sosai.shared import cache_key, load_kept

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

BOOKKEEPING = ("as_of", "watch")  # fields whose change is not a change of the row
ADDED, CHANGED, REMOVED = "added", "changed", "removed"
CACHE_FOLDER = "sosai-rowhistory"


@dataclass(frozen=True)
class Event:
    """Something that happened to one row in one commit."""

    table: str  # the data file's name, ``models``
    row_id: str
    kind: str  # added, changed or removed
    commit: str  # full hash
    date: str  # the commit's date in UTC, ``2026-12-04T16:57:34Z``
    fields: tuple[str, ...] = ()  # for a change: the fields that differ, sorted


@dataclass(frozen=True)
class RowHistory:
    """One row of the file's last committed version, and what happened to it."""

    row_id: str
    added: str  # date of the first commit with this id
    last_changed: str  # date of the newest commit that added or changed its content
    digest: str  # of its content in the last committed version
    events: tuple[Event, ...]


@dataclass(frozen=True)
class FileHistory:
    """A data file's row history, as of its last commit."""

    table: str
    last_commit: str  # "" when the file has no commit yet
    rows: dict[str, RowHistory]  # the rows of the last committed version, by id
    events: tuple[Event, ...] = field(default=())  # every row's, oldest first

    def last_changed(self, rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
        """Each of ``rows`` (the file as it is now) by id: the date of its last change.

        A row edited since the last commit, or not committed yet, has no date: the
        history does not know when it changed.
        """
        found = {}
        for row in rows:
            known = self.rows.get(str(row.get("id")))
            if known is not None and digest(row) == known.digest:
                found[known.row_id] = known.last_changed
        return found

    def last_edited(self, rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
        """Like :meth:`last_changed`, but only edits count, not the commit that added the row.

        Tables show this: a row checked in September and added to the book in November
        was not changed in November, and "changed 2026-11" would say it was.
        """
        found = {}
        for row in rows:
            known = self.rows.get(str(row.get("id")))
            if known is None or digest(row) != known.digest:
                continue
            edits = [e.date for e in known.events if e.kind == CHANGED]
            if edits:
                found[known.row_id] = max(edits)
        return found


def content(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row without its bookkeeping fields, as JSON values (dates become text)."""
    kept = {k: v for k, v in row.items() if k not in BOOKKEEPING}
    return json.loads(json.dumps(kept, default=str, ensure_ascii=False))


def digest(row: Mapping[str, Any]) -> str:
    """A short digest of a row's content (:func:`content`), whatever its key order."""
    text = json.dumps(content(row), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _run(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    """The output of git, as bytes; None if git is missing or fails (tests count calls)."""
    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )  # fmt: skip
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


_heads: dict[Path, str] = {}  # work tree folder -> HEAD, until clear()
_last: dict[tuple[Path, str], str] = {}  # (file, HEAD) -> the file's last commit
_memory: dict[Path, tuple[str, FileHistory]] = {}  # file -> (HEAD, its history)


def clear() -> None:
    """Forget HEAD and the histories read in this process (a new build starts)."""
    _heads.clear()
    _last.clear()
    _memory.clear()


def head(folder: Path | str) -> str | None:
    """The commit checked out in ``folder``'s work tree; None without full history."""
    folder = Path(folder).resolve()
    if folder not in _heads:
        if contributors.history_problem(folder) is not None:
            return None
        out = _run(folder, "rev-parse", "HEAD")
        if out is None:
            return None
        _heads[folder] = out.decode().strip()
    return _heads[folder]


def last_commit(path: Path | str) -> str | None:
    """The newest commit that touched the file ("" if none); None without full history."""
    path = Path(path).resolve()
    checked_out = head(path.parent)
    if checked_out is None:
        return None
    if (path, checked_out) not in _last:
        out = _run(path.parent, "log", "-1", "--format=%H", "--", path.name)
        if out is None:
            return None
        _last[(path, checked_out)] = out.decode().strip()
    return _last[(path, checked_out)]


def _cache_version() -> str:
    return cache_key(__file__, data.__file__, packages=("PyYAML",))


def file_history(path: Path | str, cache_dir: Path | str | None = None) -> FileHistory | None:
    """The row history of a data file, or None without git's full history (see above)."""
    path = Path(path).resolve()
    checked_out = head(path.parent)
    if checked_out is None:
        return None
    remembered = _memory.get(path)
    if remembered is not None and remembered[0] == checked_out:
        return remembered[1]
    cache_file = Path(cache_dir) / CACHE_FOLDER / f"{path.name}.pickle" if cache_dir else None
    saved = _read_cache(cache_file)
    if saved is not None and saved[0] == checked_out:
        history = saved[2]
    else:
        last = last_commit(path)
        if last is None:
            return None
        history = saved[2] if saved is not None and saved[1] == last else _walk(path, last)
        _write_cache(cache_file, (checked_out, last, history))
    _memory[path] = (checked_out, history)
    return history


def cache_file_of(path: Path | str, cache_dir: Path | str) -> Path:
    """Where :func:`file_history` keeps a file's history under ``cache_dir``."""
    return Path(cache_dir) / CACHE_FOLDER / f"{Path(path).name}.pickle"


def _read_cache(cache_file: Path | None) -> tuple[str, str, FileHistory] | None:
    """(HEAD, last commit, history) saved for this code, or None."""
    if cache_file is None:
        return None
    kept = load_kept(cache_file)
    if not isinstance(kept, tuple) or len(kept) != 4:
        return None
    version, saved_head, last, history = kept
    if version != _cache_version() or not isinstance(history, FileHistory):
        return None
    return saved_head, last, history


def _write_cache(cache_file: Path | None, saved: tuple[str, str, FileHistory]) -> None:
    """Save atomically: parallel readers may write the same file."""
    if cache_file is None:
        return
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    partial = cache_file.with_name(f"{cache_file.name}.{os.getpid()}")
    partial.write_bytes(pickle.dumps((_cache_version(), *saved)))
    partial.replace(cache_file)


def _utc(iso: str) -> str:
    """A ``%cI`` date in UTC: ``2026-12-04T17:57:34+01:00`` -> ``2026-12-04T16:57:34Z``."""
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


Version = dict[str, tuple[str, dict[str, Any]]]  # id -> (digest, content)


def _versions(path: Path, commits: list[str]) -> list[Version | None]:
    """The file's rows at each commit: {} where it is absent, None where it is invalid."""
    request = "".join(f"{commit}:./{path.name}\n" for commit in commits).encode()
    out = _run(path.parent, "cat-file", "--batch", stdin=request) or b""
    parsed: dict[str, Version | None] = {}  # blob -> rows, each blob parsed once
    versions: list[Version | None] = []
    position = 0
    for _ in commits:
        end = out.index(b"\n", position)
        header = out[position:end].decode().split()
        position = end + 1
        if len(header) != 3 or header[1] != "blob":  # "<name> missing": no file here
            versions.append({})
            continue
        blob, size = header[0], int(header[2])
        if blob not in parsed:
            parsed[blob] = _rows(out[position : position + size], path)
        versions.append(parsed[blob])
        position += size + 1
    return versions


def _rows(raw: bytes, path: Path) -> Version | None:
    """A version's rows by id, or None if it is not a valid list of rows."""
    try:
        tree = data.parse_yaml(raw, path)
        rows = data._construct(tree) if tree is not None else []
    except (data.DataError, yaml.YAMLError, ValueError, TypeError):
        return None
    if not isinstance(rows, list):
        return None
    found: Version = {}
    for row in rows:
        if isinstance(row, dict) and row.get("id") is not None:
            found.setdefault(str(row["id"]), (digest(row), content(row)))
    return found


def _changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k)))


def _walk(path: Path, last: str) -> FileHistory:
    """Read every version of the file and compare each with its parents'."""
    table = path.stem
    if not last:
        return FileHistory(table, "", {})
    out = _run(
        path.parent, "log", "--parents", "--topo-order", "--reverse",
        "--format=%H %P%x09%cI", last, "--", path.name,
    )  # fmt: skip
    commits: list[tuple[str, list[str], str]] = []
    for line in (out or b"").decode().splitlines():
        shas, _, date = line.partition("\t")
        sha, *parents = shas.split()
        commits.append((sha, parents, _utc(date)))
    state: dict[str, Version] = {}  # commit -> its rows (an invalid version: its parent's)
    events: list[Event] = []
    for (sha, parents, date), version in zip(
        commits, _versions(path, [c[0] for c in commits]), strict=True
    ):
        before = [state[p] for p in parents if p in state] or [{}]
        if version is None:  # invalid here: nothing happened, as far as rows go
            state[sha] = before[0]
            continue
        state[sha] = version
        for row_id in sorted(version.keys() | {i for b in before for i in b}):
            now = version.get(row_id)
            then = [b.get(row_id) for b in before]
            if any((t[0] if t else None) == (now[0] if now else None) for t in then):
                continue  # the same as in a parent: no event here
            previous = next((t for t in then if t), None)
            if now is None:
                events.append(Event(table, row_id, REMOVED, sha, date))
            elif previous is None:
                events.append(Event(table, row_id, ADDED, sha, date))
            else:
                fields = _changed_fields(previous[1], now[1])
                events.append(Event(table, row_id, CHANGED, sha, date, fields))
    final = state.get(commits[-1][0], {}) if commits else {}
    rows = {}
    for row_id, (row_digest, _) in final.items():
        own = tuple(e for e in events if e.row_id == row_id)
        added = min((e.date for e in own if e.kind == ADDED), default="")
        changed = max((e.date for e in own if e.kind in (ADDED, CHANGED)), default="")
        rows[row_id] = RowHistory(row_id, added, changed, row_digest, own)
    ordered = tuple(sorted(events, key=lambda e: e.date))  # stable: commit order within a date
    return FileHistory(table, last, rows, ordered)


def histories(
    paths: Iterable[Path], cache_dir: Path | str | None = None
) -> dict[str, FileHistory] | None:
    """:func:`file_history` of each file, by table name; None without full history."""
    found = {}
    for path in paths:
        history = file_history(path, cache_dir)
        if history is None:
            return None
        found[history.table] = history
    return found
