"""Saving and loading a trained model (introduced in notebook 04).

One file holds everything needed to use the model again: the weights, both configurations, the
vocabulary, a fingerprint of the data it was trained on, and the evaluation history.

- Writes are atomic: the file is written under a temporary name in the same folder and renamed
  over the target only when complete, so an interrupted save never leaves half a checkpoint.
- An existing file is never replaced unless ``overwrite=True``.
- Loading uses ``torch.load(..., weights_only=True)``: only tensors and plain Python values are
  read, never pickled code.
- A checkpoint that does not match what the caller expects (vocabulary, model shapes, data) is
  refused with a message that says what differs.
"""

from __future__ import annotations

import pickle
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from ngram_helpers.data import NamesData, Tokenizer
from ngram_helpers.files import atomic_write
from ngram_helpers.models import MLP, ModelConfig
from ngram_helpers.train import History, TrainConfig

# where notebook 04 and the command line keep the lesson's trained model (relative to the project)
DEFAULT_CHECKPOINT = "checkpoints/names-mlp.pt"
# /2: dropout and the end-of-name id moved into ModelConfig (checkpoints of /1 are refused)
FORMAT = "ngram_helpers.mlp/2"


class CheckpointError(ValueError):
    """A checkpoint cannot be written, read, or does not match the request."""


@dataclass
class Checkpoint:
    """A loaded checkpoint: a ready model and what it was trained with."""

    model: MLP
    model_config: ModelConfig
    train_config: TrainConfig
    tokenizer: Tokenizer
    history: History
    data_fingerprint: str


def save_checkpoint(
    path: str | Path,
    model: MLP,
    data: NamesData,
    train_config: TrainConfig,
    history: History,
    *,
    overwrite: bool = False,
) -> Path:
    """Write ``model`` and its context to ``path`` atomically; refuse to replace a file unasked."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise CheckpointError(f"{path} already exists; pass overwrite=True to replace it")
    payload = {
        "format": FORMAT,
        "model_config": asdict(model.config),
        "train_config": asdict(train_config),
        "vocabulary": data.tokenizer.chars,
        "data_fingerprint": data.fingerprint(),
        "history": history.to_dict(),
        "state_dict": {k: v.detach().clone() for k, v in model.state_dict().items()},
    }
    with atomic_write(path, "wb") as f:
        torch.save(payload, f)
    return path


def load_checkpoint(
    path: str | Path,
    *,
    expect_vocabulary: str | None = None,
    expect_model_config: ModelConfig | None = None,
    expect_data_fingerprint: str | None = None,
) -> Checkpoint:
    """Read a checkpoint written by ``save_checkpoint`` and rebuild its model.

    Each ``expect_*`` argument given is compared with the checkpoint; a mismatch raises
    ``CheckpointError`` naming the field and both values.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: checkpoint not found")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:  # weights_only refused something that is not plain data
        raise CheckpointError(
            f"{path}: not a readable checkpoint (it holds Python objects other than tensors and "
            "plain values, and those are never loaded)"
        ) from None
    except Exception:  # torch raises many types, with long messages, for a damaged file
        raise CheckpointError(
            f"{path}: not a readable checkpoint (damaged, cut short, or not a PyTorch file)"
        ) from None
    found = payload.get("format") if isinstance(payload, dict) else None
    if isinstance(found, str) and found.startswith("ngram_helpers.mlp/") and found != FORMAT:
        raise CheckpointError(
            f"{path}: written by another version of ngram_helpers (format {found}, this version "
            f"reads {FORMAT}); train the model again"
        )
    if found != FORMAT:
        raise CheckpointError(f"{path}: not an ngram_helpers checkpoint (format {FORMAT})")
    try:
        model_config = ModelConfig(**payload["model_config"])
        train_config = TrainConfig(**payload["train_config"])
    except (KeyError, TypeError, ValueError) as err:
        raise CheckpointError(f"{path}: damaged configuration ({err})") from None
    vocabulary = payload["vocabulary"]
    if expect_vocabulary is not None and vocabulary != expect_vocabulary:
        raise CheckpointError(
            f"{path}: vocabulary differs: checkpoint has {_show(vocabulary)}, "
            f"expected {_show(expect_vocabulary)}"
        )
    if expect_model_config is not None and model_config != expect_model_config:
        differences = ", ".join(
            f"{name} {have} (expected {want})"
            for (name, have), want in zip(
                asdict(model_config).items(), asdict(expect_model_config).values(), strict=True
            )
            if have != want
        )
        raise CheckpointError(f"{path}: model configuration differs: {differences}")
    fingerprint = payload["data_fingerprint"]
    if expect_data_fingerprint is not None and fingerprint != expect_data_fingerprint:
        raise CheckpointError(f"{path}: trained on different data (dataset fingerprint differs)")

    model = MLP(model_config)
    try:
        model.load_state_dict(payload["state_dict"])
    except RuntimeError as err:
        raise CheckpointError(f"{path}: weights do not fit its configuration: {err}") from None
    model.eval()
    return Checkpoint(
        model=model,
        model_config=model_config,
        train_config=train_config,
        tokenizer=Tokenizer(vocabulary),
        history=History(**payload["history"]),
        data_fingerprint=fingerprint,
    )


def _show(vocabulary: str) -> str:
    return repr(vocabulary.replace("\n", "\\n"))
