"""Checkpoints: round trip, atomic and non-destructive writes, refusals that say what differs."""

import dataclasses
import errno
import os

import pytest
import torch

import ngram_helpers.files
from ngram_helpers.checkpoint import (
    FORMAT,
    CheckpointError,
    CheckpointExistsError,
    CheckpointWriteError,
    check_writable,
    checkpoint_bytes,
    load_checkpoint,
    save_checkpoint,
    write_checkpoint,
)
from ngram_helpers.models import MLP, ModelConfig
from ngram_helpers.rng import RNG
from ngram_helpers.train import History, TrainConfig

SMALL = ModelConfig(context_length=3, embedding_size=4, hidden_size=8)


@pytest.fixture
def saved(tmp_path, names_data):
    model = MLP(SMALL, RNG(1337))
    history = History()
    history.append(0, 3.3, 3.3, 7e-4)
    path = save_checkpoint(tmp_path / "ck" / "m.pt", model, names_data, TrainConfig(), history)
    return path, model


def test_round_trip(saved, names_data):
    path, model = saved
    ck = load_checkpoint(
        path,
        expect_vocabulary=names_data.tokenizer.chars,
        expect_model_config=SMALL,
        expect_data_fingerprint=names_data.fingerprint(),
    )
    idx = torch.tensor([[0, 1, 2]])
    assert torch.equal(ck.model(idx)[0], model(idx)[0])
    assert ck.history.val_loss == [3.3] and ck.train_config == TrainConfig()
    assert ck.tokenizer.chars == names_data.tokenizer.chars
    assert [p.name for p in path.parent.iterdir()] == ["m.pt"]  # no temporary file left


def test_existing_file_is_not_overwritten(saved, names_data):
    path, model = saved
    before = path.read_bytes()
    with pytest.raises(CheckpointError, match="already exists"):
        save_checkpoint(path, model, names_data, TrainConfig(), History())
    assert path.read_bytes() == before
    save_checkpoint(path, model, names_data, TrainConfig(), History(), overwrite=True)


def test_mismatches_are_refused_with_what_differs(saved, names_data):
    path, _ = saved
    with pytest.raises(CheckpointError, match=r"vocabulary differs: .*'\\\\nabc'"):
        load_checkpoint(path, expect_vocabulary="\nabc")
    bigger = dataclasses.replace(SMALL, hidden_size=16)
    with pytest.raises(CheckpointError, match=r"hidden_size 8 \(expected 16\)"):
        load_checkpoint(path, expect_model_config=bigger)
    with pytest.raises(CheckpointError, match="different data"):
        load_checkpoint(path, expect_data_fingerprint="0" * 64)


class Exploit:
    """An object whose unpickling would run code: a malicious checkpoint's payload."""

    ran = False

    def __reduce__(self):
        return (setattr, (Exploit, "ran", True))


def test_damaged_and_foreign_files(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(bad)
    cut = tmp_path / "cut.pt"
    torch.save({"weights": torch.zeros(1000)}, cut)
    cut.write_bytes(cut.read_bytes()[:500])
    with pytest.raises(CheckpointError, match="damaged, cut short") as refused:
        load_checkpoint(cut)
    assert "\n" not in str(refused.value)
    pickled = tmp_path / "pickled.pt"
    torch.save({"format": FORMAT, "code": Exploit()}, pickled)
    with pytest.raises(CheckpointError, match="never loaded") as refused:
        load_checkpoint(pickled)
    assert "weights_only" not in str(refused.value) and not Exploit.ran
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(2)}, foreign)
    with pytest.raises(CheckpointError, match="not an ngram_helpers checkpoint"):
        load_checkpoint(foreign)
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint(tmp_path / "missing.pt")


def test_weights_that_do_not_fit_the_config(tmp_path, saved):
    path, _ = saved
    payload = torch.load(path, weights_only=True)
    payload["model_config"]["hidden_size"] = 16
    torch.save(payload, tmp_path / "edited.pt")
    with pytest.raises(CheckpointError, match="weights do not fit"):
        load_checkpoint(tmp_path / "edited.pt")


# --- every problem with a checkpoint's content is one CheckpointError naming the field ----------

WRONG_VALUES = [None, "x", [1], {"k": 1}, True, -1, 10**12, 0.5, torch.zeros(2)]


