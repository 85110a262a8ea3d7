"""Checkpoints: round trip, atomic and non-destructive writes, refusals that say what differs."""

import dataclasses

import pytest
import torch

from ngram_helpers.checkpoint import FORMAT, CheckpointError, load_checkpoint, save_checkpoint
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
