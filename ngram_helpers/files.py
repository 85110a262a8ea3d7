"""Where the project's files are, and writing a file so that it appears whole or not at all.

``PROJECT`` is the repository's folder (the package is installed in place, ``pip install -e``):
notebooks name their data as ``PROJECT / "datasets/names"``, so they run from any folder, the
Chinese edition's ``notebooks/zh/`` too.

A checkpoint, a results table or a re-executed notebook is first written to a temporary file in
the same folder, then given its name in one step: an interrupted save never leaves half a file,
and a failed one leaves no temporary file behind.

Giving the name can replace what is there (``overwrite=True``, the default of ``atomic_write``)
or refuse an existing name (``overwrite=False``). The refusal is atomic: the finished file is
hard-linked to its name, which fails if the name exists, so of two writers racing for one name
exactly one wins and the other gets ``FileExistsError``; nothing is replaced in between.
``write_beside`` and ``write_in_temp_folder`` keep bytes that could not have their own name.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

PROJECT = Path(__file__).resolve().parent.parent

# link() errors that mean "this file system has no hard links" (FAT, some network shares)
NO_HARD_LINKS = {
    errno.EPERM,
    errno.ENOTSUP,
    errno.EOPNOTSUPP,
    errno.EXDEV,
    errno.EMLINK,
    errno.ENOSYS,
}
MAX_FREE_NAMES = 1000  # write_beside tries name-2 ... name-1000 before giving up


@contextmanager
def atomic_write(
    path: str | Path, mode: str = "w", *, overwrite: bool = True, **open_args
) -> Iterator[IO]:
    """A file object to write ``path`` through; the file gets the name ``path`` only on success.

    ``mode`` is "w" (text; ``open_args`` such as ``encoding`` or ``newline`` apply) or "wb". The
    folder is created if needed; the finished file is readable by everyone (mode 644), like a
    file written with ``open``. With ``overwrite=False`` an existing ``path`` is never replaced:
    ``FileExistsError`` is raised, before writing if the name is already taken, and atomically
    at the end if another writer took it meanwhile.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not overwrite and path.exists():
        raise FileExistsError(errno.EEXIST, "file exists", str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **open_args) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes the file private
        if overwrite:
            os.replace(tmp, path)
        else:
            publish_new(tmp, path)
        _sync_folder(path.parent)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def publish_new(tmp: str | Path, path: str | Path) -> None:
    """Give the finished file ``tmp`` the name ``path``, or raise ``FileExistsError`` if it exists.

    The name is claimed with ``os.link``, which fails when the name exists, so two writers can
    never both succeed. On a file system without hard links the name is claimed with an
    exclusive create and then replaced by ``tmp``; for that instant the file reads as empty.
    """
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError as err:
        if err.errno not in NO_HARD_LINKS:
            raise
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))  # claims the name
        os.replace(tmp, path)
    else:
        os.unlink(tmp)


def free_names(path: str | Path) -> Iterator[Path]:
    """Names for a file kept beside ``path``: ``name-2.pt``, ``name-3.pt`` ... (not checked)."""
    path = Path(path)
    for number in range(2, MAX_FREE_NAMES + 1):
        yield path.with_name(f"{path.stem}-{number}{path.suffix}")


def write_beside(path: str | Path, data: bytes) -> Path:
    """Write ``data`` atomically under the first free name of ``free_names(path)``; return it.

    Each name is claimed atomically, so a file another writer made meanwhile is never replaced.
    Raises ``OSError`` when the folder cannot be written (or every name is taken).
    """
    for candidate in free_names(path):
        try:
            with atomic_write(candidate, "wb", overwrite=False) as f:
                f.write(data)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(errno.EEXIST, f"{MAX_FREE_NAMES} names beside it are taken", str(path))


def write_in_temp_folder(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to a new file in the system temp folder, named after ``path``; return it.

    The name (e.g. ``/tmp/names-mlp-k3j2x9q1.pt``) is new, made by ``tempfile.mkstemp``, so
    nothing is replaced. A failed write removes the file and raises ``OSError``.
    """
    path = Path(path)
    fd, kept = tempfile.mkstemp(prefix=f"{path.stem}-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(kept, 0o644)
    except BaseException:
        Path(kept).unlink(missing_ok=True)
        raise
    return Path(kept)


def check_writable_folder(folder: str | Path) -> None:
    """Create ``folder`` if needed and make sure a file can be created in it, or raise ``OSError``.

    The test is a real one (a file created and removed), not the permission bits: a read-only
    file system, or a folder that only looks writable, fails it as a save would.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fd, probe = tempfile.mkstemp(prefix=".write-test.", suffix=".tmp", dir=folder)
    os.close(fd)
    os.unlink(probe)


def _sync_folder(folder: Path) -> None:
    """Make a new name in ``folder`` survive a power cut, where the system allows it."""
    with suppress(OSError):  # Windows cannot open a folder; some file systems refuse fsync
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
