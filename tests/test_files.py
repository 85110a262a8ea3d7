"""atomic_write: a file appears whole or not at all, a failed write leaves nothing behind, and a
file is never replaced unasked, even by a writer that races for its name."""

import errno
import os
import tempfile
import threading
from pathlib import Path

import pytest

from ngram_helpers.files import (
    atomic_write,
    check_writable_folder,
    write_beside,
    write_in_temp_folder,
)


def test_a_finished_write_replaces_the_file_readable_by_everyone(tmp_path):
    path = tmp_path / "sub" / "table.csv"
    with atomic_write(path) as f:
        f.write("a,b\n")
    assert path.read_text() == "a,b\n" and path.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["table.csv"]


def test_a_failed_write_keeps_the_old_file_and_no_temporary_one(tmp_path):
    path = tmp_path / "model.pt"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="disk full"), atomic_write(path, "wb") as f:
        f.write(b"half a new file")
        raise RuntimeError("disk full")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]


# --- never replacing a file unasked: the name is claimed atomically ------------------------------


def test_overwrite_false_refuses_an_existing_name_and_leaves_it_alone(tmp_path):
    path = tmp_path / "model.pt"
    path.write_bytes(b"a learner's run")
    with pytest.raises(FileExistsError), atomic_write(path, "wb", overwrite=False) as f:
        f.write(b"another run")
    assert path.read_bytes() == b"a learner's run"
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]


@pytest.mark.parametrize("hard_links", [True, False])
def test_a_name_taken_while_writing_is_refused_not_replaced(tmp_path, monkeypatch, hard_links):
    """The check at the end is atomic (a link, or an exclusive create where links are missing)."""
    if not hard_links:
        monkeypatch.setattr(os, "link", refuse_hard_links)
    path = tmp_path / "model.pt"
    with pytest.raises(FileExistsError), atomic_write(path, "wb", overwrite=False) as f:
        f.write(b"this run")
        path.write_bytes(b"the other run")  # another program saves meanwhile
    assert path.read_bytes() == b"the other run"
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]
    fresh = tmp_path / "fresh.pt"
    with atomic_write(fresh, "wb", overwrite=False) as f:
        f.write(b"new")
    assert fresh.read_bytes() == b"new" and fresh.stat().st_mode & 0o777 == 0o644


def refuse_hard_links(source, target):
    raise OSError(errno.EPERM, "hard links not supported")


def test_of_writers_racing_for_one_name_exactly_one_wins(tmp_path):
    path, writers = tmp_path / "model.pt", 8
    start = threading.Barrier(writers)
    outcome = {}

    def save(number: int) -> None:
        try:
            with atomic_write(path, overwrite=False) as f:
                f.write(f"run {number}")
                start.wait(timeout=60)  # every writer is past the early check before any publishes
        except FileExistsError:
            outcome[number] = "refused"
        else:
            outcome[number] = "saved"

    threads = [threading.Thread(target=save, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [n for n, result in outcome.items() if result == "saved"]
    assert len(outcome) == writers and len(winners) == 1
    assert path.read_text() == f"run {winners[0]}"
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]


def test_write_beside_takes_the_first_free_name_and_replaces_nothing(tmp_path):
    path = tmp_path / "names-mlp.pt"
    path.write_bytes(b"first")
    (tmp_path / "names-mlp-2.pt").write_bytes(b"second")
    kept = [write_beside(path, f"run {n}".encode()) for n in range(2)]
    assert [p.name for p in kept] == ["names-mlp-3.pt", "names-mlp-4.pt"]
    assert path.read_bytes() == b"first" and (tmp_path / "names-mlp-2.pt").read_bytes() == b"second"
    assert kept[1].read_bytes() == b"run 1"


def test_write_in_temp_folder_makes_a_new_file_named_after_the_target(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    kept = {write_in_temp_folder(Path("checkpoints/names-mlp.pt"), b"run") for _ in range(3)}
    assert len(kept) == 3
    for path in kept:
        assert path.parent == tmp_path and path.name.startswith("names-mlp-")
        assert path.suffix == ".pt" and path.read_bytes() == b"run"


def test_check_writable_folder_creates_the_folder_or_says_why_not(tmp_path):
    check_writable_folder(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir() and not list((tmp_path / "a" / "b").iterdir())
    (tmp_path / "file").write_text("")
    with pytest.raises(OSError):
        check_writable_folder(tmp_path / "file" / "b")
