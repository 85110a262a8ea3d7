"""Training speed on every device present: steps per second of each engine, and a full run.

For each device PyTorch can use here (``cpu`` always; ``cuda`` and ``mps`` where present) and
each engine, the lesson's model trains ``--steps`` steps after a short warm-up, evaluating only
at the first and last step, and the steps per second are printed. With ``--full``, the lesson's
whole run (50,000 steps, an evaluation every 200) is trained once on each device with each engine
that runs there, and its last losses and wall time are printed beside the CPU's, so that one can
see how far apart the devices' numbers are::

    python benchmarks/device_speed.py --steps 2000
    python benchmarks/device_speed.py --steps 2000 --full
"""

from __future__ import annotations

import argparse
import time

import torch

from ngram_helpers.data import load_names
from ngram_helpers.device import available_devices
from ngram_helpers.evaluate import split_loss
from ngram_helpers.fast import FAST_DEVICES
from ngram_helpers.train import ENGINES, TrainConfig, build_model, model_config_for, train


def synchronize(device: str) -> None:
    """Wait for the device's queued work, so that a timer reads finished work only."""
    if device == "cuda":
        torch.cuda.synchronize()
    elif device == "mps":
        torch.mps.synchronize()


def timed_run(data, device: str, engine: str, config: TrainConfig) -> tuple[float, object, object]:
    """Train a fresh model on ``device``; return (seconds, model, history)."""
    model = build_model(data, model_config_for(data), config).to(device)
    synchronize(device)
    start = time.perf_counter()
    history = train(model, data, config, engine=engine, progress=False)
    synchronize(device)
    return time.perf_counter() - start, model, history


def engines_on(device: str) -> list[str]:
    return [e for e in ENGINES if e == "plain" or device in FAST_DEVICES]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="datasets/names")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--full", action="store_true", help="also the 50,000-step run")
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = load_names(args.data)
    devices = available_devices()
    print(f"torch {torch.__version__}; devices present: {', '.join(devices)}")
    if "cuda" in devices:
        print(f"cuda: {torch.cuda.get_device_name()}")
    short = TrainConfig(num_steps=args.steps, eval_every=args.steps)
    warm_up = TrainConfig(num_steps=50, eval_every=50)
    for device in devices:
        for engine in engines_on(device):
            timed_run(data, device, engine, warm_up)
            seconds, _, _ = timed_run(data, device, engine, short)
            print(
                f"{device:5s} {engine:5s} {args.steps / seconds:8.0f} steps/s ({args.steps} steps)"
            )
    if not args.full:
        return
    print("full run (50,000 steps, evaluation every 200):")
    reference = None
    for device in devices:
        for engine in engines_on(device):
            seconds, model, history = timed_run(data, device, engine, TrainConfig())
            losses = (history.train_loss[-1], history.val_loss[-1], split_loss(model, data, "test"))
            reference = reference or losses
            gaps = ", ".join(f"{b - a:+.2e}" for a, b in zip(reference, losses, strict=True))
            print(
                f"{device:5s} {engine:5s} {seconds:6.1f} s | train {losses[0]:.6f} "
                f"val {losses[1]:.6f} test {losses[2]:.6f} | minus the first row: {gaps}"
            )


if __name__ == "__main__":
    main()
