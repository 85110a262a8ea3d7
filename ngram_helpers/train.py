"""Training the MLP language model: schedule, evaluation, the loop, and the command line.

Introduced in notebook 02 (a short run) and used in full in notebook 04. The defaults are the
reference configuration: AdamW (lr 7e-4, weight decay 1e-4), a cosine learning rate from 7e-4 down
to 0 over 50,000 steps of 128 examples, and an evaluation every 200 steps.

Command line (prints the reference program's log format)::

    python -m ngram_helpers.train --data datasets/names --checkpoint runs/names.pt
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from tqdm.auto import tqdm

from ngram_helpers.data import (
    DatasetError,
    NamesData,
    NgramTable,
    eval_batch_count,
    ngram_windows,
)
from ngram_helpers.fast import FlatAdamW, SplitEvaluator, gradient_step
from ngram_helpers.models import MLP, ModelConfig
from ngram_helpers.rng import RNG


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings of a run; the defaults are the reference's."""

    batch_size: int = 128
    learning_rate: float = 7e-4
    weight_decay: float = 1e-4
    num_steps: int = 50_000
    eval_every: int = 200
    train_eval_batches: int = 20
    init_seed: int = 1337
    # notebook 05: the share of hidden-layer outputs zeroed at random in each training step
    dropout: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be at least 0 and below 1, got {self.dropout}")


@dataclass
class History:
    """What a run logged at each evaluation: the lists a notebook plots."""

    step: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)

    def append(self, step: int, train_loss: float, val_loss: float, lr: float) -> None:
        self.step.append(step)
        self.train_loss.append(train_loss)
        self.val_loss.append(val_loss)
        self.lr.append(lr)

    def to_dict(self) -> dict[str, list]:
        return asdict(self)


def cosine_lr(step: int, num_steps: int, max_lr: float) -> float:
    """Cosine decay from ``max_lr`` at step 0 towards 0 at ``num_steps``."""
    return max_lr * 0.5 * (1 + math.cos(math.pi * step / num_steps))


@torch.inference_mode()
def evaluate(
    model: Callable,
    tokens: list[int],
    context_length: int,
    batch_size: int = 128,
    max_batches: int | None = None,
) -> float:
    """The reference evaluation, written plainly: the mean of per-batch mean losses.

    Walks the split from its start with ``ngram_windows`` for ``len(tokens) // batch_size``
    batches (or ``max_batches``, if fewer). ``SplitEvaluator`` computes the same number faster.
    """
    num_batches = eval_batch_count(len(tokens), batch_size, max_batches)
    batches = ngram_windows(tokens, context_length, batch_size)
    total = 0.0
    for _ in range(num_batches):
        inputs, targets = next(batches)
        total += model(inputs, targets)[1].item()
    return total / num_batches


def log_line(step: int, train_loss: float, val_loss: float, lr: float, step_ms: float) -> str:
    """One line of the reference log format."""
    return (
        f"step {step:6d} | train_loss {train_loss:.6f} | val_loss {val_loss:.6f} | "
        f"lr {lr:e} | time/step {step_ms:.4f}ms"
    )


