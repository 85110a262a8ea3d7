"""The learner's own working copy of the series: ``workspace/``, which ``make lab`` opens.

JupyterLab saves a notebook as soon as it has run, so a learner working in ``notebooks/`` would
rewrite the course's tracked files and the next ``git pull`` would conflict. ``make lab``
therefore serves a git-ignored copy instead, made on first use::

    workspace/notebooks/NN_name.ipynb      the English notebooks
    workspace/notebooks/zh/NN_name.ipynb   the Chinese edition, and its glossary.md
    workspace/solutions/NN_name.py         the worked solutions
    workspace/solutions/zh/NN_name.py      the same, explained in Chinese

The copy keeps the repository's layout, so every relative link in a notebook (an exercise's
``../solutions/NN_name.py``, a Chinese page's ``../NN_name.ipynb`` or ``glossary.md``) opens
inside the folder JupyterLab serves. ``COURSE`` lists what is copied;
``tests/notebooks/test_links.py`` checks that every link in every notebook points at one of
those files. The notebooks find data and checkpoints through ``ngram_helpers.files.PROJECT``
(the repository), so they run the same from the copy.

Three commands (``python tools/workspace.py COMMAND``)::

    create    make workspace/ if it does not exist (never touches an existing one), then status
    refresh   bring the course's newer files in without losing the learner's edits
    status    where the copies are, and whether the course has newer versions

``refresh`` tells the learner's edits from the course's files with a manifest,
``workspace/.course-manifest.json``: the SHA-256 of each file as the course last wrote it. A file
that still has that hash was never changed and is replaced by the course's new version; a file
the learner changed is left alone and the course's version is written beside it
(``02_bengio_language_model.course.ipynb``), with one line saying so. Nothing is ever deleted,
every write is atomic, and a missing or damaged manifest costs one line of warning: every file
that differs from the course then counts as the learner's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ngram_helpers.files import atomic_write

ROOT = Path(__file__).resolve().parent.parent
WORKSPACE = ROOT / "workspace"
# What the working copy holds: glob patterns relative to the repository, in the same layout.
COURSE: tuple[str, ...] = (
    "notebooks/[0-9]*.ipynb",
    "notebooks/zh/[0-9]*.ipynb",
    "notebooks/zh/glossary.md",
    "solutions/[0-9]*.py",
    "solutions/zh/[0-9]*.py",
)
MANIFEST = ".course-manifest.json"  # a dot file: JupyterLab does not list it
MANIFEST_NOTE = (
    "SHA-256 of each file as tools/workspace.py last wrote it from the course; "
    "a file with another hash was changed by the learner and is never overwritten"
)


# -----------------------------------------------------------------------------
# What the course holds, and the manifest


def course_files(course: Path) -> list[str]:
    """The files the working copy holds, as ``/``-separated paths relative to ``course``."""
    found = {
        path.relative_to(course).as_posix()
        for pattern in COURSE
        for path in course.glob(pattern)
        if path.is_file()
    }
    return sorted(found)


def copied_folders() -> tuple[str, ...]:
    """The folders (relative to the repository) whose files the working copy holds."""
    return tuple(sorted({pattern.rpartition("/")[0] for pattern in COURSE}))


def sha256(data: bytes) -> str:
    """The SHA-256 of ``data``, in hex."""
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str | None:
    """The SHA-256 of the file at ``path``, or None if there is no file there."""
    try:
        return sha256(path.read_bytes())
    except FileNotFoundError:
        return None


def beside(relative: str) -> str:
    """Where the course's version of a file the learner changed goes (``x.course.ipynb``)."""
    path = Path(relative)
    return (path.parent / f"{path.stem}.course{path.suffix}").as_posix()


def read_manifest(workspace: Path) -> tuple[dict[str, str], str | None]:
    """The manifest's hashes by file, and a one-line problem if it is missing or damaged.

    A missing or damaged manifest reads as empty: no file is then known to be untouched.
    """
    path = workspace / MANIFEST
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, f"{shown(path)} is missing"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        return {}, f"{shown(path)} is damaged ({type(err).__name__})"
    files = content.get("files") if isinstance(content, dict) else None
    if not isinstance(files, dict) or not all(
        isinstance(name, str) and isinstance(digest, str) and len(digest) == 64
        for name, digest in files.items()
    ):
        return {}, f"{shown(path)} is damaged (not a list of files and their hashes)"
    return dict(files), None


def write_manifest(workspace: Path, hashes: dict[str, str]) -> None:
    """Write the manifest (atomically)."""
    content = {"note": MANIFEST_NOTE, "files": dict(sorted(hashes.items()))}
    with atomic_write(workspace / MANIFEST, encoding="utf-8") as f:
        json.dump(content, f, indent=1)
        f.write("\n")


def shown(path: Path) -> str:
    """``path`` as a learner types it: relative to the current folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


# -----------------------------------------------------------------------------
# create


def create(course: Path, workspace: Path) -> bool:
    """Copy the course's files into a new ``workspace``; False (and nothing done) if it exists.

    The copy is made in a temporary folder beside ``workspace`` and renamed into place at the
    end, so an interrupted first run leaves no half-made working copy.
    """
    if workspace.exists():
        return False
    workspace.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{workspace.name}-", dir=workspace.parent))
    try:
        hashes = {}
        for relative in course_files(course):
            data = (course / relative).read_bytes()
            target = partial / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            hashes[relative] = sha256(data)
        write_manifest(partial, hashes)
        partial.chmod(0o777 & ~_umask())  # mkdtemp makes the folder private
        os.rename(partial, workspace)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)  # only the temporary folder made above
        raise
    return True


def _umask() -> int:
    """The process's file-creation mask."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -----------------------------------------------------------------------------
