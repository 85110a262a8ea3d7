"""Precompute notebook 01's decision-boundary explorer for the book (`make book`).

The explorer (``ngram_helpers.widgets.boundary``) retrains a small MLP on the notebook's two
moons whenever a control moves. A page without Python cannot train with torch, so this script
trains every setting the page offers beforehand, with the package's own ``make_mlp`` and
``fit_full_batch``, exactly as the widget does, and keeps for each:

- P(class 1) on a RESOLUTION x RESOLUTION grid over the plot's area (the area
  ``plot_decision_boundary`` shades), each value rounded to a byte (so within 1/510 of Python's);
- the train and val loss curves (at every ``max(1, steps // 100)``-th step);
- the widget's one-line summary, in the widget's words, in English and in Chinese.

The page offers fewer values than the notebook's sliders (WIDTHS, LEARNING_RATES, STEPS, every
activation): 225 settings, so that the file stays small (about 0.9 MB) and the training short. The
result is cached in `_build/book-model/`, keyed by the sources that decide the numbers.

    python tools/export_boundary.py [--out PATH]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import itertools
import json
import sys
from pathlib import Path

import torch

from ngram_helpers.language import LANGUAGES, speaking
from ngram_helpers.toy_data import Split, two_moons
from ngram_helpers.toy_models import (
    ACTIVATIONS,
    binary_loss,
    fit_full_batch,
    make_mlp,
    probability_of_class_1,
)
from ngram_helpers.widgets.boundary import summary_line

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "book-model" / "ngram_boundary_data.js"
GLOBAL = "window.NGRAM_BOUNDARY_DATA = "

# The explorer's data and first setting, as notebook 01 builds it (tests/test_book_boundary.py
# checks the notebook still does).
DATA_CALL = "two_moons(n_train=40, n_val=200, noise=0.3, seed=1)"
DEFAULT = {"activation": "tanh", "hidden_width": 4, "learning_rate": 0.03, "steps": 300}
# What the page's controls offer.
WIDTHS = (2, 4, 8, 32, 128)
LEARNING_RATES = (0.01, 0.03, 0.1, 0.3, 1.0)
STEPS = (100, 300, 1000)
SEED = 0  # the widget's default
RESOLUTION = 40
MARGIN = 0.5  # plot_decision_boundary's default


def explorer_data() -> Split:
    return two_moons(n_train=40, n_val=200, noise=0.3, seed=1)


def page_settings() -> list[dict]:
    """Every setting the page's controls can reach."""
    return [
        {"activation": a, "hidden_width": w, "learning_rate": lr, "steps": s}
        for a, w, lr, s in itertools.product(ACTIVATIONS, WIDTHS, LEARNING_RATES, STEPS)
    ]


def grid_points(x: torch.Tensor) -> tuple[torch.Tensor, list[float]]:
    """The grid's points (row by row from the bottom, x fastest) and its bounds."""
    low, high = x.min(dim=0).values - MARGIN, x.max(dim=0).values + MARGIN
    xs = torch.linspace(low[0].item(), high[0].item(), RESOLUTION)
    ys = torch.linspace(low[1].item(), high[1].item(), RESOLUTION)
    grid_x, grid_y = torch.meshgrid(xs, ys, indexing="xy")
    points = torch.stack([grid_x.reshape(-1), grid_y.reshape(-1)], dim=1)
    return points, [low[0].item(), high[0].item(), low[1].item(), high[1].item()]


def train_setting(data: Split, setting: dict) -> tuple[torch.nn.Module, object]:
    """The widget's model and curves for ``setting`` (BoundaryWidget.retrain's steps)."""
    model = make_mlp([2, setting["hidden_width"], 1], activation=setting["activation"], seed=SEED)
    curves = fit_full_batch(
        model,
        data,
        binary_loss,
        learning_rate=setting["learning_rate"],
        steps=setting["steps"],
    )
    return model, curves


def summaries(setting: dict, n_params: int, train_loss: float, val_loss: float) -> dict:
    """The widget's summary line in each language (its HTML without the <code> tag)."""
    numbers = (setting["activation"], setting["hidden_width"], n_params)
    numbers += (setting["learning_rate"], setting["steps"], train_loss, val_loss)
    lines = {}
    for code in LANGUAGES:
        with speaking(code):
            lines[code] = summary_line(*numbers)
    return lines


def setting_record(data: Split, setting: dict, points: torch.Tensor) -> dict:
    model, curves = train_setting(data, setting)
    prob = probability_of_class_1(model, points)
    grid = torch.round(prob * 255).to(torch.uint8).numpy().tobytes()
    every = max(1, setting["steps"] // 100)
    n_params = sum(p.numel() for p in model.parameters())
    return {
        "grid": base64.b64encode(grid).decode("ascii"),
        "train": [round(v, 5) for v in curves.train_loss[every - 1 :: every]],
        "val": [round(v, 5) for v in curves.val_loss[every - 1 :: every]],
        "summary": summaries(setting, n_params, curves.train_loss[-1], curves.val_loss[-1]),
    }


def key(setting: dict) -> str:
    """The record's name in the export: activation/width/learning rate/steps."""
    names = ("activation", "hidden_width", "learning_rate", "steps")
    return "/".join(f"{setting[k]:g}" if k == "learning_rate" else str(setting[k]) for k in names)


def boundary_export(settings: list[dict]) -> dict:
    data = explorer_data()
    points, bounds = grid_points(data.x_train)
    return {
        "format": "ngram-boundary/1",
        "resolution": RESOLUTION,
        "bounds": bounds,
        "x_train": [[round(v, 5) for v in row] for row in data.x_train.tolist()],
        "y_train": data.y_train.tolist(),
        "activations": list(ACTIVATIONS),
        "widths": list(WIDTHS),
        "learning_rates": list(LEARNING_RATES),
        "steps": list(STEPS),
        "default": DEFAULT,
        "settings": {key(s): setting_record(data, s, points) for s in settings},
    }


def sources_key() -> str:
    """A hash of what decides the numbers and words: the training, data and widget code, this
    file, torch."""
    digest = hashlib.sha256(torch.__version__.encode())
    for name in (
        "ngram_helpers/toy_models.py",
        "ngram_helpers/toy_data.py",
        "ngram_helpers/widgets/boundary.py",
        "tools/export_boundary.py",
    ):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:16]


def export_default(out: Path = OUT) -> Path:
    """Write the page's export to ``out`` unless the cached one was made from the same sources."""
    stamp = f"// sources {sources_key()}\n"
    if out.exists() and out.read_text(encoding="utf-8").startswith(stamp):
        return out
    print(f"training the decision-boundary explorer's {len(page_settings())} settings ...")
    text = stamp + GLOBAL + json.dumps(boundary_export(page_settings()), separators=(",", ":"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + ";\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    print(f"decision-boundary data written to {export_default(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
