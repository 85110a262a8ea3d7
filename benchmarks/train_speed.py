"""Training speed: the lesson-style loop, the plain engine and the fast engine, in one process.

The lesson-style loop is the straightforward program the lesson describes: every batch is built
from Python lists by the n-gram walk (``ngram_windows``), the raw-tensor model (``MLPRaw``) runs
forward with autograd, ``torch.optim.AdamW`` uses its defaults, and every ``eval_every`` steps
train (20 batches) and val are evaluated batch by batch through the same list-building walk.
``train(engine="plain")`` runs the same computation through ``MLP.forward``, ``loss.backward()``
and a fused AdamW, with batches cut from precomputed tensors and each distinct evaluation context
scored once. ``train(engine="fast")`` adds position tables, hand-written gradients and one flat
parameter buffer (``ngram_helpers.fast``). All three run the same steps, schedule and
evaluations, and print their last train/val losses so that one can see they agree.

Timings on a shared machine are noisy, so the three are run in turn ``--repeats`` times and the
fastest run of each is compared. Both wall-clock and process CPU time are printed: when other
programs compete for the cores, the CPU time of a single-threaded run is the steadier figure::

    python benchmarks/train_speed.py --data datasets/names-makemore-2018 --steps 3000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import torch

from ngram_helpers.data import NamesData, load_names, ngram_windows
from ngram_helpers.evaluate import evaluate
from ngram_helpers.models import MLPRaw
from ngram_helpers.rng import RNG
from ngram_helpers.train import TrainConfig, build_model, cosine_lr, model_config_for, train


def lesson_style_run(data, config: TrainConfig) -> tuple[float, float]:
    """Train ``MLPRaw`` the straightforward way; return the last (train loss, val loss)."""
    model_config = model_config_for(data)
    t, bs = model_config.context_length, config.batch_size
    model = MLPRaw(model_config, RNG(config.init_seed))
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    walk = ngram_windows(data.tokens["train"], t, bs)
    losses = (0.0, 0.0)
    for step in range(config.num_steps):
        lr = cosine_lr(step, config.num_steps, config.learning_rate)
        for group in optimizer.param_groups:
            group["lr"] = lr
        if step % config.eval_every == 0 or step == config.num_steps - 1:
            losses = (
                evaluate(model, data.tokens["train"], bs, config.train_eval_batches),
                evaluate(model, data.tokens["val"], bs),
            )
        inputs, targets = next(walk)
        _, loss = model(inputs, targets)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return losses


def engine_run(engine: str) -> Callable[[NamesData, TrainConfig], tuple[float, float]]:
    """A run of ``train(engine=engine)``, returning the last (train loss, val loss)."""

    def run(data: NamesData, config: TrainConfig) -> tuple[float, float]:
        model = build_model(data, model_config_for(data), config)
        history = train(model, data, config, engine=engine, progress=False)
        return history.train_loss[-1], history.val_loss[-1]

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="datasets/names", help="folder with train/val/test.txt")
    parser.add_argument("--steps", type=int, default=2000, help="training steps per run")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each loop, in turn")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads for both loops (default 1: with 2, any other busy program on a "
        "2-core machine makes both loops dozens of times slower)",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = load_names(args.data)
    config = TrainConfig(num_steps=args.steps)
    print(f"data {args.data}, {args.steps} steps, {torch.get_num_threads()} torch threads")
    runs = {
        "lesson-style": lesson_style_run,
        "engine plain": engine_run("plain"),
        "engine fast": engine_run("fast"),
    }
    wall = dict.fromkeys(runs, float("inf"))
    cpu = dict.fromkeys(runs, float("inf"))
    for repeat in range(args.repeats):
        for name, run in runs.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            train_loss, val_loss = run(data, config)
            wall_ms = 1000 * (time.perf_counter() - start) / args.steps
            cpu_ms = 1000 * (time.process_time() - start_cpu) / args.steps
            wall[name], cpu[name] = min(wall[name], wall_ms), min(cpu[name], cpu_ms)
            print(
                f"run {repeat + 1} {name:13s} wall {wall_ms:7.3f} ms/step, "
                f"cpu {cpu_ms:7.3f} ms/step "
                f"(last train_loss {train_loss:.6f}, val_loss {val_loss:.6f})"
            )
    for label, best in (("wall", wall), ("cpu", cpu)):
        lesson = best["lesson-style"]
        figures = ", ".join(
            f"{name} {ms:.3f} ms/step ({lesson / ms:.2f}x)" for name, ms in best.items()
        )
        print(f"best {label}: {figures}")


if __name__ == "__main__":
    main()