def mutations(payload: dict):
    """(field, damaged payload): each field and each entry of a dict field removed, and each
    replaced by every value of WRONG_VALUES (some of which happen to be valid)."""
    for field, value in payload.items():
        yield field, {k: v for k, v in payload.items() if k != field}
        for wrong in WRONG_VALUES:
            yield field, {**payload, field: wrong}
        if isinstance(value, dict):
            for key in value:
                name = f"{field}[{key!r}]" if field == "state_dict" else f"{field}.{key}"
                yield name, {**payload, field: {k: v for k, v in value.items() if k != key}}
                for wrong in [*WRONG_VALUES, torch.zeros(3, 1), torch.zeros(2, dtype=torch.long)]:
                    yield name, {**payload, field: {**value, key: wrong}}
    yield "history", {**payload, "history": {**payload["history"], "lr": []}}
    yield "history.lr[0]", {**payload, "history": {**payload["history"], "lr": ["fast"]}}
    yield "vocabulary", {**payload, "vocabulary": payload["vocabulary"][::-1]}
    yield "vocabulary", {**payload, "vocabulary": "a" + payload["vocabulary"][1:]}


def test_a_damaged_field_is_one_checkpoint_error_naming_it(tmp_path, saved):
    """Whatever one field holds, loading works or says, in one line, which field is wrong."""
    path, _ = saved
    payload = torch.load(path, weights_only=True)
    tried = refused = 0
    for field, damaged in mutations(payload):
        edited = tmp_path / "edited.pt"
        torch.save(damaged, edited)
        tried += 1
        try:
            load_checkpoint(edited)
        except CheckpointError as err:
            message = str(err)
            refused += 1
            assert "\n" not in message, (field, message)
            top = field.split(".")[0].split("[")[0]
            named = field in message or top in message or "weights do not fit" in message
            assert named, (field, message)
    assert tried > 200 and refused > 150  # most damage is refused; the rest loads, harmlessly


def test_a_checkpoint_from_before_the_interruption_mark_loads_as_finished(tmp_path, saved):
    path, _ = saved
    payload = torch.load(path, weights_only=True)
    del payload["interrupted_at_step"]
    torch.save(payload, tmp_path / "older.pt")
    assert load_checkpoint(tmp_path / "older.pt").interrupted_at_step is None
    assert load_checkpoint(path).interrupted_at_step is None


def test_an_interrupted_run_is_marked_with_its_step(tmp_path, names_data):
    model, history = MLP(SMALL, RNG(1337)), History()
    history.append(0, 3.3, 3.3, 7e-4)
    path = save_checkpoint(
        tmp_path / "m.pt", model, names_data, TrainConfig(), history, interrupted_at_step=1234
    )
    ck = load_checkpoint(path)
    assert ck.interrupted_at_step == 1234 and ck.history.step == [0]


# --- writing: refusals are atomic, failures are CheckpointErrors, checked before a run ------------


def test_a_name_taken_during_the_save_is_refused_and_kept(tmp_path, names_data, monkeypatch):
    """Another run saves between this run's early check and its publishing: nothing replaced."""
    path = tmp_path / "m.pt"
    content = checkpoint_bytes(MLP(SMALL, RNG(1)), names_data, TrainConfig(), History())
    real_mkstemp = ngram_helpers.files.tempfile.mkstemp

    def other_run_saves_now(*args, **kwargs):
        path.write_bytes(b"the other run")
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(ngram_helpers.files.tempfile, "mkstemp", other_run_saves_now)
    with pytest.raises(CheckpointExistsError, match="already exists"):
        write_checkpoint(path, content)
    assert path.read_bytes() == b"the other run"
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EIO])
def test_a_refused_write_is_one_checkpoint_write_error(tmp_path, names_data, monkeypatch, code):
    def full_disk(fd, *args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(ngram_helpers.files.os, "fsync", full_disk)
    with pytest.raises(CheckpointWriteError) as refused:
        save_checkpoint(tmp_path / "m.pt", MLP(SMALL, RNG(1)), names_data, TrainConfig(), History())
    assert (
        str(refused.value)
        == f"{tmp_path / 'm.pt'}: cannot write the checkpoint ({os.strerror(code)})"
    )
    assert list(tmp_path.iterdir()) == []


def test_check_writable_says_before_a_run_what_would_fail(tmp_path, monkeypatch):
    check_writable(tmp_path / "new" / "m.pt")
    assert (tmp_path / "new").is_dir()
    with pytest.raises(CheckpointError, match="is a folder"):
        check_writable(tmp_path / "new")
    (tmp_path / "file").write_text("")
    with pytest.raises(CheckpointWriteError, match=r"file is a file, not a folder"):
        check_writable(tmp_path / "file" / "sub" / "m.pt")

    def read_only(folder):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr("ngram_helpers.checkpoint.check_writable_folder", read_only)
    with pytest.raises(CheckpointWriteError, match="Read-only file system"):
        check_writable(tmp_path / "m.pt")
