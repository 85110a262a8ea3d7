"""Where the project's files are, and writing a file so that it appears whole or not at all.

``PROJECT`` is the repository's folder (the package is installed in place, ``pip install -e``):
notebooks name their data as ``PROJECT / "datasets/names"``, so they run from any folder, the
Chinese edition's ``notebooks/zh/`` too.

A checkpoint, a results table or a re-executed notebook is first written to a temporary file in
the same folder, then renamed over the target in one step: an interrupted save never leaves half
a file, and a failed one leaves no temporary file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

PROJECT = Path(__file__).resolve().parent.parent


@contextmanager
def atomic_write(path: str | Path, mode: str = "w", **open_args) -> Iterator[IO]:
    """A file object to write ``path`` through; the file replaces ``path`` only on success.

    ``mode`` is "w" (text; ``open_args`` such as ``encoding`` or ``newline`` apply) or "wb". The
    folder is created if needed; the finished file is readable by everyone (mode 644), like a
    file written with ``open``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **open_args) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes the file private
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
