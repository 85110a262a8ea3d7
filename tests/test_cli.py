"""The command lines: a short run end to end, one-line errors with exit status 2, and nothing a
run made lost to a full disk, a racing run, a closed pipe or Ctrl-C."""

import errno
import io
import os
import signal
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

import ngram_helpers.train
from ngram_helpers.checkpoint import load_checkpoint, save_checkpoint, write_checkpoint
from ngram_helpers.cli import interrupts_held, main
from ngram_helpers.models import MLP
from ngram_helpers.rng import RNG
from ngram_helpers.sample import iter_sample_names
from ngram_helpers.train import History, TrainConfig, model_config_for
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
    stdout: str = ""

    def one_line(self) -> str:
        """stderr, which must be exactly one line and no traceback."""
        lines = self.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in self.stderr, self.stderr
        return lines[0]


def run_here(capsys, *argv):
    """``python -m ngram_helpers <argv>`` run in this process (no start-up of an interpreter).

    Tests that use it take the ``one_thread`` fixture: ``train`` sets torch's thread count.
    """
    try:
        status = main(list(argv))
    except SystemExit as stop:
        status = stop.code
    captured = capsys.readouterr()
    return Ran(status, captured.err, captured.out)


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


# --- nothing a run made is lost: hostile disks, racing runs, closed pipes, Ctrl-C -----------------


def names_folder(folder: Path, keep=lambda name: True) -> Path:
    """A names folder small enough to train on in a moment: the first names of each split that
    ``keep`` accepts."""
    folder.mkdir()
    for split, count in (("train", 400), ("val", 60), ("test", 60)):
        names = [n for n in (NAMES / f"{split}.txt").read_text().split() if keep(n)][:count]
        (folder / f"{split}.txt").write_text("\n".join(names) + "\n")
    return folder


@pytest.fixture
def tiny(tmp_path) -> Path:
    return names_folder(tmp_path / "data")


def train_args(data: Path, *more: str) -> list[str]:
    """``train`` on ``data`` for 3 steps: log lines at steps 0 and 2."""
    return ["train", "--data", str(data), "--steps", "3", "--quiet", *more]


def real_train_then(after):
    """A stand-in for ``cli.train``: the real training run, then ``after()``."""

    def train_then(*args, **kwargs):
        history = ngram_helpers.train.train(*args, **kwargs)
        after()
        return history

    return train_then