def train(
    model: MLP,
    data: NamesData,
    config: TrainConfig = TrainConfig(),
    *,
    progress: bool = True,
    on_eval: Callable[[str], None] | None = None,
) -> History:
    """Train ``model`` in place on ``data`` and return the evaluation history.

    Each step takes the next batch of the n-gram walk over the training tokens, sets the cosine
    learning rate, and takes one AdamW step. Every ``eval_every`` steps (and at the last step) it
    evaluates train (first ``train_eval_batches`` batches) and val, records them, and passes a
    reference-format log line to ``on_eval``. ``progress`` shows a tqdm bar (a widget in Jupyter,
    text in a terminal). With ``config.dropout`` > 0 (notebook 05) each step drops that share of
    the hidden units at random; evaluations always use them all.
    """
    t = model.config.context_length
    bs = config.batch_size
    batches = NgramTable(data.tokens["train"], t)
    eval_train = SplitEvaluator(data.tokens["train"], t, bs, config.train_eval_batches)
    eval_val = SplitEvaluator(data.tokens["val"], t, bs, None)
    # fills every .grad; nothing to zero between steps
    compute_gradients = gradient_step(model, config.dropout)
    optimizer = FlatAdamW(compute_gradients.flat, config.learning_rate, config.weight_decay)
    history = History()
    # At most one redraw a second: in Jupyter each redraw is a few widget messages, and a kernel
    # that queues thousands of them during a long cell makes the frontend (or nbval) drop some.
    bar = tqdm(
        total=config.num_steps, disable=not progress, unit="step", smoothing=0.1, mininterval=1.0
    )
    step_time, steps_timed = 0.0, 0
    # Dropout draws its masks from torch's generator: seeded here, the run is repeatable, and
    # fork_rng gives the caller's generator back untouched afterwards.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.init_seed)
        for step in range(config.num_steps):
            lr = cosine_lr(step, config.num_steps, config.learning_rate)
            optimizer.lr = lr
            if step % config.eval_every == 0 or step == config.num_steps - 1:
                train_loss, val_loss = eval_train(model), eval_val(model)
                history.append(step, train_loss, val_loss, lr)
                step_ms = 1000 * step_time / steps_timed if steps_timed else 0.0
                step_time, steps_timed = 0.0, 0
                if on_eval is not None:
                    on_eval(log_line(step, train_loss, val_loss, lr, step_ms))
                bar.set_postfix(train=f"{train_loss:.4f}", val=f"{val_loss:.4f}", refresh=False)
            start = time.perf_counter()
            inputs, targets = batches.batch(step, bs)
            compute_gradients(inputs, targets)
            optimizer.step()
            step_time += time.perf_counter() - start
            steps_timed += 1
            bar.update()
    bar.close()
    return history


def build_model(data: NamesData, model_config: ModelConfig, config: TrainConfig) -> MLP:
    """A fresh ``MLP`` for ``data``'s vocabulary, initialised from ``RNG(config.init_seed)``."""
    if model_config.vocab_size != data.tokenizer.vocab_size:
        raise ValueError(
            f"model vocab_size {model_config.vocab_size} != data vocabulary "
            f"{data.tokenizer.vocab_size} ({data.tokenizer.describe()})"
        )
    return MLP(model_config, RNG(config.init_seed))


# -----------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    from ngram_helpers.checkpoint import CheckpointError, save_checkpoint
    from ngram_helpers.cli import ArgumentParser, fail
    from ngram_helpers.data import load_names
    from ngram_helpers.sample import REFERENCE_PROMPT, continue_text

    parser = ArgumentParser(
        prog="python -m ngram_helpers.train",
        description="Train the reference MLP language model and print the reference log.",
    )
    parser.add_argument("--data", default="datasets/names", help="folder with train/val/test.txt")
    parser.add_argument("--steps", type=int, default=TrainConfig.num_steps, help="training steps")
    parser.add_argument("--checkpoint", help="write model, config, vocabulary and history here")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing checkpoint")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (default 1: this model's operations are too small to gain from more "
        "threads, and on a shared machine extra threads wait for each other)",
    )
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error(f"--steps must be at least 1, got {args.steps}")
    if args.threads < 1:
        parser.error(f"--threads must be at least 1, got {args.threads}")
    torch.set_num_threads(args.threads)
    try:
        data = load_names(args.data)
    except DatasetError as err:
        return fail(err)
    config = TrainConfig(num_steps=args.steps)
    model_config = ModelConfig(vocab_size=data.tokenizer.vocab_size)
    if args.checkpoint and not args.overwrite and Path(args.checkpoint).exists():
        return fail(f"{args.checkpoint} exists; pass --overwrite to replace it")
    model = build_model(data, model_config, config)
    history = train(model, data, config, progress=not args.quiet, on_eval=print)
    print(continue_text(model, data.tokenizer, REFERENCE_PROMPT, 200, RNG(42)), end="")
    print()
    test = SplitEvaluator(data.tokens["test"], model_config.context_length, config.batch_size, None)
    print(f"test_loss {test(model)}")
    if args.checkpoint:
        try:
            save_checkpoint(args.checkpoint, model, data, config, history, overwrite=args.overwrite)
        except CheckpointError as err:
            return fail(err)
    return 0


if __name__ == "__main__":
    sys.exit(main())
