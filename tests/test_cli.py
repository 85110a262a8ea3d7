"""The command lines: a short run end to end, and one-line errors with exit status 2."""

import subprocess
import sys
from dataclasses import dataclass

import pytest

from ngram_helpers.cli import main
from tests.conftest import NAMES, ROOT


def run(*args):
    """``python <args>`` in a fresh interpreter: its exit status, stdout and stderr."""
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


@dataclass
class Ran:
    returncode: int
    stderr: str


def run_here(capsys, *argv):
    """``python -m ngram_helpers <argv>`` run in this process (no start-up of an interpreter).

    Tests that use it take the ``one_thread`` fixture: ``train`` sets torch's thread count.
    """
    try:
        status = main(list(argv))
    except SystemExit as stop:
        status = stop.code
    return Ran(status, capsys.readouterr().err)


@pytest.mark.slow
def test_train_then_sample(tmp_path):
    """The two commands end to end, each in its own interpreter, as a learner types them."""
    ck = tmp_path / "m.pt"
    out = run(
        "-m",
        "ngram_helpers",
        "train",
        "--data",
        str(NAMES),
        "--steps",
        "201",
        "--quiet",
        "--checkpoint",
        str(ck),
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("step      0 | train_loss 3.2")
    assert lines[1].startswith("step    200 |") and not lines[2].startswith("step")
    assert lines[-1].startswith("test_loss ")
    assert ck.is_file()
    again = run(
        "-m",
        "ngram_helpers",
        "train",
        "--data",
        str(NAMES),
        "--steps",
        "2",
        "--quiet",
        "--checkpoint",
        str(ck),
    )
    assert again.returncode == 2 and "exists" in again.stderr
    names = run(
        "-m",
        "ngram_helpers",
        "sample",
        "--checkpoint",
        str(ck),
        "--num",
        "4",
        "--prefix",
        "ka",
        "--seed",
        "3",
    )
    assert names.returncode == 0, names.stderr
    assert [n[:2] for n in names.stdout.split()] == ["ka"] * 4
    bad = run("-m", "ngram_helpers", "sample", "--checkpoint", str(ck), "--prefix", "k!")
    assert bad.returncode == 2 and "'!'" in bad.stderr and "Traceback" not in bad.stderr
    none = run("-m", "ngram_helpers", "sample", "--checkpoint", str(ck), "--num", "0")
    assert none.returncode == 0 and none.stdout == "" and none.stderr == ""
    negative = run("-m", "ngram_helpers", "sample", "--checkpoint", str(ck), "--num", "-1")
    assert negative.returncode == 2 and "must be >= 0" in negative.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--steps", "zero"], "invalid int value"),
        (["train", "--steps", "0"], "--steps must be at least 1"),
        (["train", "--threads", "0"], "--threads must be at least 1"),
        (["train", "--data", "/nonexistent"], "data folder not found"),
        (["sample", "--checkpoint", "/nonexistent.pt"], "not found"),
        (["evaluate"], "usage: python -m ngram_helpers {train|sample}"),
    ],
)
@pytest.mark.usefixtures("one_thread")
def test_bad_arguments_give_one_line_and_status_2(args, message, capsys):
    out = run_here(capsys, *args)
    assert out.returncode == 2
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1


@pytest.mark.usefixtures("one_thread")
def test_bad_data_line_is_reported(tmp_path, capsys):
    for split in ("train", "val", "test"):
        (tmp_path / f"{split}.txt").write_text("anna\nbob\n")
    (tmp_path / "val.txt").write_text("anna\nb0b\n")
    out = run_here(capsys, "train", "--data", str(tmp_path), "--steps", "1")
    assert out.returncode == 2
    assert "val.txt:2:2: character '0'" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.usefixtures("one_thread")
def test_a_dataset_too_small_to_evaluate_says_what_to_change(tmp_path, capsys):
    for split in ("train", "val", "test"):
        (tmp_path / f"{split}.txt").write_text("anna\nbob\n" * (40 if split == "train" else 2))
    out = run_here(capsys, "train", "--data", str(tmp_path), "--steps", "1")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "val.txt, test.txt hold fewer than 128 characters" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


@pytest.mark.usefixtures("one_thread")
def test_other_alphabets_are_refused_with_the_line_and_character(tmp_path, capsys):
    for split in ("train", "val", "test"):
        (tmp_path / f"{split}.txt").write_text("anna\nbob\n" * 30)
    (tmp_path / "train.txt").write_text("anna\nzoë\n" * 30)
    out = run_here(capsys, "train", "--data", str(tmp_path), "--steps", "1")
    assert out.returncode == 2 and "train.txt:2:3: character 'ë'" in out.stderr