@pytest.mark.usefixtures("one_thread")
def test_a_checkpoint_folder_that_cannot_be_written_is_refused_before_training(
    tmp_path, tiny, capsys, monkeypatch
):
    (tmp_path / "file").write_text("")
    (tmp_path / "folder").mkdir()
    refusals = {
        tmp_path / "folder": "is a folder; name the checkpoint file inside it",
        tmp_path / "file" / "m.pt": "file is a file, not a folder",
    }
    for target, message in refusals.items():
        out = run_here(capsys, *train_args(tiny, "--checkpoint", str(target)))
        assert out.returncode == 2 and message in out.one_line() and out.stdout == ""

    def read_only(folder):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr("ngram_helpers.checkpoint.check_writable_folder", read_only)
    out = run_here(capsys, *train_args(tiny, "--checkpoint", str(tmp_path / "ro" / "m.pt")))
    assert out.returncode == 2 and out.stdout == ""  # no step was trained
    assert out.one_line() == (
        f"error: {tmp_path / 'ro' / 'm.pt'}: cannot write in the folder {tmp_path / 'ro'} "
        "(Read-only file system)"
    )


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT])
@pytest.mark.usefixtures("one_thread")
def test_a_finished_run_whose_checkpoint_cannot_be_written_is_kept_in_the_temp_folder(
    tmp_path, tiny, capsys, monkeypatch, code
):
    """The disk fills up (or turns read-only) during training: the model is kept, said once."""

    def refused(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    @contextmanager
    def failing_write(path, mode="w", **kwargs):
        refused()
        yield

    monkeypatch.setattr("ngram_helpers.checkpoint.atomic_write", failing_write)
    monkeypatch.setattr("ngram_helpers.files.atomic_write", failing_write)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ck = tmp_path / "checkpoints" / "m.pt"
    out = run_here(capsys, *train_args(tiny, "--checkpoint", str(ck)))
    line = out.one_line()
    assert out.returncode == 1 and out.stdout.splitlines()[-1].startswith("test_loss ")
    prefix = f"error: {ck}: cannot write the checkpoint ({os.strerror(code)}); the trained model "
    assert line.startswith(prefix + "is kept in ") and line.endswith(" instead")
    kept = Path(line.removeprefix(prefix + "is kept in ").removesuffix(" instead"))
    assert kept.parent == tmp_path and not ck.exists()
    assert load_checkpoint(kept).interrupted_at_step is None

    monkeypatch.setattr("ngram_helpers.cli.write_in_temp_folder", refused)
    out = run_here(capsys, *train_args(tiny, "--checkpoint", str(ck)))
    assert out.returncode == 1 and out.one_line() == (
        f"error: {ck}: cannot write the checkpoint ({os.strerror(code)}); no copy could be written "
        f"elsewhere either ({os.strerror(code)}); the trained model is lost"
    )


@pytest.mark.usefixtures("one_thread")
def test_a_run_whose_name_was_taken_meanwhile_is_kept_beside_it(
    tmp_path, tiny, capsys, monkeypatch
):
    """Two runs save to one path: the one that comes second replaces nothing and keeps its model."""
    ck = tmp_path / "m.pt"
    monkeypatch.setattr(
        "ngram_helpers.cli.train", real_train_then(lambda: ck.write_bytes(b"the other run"))
    )
    out = run_here(capsys, *train_args(tiny, "--checkpoint", str(ck)))
    assert out.returncode == 1 and ck.read_bytes() == b"the other run"
    assert out.one_line() == (
        f"error: {ck} was created by another program while this run trained; the trained model "
        f"is kept in {tmp_path / 'm-2.pt'} instead"
    )
    load_checkpoint(tmp_path / "m-2.pt")
    out = run_here(capsys, *train_args(tiny, "--checkpoint", str(ck), "--overwrite"))
    assert out.returncode == 0 and out.stderr == ""
    load_checkpoint(ck)  # --overwrite still replaces


class ClosingReader(io.StringIO):
    """Standard output whose reader goes away after ``lines`` lines, as ``... | head`` does."""

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.lines = lines

    def write(self, text: str) -> int:
        if self.getvalue().count("\n") >= self.lines:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")
        return super().write(text)


@pytest.mark.parametrize("lines", [0, 1, 2, 3])
@pytest.mark.usefixtures("one_thread")
def test_closing_the_output_at_any_point_still_saves_the_run(
    tmp_path, tiny, capsys, monkeypatch, lines
):
    monkeypatch.setattr(sys, "stdout", ClosingReader(lines))
    ck = tmp_path / "m.pt"
    out = run_here(capsys, *train_args(tiny, "--checkpoint", str(ck)))
    assert out.returncode == 0 and "Traceback" not in out.stderr
    assert load_checkpoint(ck).interrupted_at_step is None
    if lines < 2:  # the log itself was cut: training went on, and says so
        assert out.one_line() == (
            f"note: standard output was closed; training goes on, then saves to {ck}"
        )


@pytest.mark.usefixtures("one_thread")
def test_a_run_that_saves_nothing_stops_when_nobody_reads_it(tiny, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdout", ClosingReader(1))
    out = run_here(capsys, *train_args(tiny))
    assert out.returncode == 0 and out.one_line() == (
        "note: training stopped at step 2 of 3: standard output was closed and there is no "
        "--checkpoint to save the model to"
    )


def interrupt_at_eval(number: int):
    """A stand-in for ``cli.train`` that presses Ctrl-C (a real SIGINT) at its ``number``-th log."""

    def train_until_ctrl_c(*args, on_eval, **kwargs):
        seen = []

        def log_then_ctrl_c(line: str) -> None:
            on_eval(line)
            seen.append(line)
            if len(seen) == number:
                signal.raise_signal(signal.SIGINT)

        return ngram_helpers.train.train(*args, on_eval=log_then_ctrl_c, **kwargs)

    return train_until_ctrl_c


@pytest.mark.parametrize(("evals", "step"), [(1, 0), (2, 2)])
@pytest.mark.usefixtures("one_thread")
def test_ctrl_c_keeps_the_model_trained_so_far_marked_with_its_step(
    tmp_path, tiny, capsys, monkeypatch, evals, step
):
    monkeypatch.setattr("ngram_helpers.cli.train", interrupt_at_eval(evals))
    ck = tmp_path / "m.pt"
    out = run_here(capsys, *train_args(tiny, "--checkpoint", str(ck)))
    assert out.returncode == 130 and out.one_line() == (
        f"interrupted at step {step} of 3; the model trained so far (marked as interrupted) is "
        f"saved in {ck}"
    )
    checkpoint = load_checkpoint(ck)
    assert checkpoint.interrupted_at_step == step and len(checkpoint.history.step) == evals
    names = run_here(capsys, "sample", "--checkpoint", str(ck), "--num", "2")
    assert names.returncode == 0 and len(names.stdout.split()) == 2
    assert names.one_line() == f"note: {ck} holds a run interrupted at step {step} of 3"
    out = run_here(capsys, *train_args(tiny))
    assert out.returncode == 130
    assert (
        out.one_line() == f"interrupted at step {step} of 3; nothing saved (no --checkpoint given)"
    )


@pytest.mark.usefixtures("one_thread")
def test_ctrl_c_during_the_save_waits_for_the_save(tmp_path, tiny, capsys, monkeypatch):
    def ctrl_c_then_write(*args, **kwargs):
        signal.raise_signal(signal.SIGINT)
        return write_checkpoint(*args, **kwargs)

    monkeypatch.setattr("ngram_helpers.cli.write_checkpoint", ctrl_c_then_write)
    ck = tmp_path / "m.pt"
    out = run_here(capsys, *train_args(tiny, "--checkpoint", str(ck)))
    assert out.returncode == 130 and out.one_line() == "interrupted"
    assert load_checkpoint(ck).interrupted_at_step is None  # the finished run, saved whole


def test_interrupts_held_defers_ctrl_c_to_the_caller():
    with interrupts_held() as pressed:
        signal.raise_signal(signal.SIGINT)
    assert pressed == [signal.SIGINT]
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)  # the usual handler is back


@pytest.mark.parametrize("letter", sorted(set("richard")))
@pytest.mark.usefixtures("one_thread")
def test_data_without_a_letter_of_the_prompt_skips_its_continuation(tmp_path, capsys, letter):
    data = names_folder(tmp_path / "data", keep=lambda name: letter not in name)
    out = run_here(capsys, *train_args(data))
    assert out.returncode == 0 and out.stdout.splitlines()[-1].startswith("test_loss ")
    line = out.one_line()
    assert line.startswith("note: the prompt 'richard' is not continued: the data has no ")
    assert repr(letter) in line


@pytest.fixture
def checkpoint(tmp_path, names_data) -> Path:
    """An untrained model of the lesson's shape, saved as ``train`` saves one."""
    data_config = model_config_for(names_data)
    model = MLP(data_config, RNG(1337))
    return save_checkpoint(tmp_path / "m.pt", model, names_data, TrainConfig(), History())


@pytest.mark.parametrize(
    ("temperature", "message"),
    [
        ("nan", "temperature must be 0 (greedy) or a positive finite number, got nan"),
        ("inf", "temperature must be 0 (greedy) or a positive finite number, got inf"),
        ("-inf", "temperature must be 0 (greedy) or a positive finite number, got -inf"),
        ("-1", "temperature must be 0 (greedy) or a positive finite number, got -1.0"),
        ("1e-300", "temperature 1e-300 is too close to 0: the logits divided by it overflow"),
    ],
)
def test_sample_refuses_a_temperature_that_gives_no_names(checkpoint, capsys, temperature, message):
    out = run_here(
        capsys, "sample", "--checkpoint", str(checkpoint), f"--temperature={temperature}"
    )
    assert out.returncode == 2 and message in out.one_line() and out.stdout == ""


def test_sample_streams_and_stops_when_nobody_reads(checkpoint, capsys, monkeypatch):
    """A million names: they are printed as drawn, and drawing stops when the reader goes."""
    drawn = []

    def counted(*args, **kwargs):
        for name in iter_sample_names(*args, **kwargs):
            drawn.append(name)
            yield name

    monkeypatch.setattr("ngram_helpers.cli.iter_sample_names", counted)
    reader = ClosingReader(5)
    monkeypatch.setattr(sys, "stdout", reader)
    out = run_here(capsys, "sample", "--checkpoint", str(checkpoint), "--num", "1000000")
    assert out.returncode == 0 and out.stderr == ""
    assert reader.getvalue().splitlines() == drawn[:5] and len(drawn) == 6


def test_sample_names_the_damaged_field_of_a_checkpoint(tmp_path, checkpoint, capsys):
    payload = torch.load(checkpoint, weights_only=True)
    del payload["model_config"]["hidden_size"]
    torch.save(payload, tmp_path / "damaged.pt")
    out = run_here(capsys, "sample", "--checkpoint", str(tmp_path / "damaged.pt"))
    assert out.returncode == 2 and out.one_line() == (
        f"error: {tmp_path / 'damaged.pt'}: damaged checkpoint: model_config.hidden_size is missing"
    )