# refresh


@dataclass
class Refresh:
    """What a refresh did, file by file (paths relative to the workspace)."""

    added: list[str] = field(default_factory=list)  # new in the course, or missing here
    updated: list[str] = field(default_factory=list)  # untouched copies replaced
    kept: list[str] = field(default_factory=list)  # the learner's; the course's version beside
    blocked: list[str] = field(default_factory=list)  # the learner's, and so is the file beside
    unchanged: int = 0
    problem: str | None = None  # a missing or damaged manifest

    def lines(self, workspace: Path) -> list[str]:
        """What the learner should read: a line per file they changed, then a summary."""
        out = []
        if self.problem:
            out.append(
                f"{self.problem}: every file that differs from the course counts as yours "
                "and keeps your version; the course's goes beside it"
            )
        out += [
            f"kept your {shown(workspace / name)}; the course's new version is "
            f"{shown(workspace / beside(name))}"
            for name in self.kept
        ]
        out += [
            f"kept your {shown(workspace / name)} and your edits to "
            f"{shown(workspace / beside(name))}: the course's new version was not written"
            for name in self.blocked
        ]
        out.append(
            f"refreshed {shown(workspace)}: {len(self.updated)} updated, {len(self.added)} "
            f"added, {len(self.kept) + len(self.blocked)} kept (changed by you), "
            f"{self.unchanged} already up to date"
        )
        return out


def refresh(course: Path, workspace: Path) -> Refresh:
    """Bring the course's current files into ``workspace`` without losing the learner's edits.

    For each course file: a copy that is missing is written; a copy that still has the hash the
    manifest recorded (the learner never changed it) is replaced; a copy the learner changed is
    left alone, and if the course's version is newer than the one it started from, that version
    is written beside it (``x.course.ipynb``; itself replaced next time only if untouched).
    Nothing is deleted, files the course no longer has included.
    """
    known, problem = read_manifest(workspace)
    result = Refresh(problem=problem)
    hashes = dict(known)  # entries for files the course dropped stay: nothing is forgotten
    for relative in course_files(course):
        data = (course / relative).read_bytes()
        new = sha256(data)
        current = file_hash(workspace / relative)
        if current == new:
            hashes[relative] = new
            result.unchanged += 1
        elif current is None or current == known.get(relative):
            _write(workspace / relative, data)
            hashes[relative] = new
            (result.added if current is None else result.updated).append(relative)
        elif new == known.get(relative):
            result.unchanged += 1  # the learner's edits, on the course's current version
        else:
            _offer_beside(workspace, relative, data, known, hashes, result)
    write_manifest(workspace, hashes)
    return result


def _offer_beside(
    workspace: Path,
    relative: str,
    data: bytes,
    known: dict[str, str],
    hashes: dict[str, str],
    result: Refresh,
) -> None:
    """Write the course's ``data`` beside the learner's ``relative``, unless that is theirs too."""
    side = beside(relative)
    current = file_hash(workspace / side)
    new = sha256(data)
    if current == new:
        hashes[side] = new
        result.unchanged += 1  # written by an earlier refresh, still current
    elif current is None or current == known.get(side):
        _write(workspace / side, data)
        hashes[side] = new
        result.kept.append(relative)
    else:
        result.blocked.append(relative)


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_write(path, "wb") as f:
        f.write(data)


# -----------------------------------------------------------------------------
# status


def status(course: Path, workspace: Path) -> list[str]:
    """Where the learner's copies are and how to refresh them (two or three lines)."""
    if not workspace.exists():
        return [f"no working copy yet: `make lab` makes {shown(workspace)}/ on first use"]
    known, problem = read_manifest(workspace)
    out = [
        f"your own copies of the notebooks and solutions are in {shown(workspace)}/ "
        "(not tracked by git: edit and run them freely)",
    ]
    newer = [
        relative
        for relative in course_files(course)
        if file_hash(course / relative) != known.get(relative)
    ]
    if problem:
        out.append(f"{problem}: `make refresh` will keep every file that differs from the course")
    elif newer:
        names = ", ".join(newer[:3]) + (", ..." if len(newer) > 3 else "")
        out.append(
            f"the course has {len(newer)} new or newer file(s) ({names}): "
            "`make refresh` brings them in and keeps your edits"
        )
    else:
        out.append("after a `git pull`, `make refresh` brings in the course's new versions")
    return out


# -----------------------------------------------------------------------------
# command line


def run(command: str, course: Path, workspace: Path) -> list[str]:
    """Carry out ``command`` ("create", "refresh" or "status"); the lines to print."""
    made = [f"made your own copies of the notebooks in {shown(workspace)}/"]
    if command == "create":
        return (made if create(course, workspace) else []) + status(course, workspace)
    if command == "refresh":
        return made if create(course, workspace) else refresh(course, workspace).lines(workspace)
    return status(course, workspace)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["create", "refresh", "status"])
    parser.add_argument("--course", type=Path, default=ROOT, help="default: this repository")
    parser.add_argument("--workspace", type=Path, default=WORKSPACE, help="default: workspace/")
    args = parser.parse_args(argv)
    try:
        lines = run(args.command, args.course, args.workspace)
    except OSError as err:  # a file that cannot be read or written: one line, no traceback
        where = err.filename or args.workspace
        print(f"workspace: {err.strerror or err}: {where}; nothing of yours was removed")
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
