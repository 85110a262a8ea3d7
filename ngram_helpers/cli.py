"""The two commands: ``train`` (the lesson's full run) and ``sample`` (names from a checkpoint).

Introduced in notebook 04. ``python -m ngram_helpers train ...`` and ``python -m ngram_helpers
sample ...`` run them (``ngram_helpers/__main__.py`` calls :func:`main`). A learner who mistypes
an argument or points at a broken file gets one line on stderr saying what is wrong, and exit
status 2, never a traceback. A finished training run is saved before anything else happens, so
nothing that fails afterwards can lose it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

import torch

from ngram_helpers.checkpoint import (
    DEFAULT_CHECKPOINT,
    CheckpointError,
    load_checkpoint,
    save_checkpoint,
)
from ngram_helpers.data import SPLITS, DatasetError, load_names
from ngram_helpers.evaluate import split_loss
from ngram_helpers.rng import RNG
from ngram_helpers.sample import REFERENCE_PROMPT, continue_text, sample_names
from ngram_helpers.train import ENGINES, TrainConfig, build_model, model_config_for, train


class ArgumentParser(argparse.ArgumentParser):
    """``argparse`` that reports a bad argument in a single line (status 2)."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(2)


def fail(error: Exception | str) -> int:
    """Print ``error`` as one line on stderr and return the exit status 2."""
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    print(f"error: {first_line}", file=sys.stderr)
    return 2


# -----------------------------------------------------------------------------
# train


def train_parser(prog: str = "python -m ngram_helpers train") -> ArgumentParser:
    parser = ArgumentParser(
        prog=prog, description="Train the lesson's MLP language model and print the lesson's log."
    )
    parser.add_argument("--data", default="datasets/names", help="folder with train/val/test.txt")
    parser.add_argument("--steps", type=int, default=TrainConfig.num_steps, help="training steps")
    parser.add_argument(
        "--checkpoint",
        help=f"write model, config, vocabulary and history here (e.g. {DEFAULT_CHECKPOINT})",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing checkpoint")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="plain",
        help="plain (default): the model's forward, backward and AdamW, as the lesson writes "
        "them; fast: the same numbers with hand-written gradients, about 3x faster",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (default 1: this model's operations are too small to gain from more "
        "threads, and on a shared machine extra threads wait for each other)",
    )
    return parser


def train_main(argv: list[str] | None = None, prog: str = "python -m ngram_helpers train") -> int:
    parser = train_parser(prog)
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error(f"--steps must be at least 1, got {args.steps}")
    if args.threads < 1:
        parser.error(f"--threads must be at least 1, got {args.threads}")
    if args.checkpoint and not args.overwrite and Path(args.checkpoint).exists():
        return fail(f"{args.checkpoint} exists; pass --overwrite to replace it")
    torch.set_num_threads(args.threads)
    try:
        data = load_names(args.data)
    except DatasetError as err:
        return fail(err)
    config = TrainConfig(num_steps=args.steps)
    short = [f"{split}.txt" for split in SPLITS if len(data.tokens[split]) < config.batch_size]
    if short:  # the lesson's evaluation averages whole batches: a split needs at least one
        return fail(
            f"{args.data}: {', '.join(short)} hold fewer than {config.batch_size} characters, "
            "one evaluation batch; add names to them"
        )
    model = build_model(data, model_config_for(data), config)
    history = train(model, data, config, engine=args.engine, progress=not args.quiet, on_eval=print)
    if args.checkpoint:  # saved first: nothing after this point can lose the finished run
        try:
            save_checkpoint(args.checkpoint, model, data, config, history, overwrite=args.overwrite)
        except CheckpointError as err:
            return fail(err)
    print(continue_text(model, data.tokenizer, REFERENCE_PROMPT, 200, RNG(42)), end="")
    print()
    print(f"test_loss {split_loss(model, data, 'test', config.batch_size)}")
    return 0


# -----------------------------------------------------------------------------
# sample


def sample_parser(prog: str = "python -m ngram_helpers sample") -> ArgumentParser:
    parser = ArgumentParser(prog=prog, description="Print names sampled from a checkpoint.")
    parser.add_argument(
        "--checkpoint",
        default=DEFAULT_CHECKPOINT,
        help=f"file written by train (default {DEFAULT_CHECKPOINT})",
    )
    parser.add_argument("--num", type=int, default=10, help="how many names (0: none)")
    parser.add_argument("--temperature", type=float, default=1.0, help="0 = greedy")
    parser.add_argument("--top-k", type=int, default=None, help="keep the k likeliest characters")
    parser.add_argument("--prefix", default="", help="every name starts with these letters")
    parser.add_argument("--seed", type=int, default=42, help="seed of the sampling RNG (>= 1)")
    return parser


def sample_main(argv: list[str] | None = None, prog: str = "python -m ngram_helpers sample") -> int:
    args = sample_parser(prog).parse_args(argv)
    try:
        checkpoint = load_checkpoint(args.checkpoint)
        names = sample_names(
            checkpoint.model,
            checkpoint.tokenizer,
            args.num,
            args.seed,
            args.prefix,
            args.temperature,
            args.top_k,
        )
    except (CheckpointError, ValueError) as err:
        return fail(err)
    if names:
        print("\n".join(names))
    return 0


# -----------------------------------------------------------------------------
# python -m ngram_helpers train|sample

COMMANDS = {"train": train_main, "sample": sample_main}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        print(f"usage: python -m ngram_helpers {{{'|'.join(COMMANDS)}}} [options]", file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    return COMMANDS[command](rest, prog=f"python -m ngram_helpers {command}")
