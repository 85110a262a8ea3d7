"""The two commands: ``train`` (the lesson's full run) and ``sample`` (names from a checkpoint).

Introduced in notebook 04. ``python -m ngram_helpers train ...`` and ``python -m ngram_helpers
sample ...`` run them (``ngram_helpers/__main__.py`` calls :func:`main`). A learner who mistypes
an argument or points at a broken file gets one line on stderr saying what is wrong, and exit
status 2, never a traceback.

Nothing a run made is lost:

- ``--checkpoint``'s folder is created and tried before training, so a folder that cannot be
  written is reported before the work, not after it;
- a finished run is saved before anything else happens. If its name was taken meanwhile (by
  another run) or the write fails (a full disk), the model is kept under a free name beside it,
  or else in the system temp folder, and one line says where (exit status 1);
- the log is best effort: a reader that goes away (``train ... | head -20``) ends the log, not the
  run, which is still saved (with no ``--checkpoint`` there is nothing to keep, and it stops);
- Ctrl-C stops training with one line; with ``--checkpoint`` the model trained so far is saved,
  marked as interrupted at the step it reached (``sample`` loads it). Exit status 130.

``sample`` prints each name as soon as it is drawn, so ``--num 1000000`` starts at once.
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

import torch
from tqdm.auto import tqdm

from ngram_helpers.checkpoint import (
    DEFAULT_CHECKPOINT,
    CheckpointError,
    CheckpointExistsError,
    CheckpointWriteError,
    check_writable,
    checkpoint_bytes,
    load_checkpoint,
    reason,
    write_checkpoint,
)
from ngram_helpers.data import SPLITS, DatasetError, NamesData, load_names
from ngram_helpers.device import DEVICE_VARIABLE, DeviceError, pick_device
from ngram_helpers.evaluate import split_loss
from ngram_helpers.files import write_beside, write_in_temp_folder
from ngram_helpers.models import MLP
from ngram_helpers.rng import RNG
from ngram_helpers.sample import REFERENCE_PROMPT, continue_text, iter_sample_names
from ngram_helpers.train import (
    ENGINES,
    History,
    Interrupted,
    TrainConfig,
    build_model,
    model_config_for,
    train,
)

# exit statuses besides 0 (done) and 2 (bad arguments or files)
KEPT_ELSEWHERE = 1  # the run finished, but its model is not where --checkpoint said (or lost)
INTERRUPTED = 130  # Ctrl-C, as a shell reports a program stopped by SIGINT (128 + 2)


class ArgumentParser(argparse.ArgumentParser):
    """``argparse`` that reports a bad argument in a single line (status 2)."""

    def error(self, message: str) -> NoReturn:
        say(f"{self.prog}: error: {message}")
        sys.exit(2)


def say(line: str) -> None:
    """Print one line on stderr, above any progress bar; a closed stderr loses the line only."""
    try:
        tqdm.write(line, file=sys.stderr)
    except (OSError, ValueError):  # a closed pipe, or a stream already closed
        pass


def first_line(error: BaseException | str) -> str:
    """The first line of ``error``'s message (its type's name if the message is empty)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def fail(error: Exception | str, status: int = 2) -> int:
    """Print ``error`` as one line on stderr and return the exit status (2 unless given)."""
    say(f"error: {first_line(error)}")
    return status


# -----------------------------------------------------------------------------
# output that a reader going away cannot break


