"""The shipped dataset is what datasets/build_names.py builds (when its extra is installed)."""

import hashlib
import subprocess
import sys

import pytest

from tests.conftest import LESSON, NAMES, ROOT


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_rebuild_gives_identical_files(tmp_path):
    pytest.importorskip("pyarrow", reason="rebuild extra not installed: pip install '.[rebuild]'")
    out = subprocess.run(
        [sys.executable, "datasets/build_names.py", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    for split in ("train", "val", "test"):
        assert sha256(tmp_path / f"{split}.txt") == sha256(NAMES / f"{split}.txt"), split


def test_readme_quotes_the_checksums():
    readme = (ROOT / "datasets" / "README.md").read_text()
    for split in ("train", "val", "test"):
        assert sha256(NAMES / f"{split}.txt") in readme
    for path in sorted(LESSON.iterdir()):  # the lesson's split and log, kept byte for byte
        assert sha256(path) in readme, f"datasets/README.md does not quote {path.name}'s checksum"
