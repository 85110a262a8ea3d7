"""atomic_write: a file appears whole or not at all, and a failed write leaves nothing behind."""

import pytest

from ngram_helpers.files import atomic_write


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