class BestEffortStream:
    """A text stream (stdout, stderr) that stops writing when it fails, instead of raising.

    A reader that went away (``train ... | head``: ``BrokenPipeError``) or a full disk ends the
    output, not the command: later writes are dropped, and the stream's file descriptor is
    pointed at the null device, so Python's own flush at exit has nothing left to fail on.
    Everything else (``isatty``, ``encoding``, ``fileno``...) is the wrapped stream's.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.failure: OSError | None = None

    def write(self, text: str) -> int:
        if self.failure is None:
            try:
                return self.stream.write(text)
            except OSError as err:
                self._give_up(err)
        return len(text)

    def flush(self) -> None:
        if self.failure is None:
            try:
                self.stream.flush()
            except OSError as err:
                self._give_up(err)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)

    def _give_up(self, err: OSError) -> None:
        self.failure = err
        try:
            fd = self.stream.fileno()
        except (AttributeError, OSError, ValueError):  # a test's stream, or no file at all
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)


def best_effort_streams(command: Callable[..., int]) -> Callable[..., int]:
    """Run ``command`` with stdout and stderr as ``BestEffortStream`` s (see there)."""

    @functools.wraps(command)
    def run(*args, **kwargs) -> int:
        wrapped = [isinstance(s, BestEffortStream) for s in (sys.stdout, sys.stderr)]
        out = sys.stdout if wrapped[0] else BestEffortStream(sys.stdout)
        err = sys.stderr if wrapped[1] else BestEffortStream(sys.stderr)
        with redirect_stdout(out), redirect_stderr(err):
            return command(*args, **kwargs)

    return run


def stdout_failed() -> bool:
    """Whether standard output has failed (its reader went away, or it cannot be written)."""
    return getattr(sys.stdout, "failure", None) is not None


def stdout_problem() -> str | None:
    """Why standard output failed, if it did for a reason worth telling (not a closed pipe)."""
    failure = getattr(sys.stdout, "failure", None)
    if failure is None or isinstance(failure, BrokenPipeError):
        return None
    return reason(failure)


@contextmanager
def interrupts_held() -> Iterator[list[int]]:
    """Hold Ctrl-C back while the block runs (a save is never cut short).

    Yields a list that holds the signal once Ctrl-C was pressed meanwhile; the caller decides
    what to do about it. Outside the main thread (where signals cannot be caught) it only yields.
    """
    pressed: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield pressed
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)


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
    add_device_argument(parser)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (default 1: this model's operations are too small to gain from more "
        "threads, and on a shared machine extra threads wait for each other)",
    )
    return parser


def add_device_argument(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--device",
        help=f"cuda, mps or cpu (default: ${DEVICE_VARIABLE} if set, else the first of cuda, "
        "mps, cpu present)",
    )


def chosen_device(name: str | None) -> torch.device:
    """``pick_device(name)``, with one line on stderr when the run leaves the CPU."""
    device = pick_device(name)
    if device.type != "cpu":
        say(f"note: running on {device}; losses agree with a CPU run to about four decimals")
    return device


@dataclass
class Run:
    """One training run of ``train``: what it trains, and where its model is to be saved."""

    model: MLP
    data: NamesData
    config: TrainConfig
    checkpoint: Path | None
    overwrite: bool


class NobodyReads(KeyboardInterrupt):
    """Raised from the log to stop a run whose output is closed and that saves nothing.

    An interrupt, as Ctrl-C is: ``train`` stops and says how far it got (``Interrupted``).
    """


@best_effort_streams
def train_main(argv: list[str] | None = None, prog: str = "python -m ngram_helpers train") -> int:
    parser = train_parser(prog)
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error(f"--steps must be at least 1, got {args.steps}")
    if args.threads < 1:
        parser.error(f"--threads must be at least 1, got {args.threads}")
    taken = (
        args.checkpoint and Path(args.checkpoint).exists() and not Path(args.checkpoint).is_dir()
    )
    if taken and not args.overwrite:  # (a folder is refused below)
        return fail(f"{args.checkpoint} exists; pass --overwrite to replace it")
    torch.set_num_threads(args.threads)
    try:
        device = chosen_device(args.device)
        data = load_names(args.data)
    except (DeviceError, DatasetError) as err:
        return fail(err)
    config = TrainConfig(num_steps=args.steps)
    short = [f"{split}.txt" for split in SPLITS if len(data.tokens[split]) < config.batch_size]
    if short:  # the lesson's evaluation averages whole batches: a split needs at least one
        return fail(
            f"{args.data}: {', '.join(short)} hold fewer than {config.batch_size} characters, "
            "one evaluation batch; add names to them"
        )
    checkpoint = Path(args.checkpoint) if args.checkpoint else None
    if checkpoint is not None:
        try:  # before training: a folder that cannot be written costs no run
            check_writable(checkpoint)
        except CheckpointError as err:
            return fail(err)
    model = build_model(data, model_config_for(data), config).to(device)
    run = Run(model, data, config, checkpoint, args.overwrite)
    try:
        history = train(
            model,
            data,
            config,
            engine=args.engine,
            progress=not args.quiet,
            on_eval=RunLog(run),
        )
    except Interrupted as stop:
        return stopped(run, stop)
    status = save_finished(run, history)  # saved first: nothing after this can lose the run
    report(run)
    return status


@dataclass
class RunLog:
    """The ``on_eval`` of a run: prints each log line while someone reads them.

    When standard output fails, it says so once on stderr and training goes on to be saved; a
    run that saves nothing is stopped (``NobodyReads``), as nobody would see its result.
    """

    run: Run
    noted: bool = False

    def __call__(self, line: str) -> None:
        print(line, flush=True)
        if not stdout_failed():
            return
        if self.run.checkpoint is None:
            raise NobodyReads
        if not self.noted:
            self.noted = True
            problem = stdout_problem()
            why = f"failed ({problem})" if problem else "was closed"
            say(
                f"note: standard output {why}; training goes on, "
                f"then saves to {self.run.checkpoint}"
            )


def save_finished(run: Run, history: History) -> int:
    """Save a finished run (if a checkpoint was asked for); the exit status it leaves."""
    if run.checkpoint is None:
        return 0
    with interrupts_held() as pressed:
        saved = save_model(run, checkpoint_bytes(run.model, run.data, run.config, history))
    if saved.problem is not None:
        say(f"error: {saved.problem}; {saved.where('the trained model')}")
    if pressed:  # Ctrl-C during the save: the run is safe, stop now
        raise KeyboardInterrupt
    return 0 if saved.problem is None else KEPT_ELSEWHERE


def stopped(run: Run, stop: Interrupted) -> int:
    """A run stopped by Ctrl-C (or by nobody reading): one line, and the model saved if asked."""
    step, history = stop.step, stop.history
    at = f"at step {step:,} of {run.config.num_steps:,}"
    if isinstance(stop.__cause__, NobodyReads):
        say(
            f"note: training stopped {at}: standard output was closed and there is no "
            "--checkpoint to save the model to"
        )
        return 0
    if run.checkpoint is None:
        say(f"interrupted {at}; nothing saved (no --checkpoint given)")
        return INTERRUPTED
    with interrupts_held():  # a second Ctrl-C must not cut this save short
        content = checkpoint_bytes(
            run.model, run.data, run.config, history, interrupted_at_step=step
        )
        saved = save_model(run, content)
    trained = "the model trained so far (marked as interrupted)"
    if saved.problem is None:
        say(f"interrupted {at}; {trained} is saved in {saved.path}")
    else:
        say(f"interrupted {at}; {saved.problem}; {saved.where(trained)}")
    return INTERRUPTED


@dataclass
class Saved:
    """Where a model was saved (None: nowhere) and, if not where asked, why not."""

    path: Path | None
    problem: str | None = None

    def where(self, what: str) -> str:
        """The end of a line saying where ``what`` (the model) is kept, or that it is lost."""
        if self.path is None:
            return f"{what} is lost"
        return f"{what} is kept in {self.path} instead"


def save_model(run: Run, content: bytes) -> Saved:
    """Write ``content`` to the run's checkpoint, or else beside it, or else in the temp folder.

    The first that succeeds wins; a name that exists is never replaced (unless --overwrite, for
    the checkpoint itself).
    """
    try:
        return Saved(write_checkpoint(run.checkpoint, content, overwrite=run.overwrite))
    except CheckpointExistsError:
        problem = f"{run.checkpoint} was created by another program while this run trained"
    except CheckpointWriteError as err:
        problem = str(err)
    last = ""
    for keep in (write_beside, write_in_temp_folder):
        try:
            return Saved(keep(run.checkpoint, content), problem)
        except OSError as err:
            last = reason(err)
    return Saved(None, f"{problem}; no copy could be written elsewhere either ({last})")


def report(run: Run) -> None:
    """The lesson's end of the log: its prompt continued for 200 characters, then test_loss."""
    missing = sorted(set(REFERENCE_PROMPT) - set(run.data.tokenizer.chars))
    if missing:
        letters = ", ".join(repr(char) for char in missing)
        say(
            f"note: the prompt {REFERENCE_PROMPT.strip()!r} is not continued: the data has no "
            f"{letters}"
        )
    elif not stdout_failed():
        print(continue_text(run.model, run.data.tokenizer, REFERENCE_PROMPT, 200, RNG(42)))
    if not stdout_failed():
        print(f"test_loss {split_loss(run.model, run.data, 'test', run.config.batch_size)}")
    sys.stdout.flush()


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
    add_device_argument(parser)
    return parser


