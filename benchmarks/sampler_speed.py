"""How long one redraw of notebook 04's name sampler takes (target: at most 50 ms for 20 names).

Uses the checkpoint notebook 04 writes (``checkpoints/names-mlp.pt``) or the one given with
``--checkpoint``; without one it trains a short run first (a few thousand steps are enough for
names of realistic length, which is what the redraw time depends on).

    .venv/bin/python benchmarks/sampler_speed.py [--checkpoint PATH] [--redraws 50]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from ngram_helpers.checkpoint import load_checkpoint
from ngram_helpers.data import load_names
from ngram_helpers.models import ModelConfig
from ngram_helpers.train import TrainConfig, build_model, train
from ngram_helpers.widgets.sampler import build_sampler

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 50.0


def trained_model(data, checkpoint: Path, short_steps: int):
    """The checkpoint's model if it exists, else a freshly trained short run."""
    if checkpoint.is_file():
        print(f"model: {checkpoint}")
        return load_checkpoint(checkpoint, expect_vocabulary=data.tokenizer.chars).model
    print(f"model: no checkpoint at {checkpoint}; training {short_steps} steps first")
    config = TrainConfig(num_steps=short_steps)
    model = build_model(data, ModelConfig(vocab_size=data.tokenizer.vocab_size), config)
    train(model, data, config, progress=False)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, default=ROOT / "checkpoints" / "names-mlp.pt")
    parser.add_argument("--redraws", type=int, default=50)
    parser.add_argument("--short-steps", type=int, default=3000)
    args = parser.parse_args()
    data = load_names(ROOT / "datasets" / "names")
    model = trained_model(data, args.checkpoint, args.short_steps)

    start = time.perf_counter()
    sampler = build_sampler(model, data, num_names=20)
    print(
        f"building the widget (logit table + chart background): {time.perf_counter() - start:.2f} s"
    )

    times_ms = []
    for i in range(args.redraws):
        start = time.perf_counter()
        sampler.seed.value = i + 1  # each change redraws once: 20 names and the chart
        times_ms.append(1000 * (time.perf_counter() - start))
        sampler.temperature.value = (0.5, 1.0, 1.5)[i % 3]  # varied settings, not timed
    chars = sum(len(name) for name in sampler.names)
    print(f"one redraw, 20 names ({args.redraws} redraws; last one drew {chars} characters):")
    print(
        f"  median {statistics.median(times_ms):.1f} ms, "
        f"90th percentile {statistics.quantiles(times_ms, n=10)[-1]:.1f} ms, "
        f"max {max(times_ms):.1f} ms (target <= {TARGET_MS:.0f} ms)"
    )


if __name__ == "__main__":
    main()
