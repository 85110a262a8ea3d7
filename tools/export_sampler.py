"""Export notebook 04's trained model for the book's in-browser name sampler (`make book`).

The name sampler of notebook 04 shows the model of its 50,000-step run. That run saves
`checkpoints/names-mlp.pt`, which git does not track: a fresh clone has none until notebook 04
(or `python -m ngram_helpers train --checkpoint checkpoints/names-mlp.pt`) has run. So:

1. `checkpoints/names-mlp.pt`, if it holds a finished run of this data and the reference shape;
2. else the copy this script trained before, `_build/book-model/names-mlp.pt`;
3. else the notebook's own run is trained here (50,000 steps, the fast engine, about a minute)
   and kept there, so the pages show the model, and the names, the notebook shows.

The weights go out as a JavaScript file that sets ``window.NGRAM_SAMPLER_MODEL`` (a page opened
from disk may not fetch a JSON file, but may load a script). Each tensor is stored as the
base64 of its float32 bytes, so the browser reads exactly the numbers torch holds; beside them,
the vocabulary and the names of each split, to mark each sampled name train / val-test / new,
and how the Python widget words those marks in each language.

    python tools/export_sampler.py [--checkpoint PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from pathlib import Path

import torch

from ngram_helpers.checkpoint import (
    DEFAULT_CHECKPOINT,
    CheckpointError,
    load_checkpoint,
    save_checkpoint,
)
from ngram_helpers.data import NamesData, load_names
from ngram_helpers.language import LANGUAGES, speaking
from ngram_helpers.models import MLP
from ngram_helpers.sample import MAX_NAME_LENGTH, ORIGINS
from ngram_helpers.train import TrainConfig, build_model, model_config_for, train
from ngram_helpers.widgets.sampler import origin_label

ROOT = Path(__file__).resolve().parent.parent
MODEL_DIR = ROOT / "_build" / "book-model"
TRAINED_HERE = MODEL_DIR / "names-mlp.pt"
OUT = MODEL_DIR / "ngram_sampler_model.js"
GLOBAL = "window.NGRAM_SAMPLER_MODEL = "
FORMAT = "ngram-sampler/1"


def load_matching(path: Path, data: NamesData) -> MLP | None:
    """The model of the finished reference run saved at ``path``, or None (with the reason)."""
    if not path.exists():
        return None
    try:
        checkpoint = load_checkpoint(
            path,
            expect_vocabulary=data.tokenizer.chars,
            expect_model_config=model_config_for(data),
            expect_data_fingerprint=data.fingerprint(),
        )
    except CheckpointError as err:
        print(f"not using {path}: {err}")
        return None
    if checkpoint.interrupted_at_step is not None or checkpoint.train_config != TrainConfig():
        print(f"not using {path}: it is not notebook 04's finished 50,000-step run")
        return None
    return checkpoint.model


def notebook_model(data: NamesData, checkpoint: Path) -> tuple[MLP, str]:
    """Notebook 04's trained model, and where it came from (see the module docstring)."""
    for path in (checkpoint, TRAINED_HERE):
        model = load_matching(path, data)
        if model is not None:
            return model, shown_path(path)
    config = TrainConfig()
    print(f"no trained model found: training notebook 04's run ({config.num_steps:,} steps) ...")
    model = build_model(data, model_config_for(data), config)
    history = train(model, data, config, engine="fast", progress=False)
    save_checkpoint(TRAINED_HERE, model, data, config, history, overwrite=True)
    return model, shown_path(TRAINED_HERE)


def shown_path(path: Path) -> str:
    """``path`` relative to the repository where it lies inside it."""
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def float32_base64(tensor: torch.Tensor) -> str:
    """The tensor's float32 values, row-major, little-endian, as base64."""
    array = tensor.detach().cpu().to(torch.float32).contiguous().numpy()
    return base64.b64encode(array.astype("<f4").tobytes()).decode("ascii")


def sampler_export(model: MLP, data: NamesData, source: str) -> dict:
    """Everything the browser sampler needs, as plain JSON values."""
    config = model.config
    if config.hidden_layers != 1 or config.current_name_only or config.dropout:
        raise ValueError("the browser sampler implements the reference shape only (one tanh layer)")
    state = model.state_dict()
    weights = {
        "wte": state["wte.weight"],  # (V, E)
        "w1": state["mlp.0.weight"],  # (H, T*E)
        "b1": state["mlp.0.bias"],  # (H,)
        "w2": state["mlp.2.weight"],  # (V, H)
        "b2": state["mlp.2.bias"],  # (V,)
    }
    return {
        "format": FORMAT,
        "source": source,
        "chars": "".join(data.tokenizer.chars),
        "end_token": data.tokenizer.end_token,
        "context_length": config.context_length,
        "embedding_size": config.embedding_size,
        "hidden_size": config.hidden_size,
        "vocab_size": config.vocab_size,
        "max_name_length": MAX_NAME_LENGTH,
        "weights": {name: float32_base64(t) for name, t in weights.items()},
        "train_names": "\n".join(data.names("train")),
        "held_out_names": "\n".join(data.names("val") + data.names("test")),
        "origin_labels": origin_labels(),
    }


def origin_labels() -> dict[str, dict[str, str]]:
    """How each edition's sampler shows a name's origin: the Python widget's own words."""
    labels = {}
    for code in LANGUAGES:
        with speaking(code):
            labels[code] = {origin: origin_label(origin) for origin in ORIGINS}
    return labels


def write_export(export: dict, out: Path) -> Path:
    """Write ``export`` as the script the book loads (only if it changed)."""
    text = GLOBAL + json.dumps(export, separators=(",", ":")) + ";\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return out


def read_export(path: Path) -> dict:
    """The JSON value of a file written by ``write_export``."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith(GLOBAL):
        raise ValueError(f"{path} is not a sampler export (it should start with {GLOBAL!r})")
    return json.loads(text[len(GLOBAL) :].rstrip().rstrip(";"))


def export_default(checkpoint: Path = ROOT / DEFAULT_CHECKPOINT, out: Path = OUT) -> Path:
    """Export notebook 04's model to ``out``; the path written."""
    data = load_names(ROOT / "datasets" / "names")
    model, source = notebook_model(data, checkpoint)
    return write_export(sampler_export(model, data, source), out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", type=Path, default=ROOT / DEFAULT_CHECKPOINT)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    print(f"sampler weights written to {export_default(args.checkpoint, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