@best_effort_streams
def sample_main(argv: list[str] | None = None, prog: str = "python -m ngram_helpers sample") -> int:
    args = sample_parser(prog).parse_args(argv)
    try:
        device = chosen_device(args.device)
        checkpoint = load_checkpoint(args.checkpoint)
        names = iter_sample_names(
            checkpoint.model.to(device),
            checkpoint.tokenizer,
            args.num,
            args.seed,
            args.prefix,
            args.temperature,
            args.top_k,
        )
        if checkpoint.interrupted_at_step is not None:
            say(
                f"note: {args.checkpoint} holds a run interrupted at step "
                f"{checkpoint.interrupted_at_step:,} of {checkpoint.train_config.num_steps:,}"
            )
        for name in names:  # each printed as soon as it is drawn, until nobody reads
            print(name)
            if stdout_failed():
                break
    except (CheckpointError, ValueError) as err:  # DeviceError is a ValueError
        return fail(err)
    sys.stdout.flush()
    problem = stdout_problem()
    return fail(f"cannot write the names ({problem})", status=1) if problem else 0


# -----------------------------------------------------------------------------
# python -m ngram_helpers train|sample

COMMANDS = {"train": train_main, "sample": sample_main}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        say(f"usage: python -m ngram_helpers {{{'|'.join(COMMANDS)}}} [options]")
        return 2
    command, rest = argv[0], argv[1:]
    try:
        return COMMANDS[command](rest, prog=f"python -m ngram_helpers {command}")
    except KeyboardInterrupt:  # outside training (loading, sampling...): nothing to keep
        say("interrupted")
        return INTERRUPTED
