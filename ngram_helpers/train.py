"""Training the MLP language model: the schedule, the two engines, and the loop.

Introduced in notebook 02 (a short run, after the same loop written out in the notebook) and used
in full in notebook 04. The defaults are the reference configuration: AdamW (lr 7e-4, weight
decay 1e-4), a cosine learning rate from 7e-4 down to 0 over 50,000 steps of 128 examples, and an
evaluation every 200 steps.

Two engines compute the same training run. ``engine="plain"``, the default, is the lesson's step:
the model's own forward, ``loss.backward()`` and ``torch.optim.AdamW``, so a change to
``MLP.forward`` changes training. ``engine="fast"`` (``ngram_helpers.fast``, shown in notebook
04) gets the same numbers with fewer operations. Both evaluate through the model's forward.

Command line (``ngram_helpers.cli``; prints the reference program's log format)::

    python -m ngram_helpers train --data datasets/names --checkpoint checkpoints/names-mlp.pt
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import torch
from tqdm.auto import tqdm

from ngram_helpers.data import NamesData, NgramTable
from ngram_helpers.device import model_device
from ngram_helpers.evaluate import SplitEvaluator
from ngram_helpers.fast import FAST_DEVICES, FastEngine
from ngram_helpers.language import say
from ngram_helpers.models import MLP, ModelConfig
from ngram_helpers.rng import RNG

ENGINES = ("plain", "fast")


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


def log_line(step: int, train_loss: float, val_loss: float, lr: float, step_ms: float) -> str:
    """One line of the reference log format."""
    return (
        f"step {step:6d} | train_loss {train_loss:.6f} | val_loss {val_loss:.6f} | "
        f"lr {lr:e} | time/step {step_ms:.4f}ms"
    )


class PlainEngine:
    """One training step as the lesson writes it: forward, backward, one AdamW step.

    ``train`` calls it once per batch with that step's learning rate. The optimiser is
    ``torch.optim.AdamW`` over ``model.parameters()`` (``fused=True``: one kernel per tensor for
    the update, the same formula).
    """

    def __init__(self, model: MLP, learning_rate: float, weight_decay: float) -> None:
        self.model = model
        self.optimizer = torch.optim.AdamW(
            model.parameters(), lr=learning_rate, weight_decay=weight_decay, fused=True
        )

    def __call__(self, inputs: torch.Tensor, targets: torch.Tensor, lr: float) -> None:
        """Update the model's parameters from one batch at learning rate ``lr``."""
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        _, loss = self.model(inputs, targets)
        loss.backward()
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)


class Interrupted(KeyboardInterrupt):
    """``train`` stopped early (Ctrl-C, or ``on_eval`` raising a KeyboardInterrupt to stop it).

    It carries what the run had reached, so that a caller can keep the model trained so far:
    ``step``, the step that was running, and ``history``, the evaluations made until then. The
    original interrupt is its ``__cause__``.
    """

    def __init__(self, step: int, history: History) -> None:
        super().__init__(f"training interrupted at step {step:,}")
        self.step, self.history = step, history


def train(
    model: MLP,
    data: NamesData,
    config: TrainConfig = TrainConfig(),
    *,
    engine: str = "plain",
    progress: bool = True,
    on_eval: Callable[[str], None] | None = None,
) -> History:
    """Train ``model`` in place on ``data`` and return the evaluation history.

    Each step takes the next batch of the n-gram walk over the training tokens, sets the cosine
    learning rate, and takes one AdamW step with the chosen ``engine`` ("plain" or "fast").
    Every ``eval_every`` steps (and at the last step) it evaluates train (first
    ``train_eval_batches`` batches) and val, records them, and passes a reference-format log
    line to ``on_eval``. ``progress`` shows a tqdm bar (a widget in Jupyter, text in a terminal).
    Steps run in training mode (a model with dropout drops units); evaluations, and the model
    returned, are in evaluation mode. An interrupted run (Ctrl-C, or an error raised by
    ``on_eval``) also closes its bar and leaves the model in evaluation mode; a Ctrl-C comes out
    as ``Interrupted``, which says how far the run got.

    The run happens where the model is: put it on a GPU first (``model.to(device)``, see
    ``ngram_helpers.device``) and the batches and evaluations go there too. The fast engine
    runs on the CPU and on CUDA; elsewhere (``mps``) a note says so and the plain engine runs.

    ``engine="fast"`` moves the model's parameters into one flat buffer
    (``fast.flatten_parameters``): each parameter stays the same object with the same values, but
    its data and its ``.grad`` (the last step's gradient, afterwards) become views of the buffer.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    t = model.config.context_length
    bs = config.batch_size
    device = model_device(model)
    if engine == "fast" and device.type not in FAST_DEVICES:
        print(f"note: the fast engine does not run on {device.type}; the plain engine runs instead")
        engine = "plain"
    batches = NgramTable(data.tokens["train"], t, device)
    eval_train = SplitEvaluator(data.tokens["train"], t, bs, config.train_eval_batches, device)
    eval_val = SplitEvaluator(data.tokens["val"], t, bs, None, device)
    if engine == "plain":
        take_step = PlainEngine(model, config.learning_rate, config.weight_decay)
    else:  # the learning rate is given at every step
        take_step = FastEngine(model, config.weight_decay)
    history = History()
    # At most one redraw a second: in Jupyter each redraw is a few widget messages, and a kernel
    # that queues thousands of them during a long cell makes the frontend (or nbval) drop some.
    bar = tqdm(
        total=config.num_steps,
        disable=not progress,
        desc=say("", "训练"),  # the English bar has no description
        unit=say("step", "步"),
        smoothing=0.1,
        mininterval=1.0,
    )
    step_time, steps_timed, step = 0.0, 0, 0
    # Dropout draws its masks from torch's generator: seeded here, the run is repeatable, and
    # fork_rng gives the caller's generator back untouched afterwards.
    try:
        with torch.random.fork_rng(devices=[device.index or 0] if device.type == "cuda" else []):
            torch.manual_seed(config.init_seed)
            model.train()
            for step in range(config.num_steps):
                lr = cosine_lr(step, config.num_steps, config.learning_rate)
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
                take_step(inputs, targets, lr)
                step_time += time.perf_counter() - start
                steps_timed += 1
                bar.update()
    except KeyboardInterrupt as stop:
        raise Interrupted(step, history) from stop
    finally:  # interrupted too: no bar left open, no model left dropping units
        bar.close()
        model.eval()
    return history


def build_model(data: NamesData, model_config: ModelConfig, config: TrainConfig) -> MLP:
    """A fresh ``MLP`` for ``data``'s vocabulary, initialised from ``RNG(config.init_seed)``."""
    tokenizer = data.tokenizer
    if model_config.vocab_size != tokenizer.vocab_size:
        raise ValueError(
            f"model vocab_size {model_config.vocab_size} != data vocabulary "
            f"{tokenizer.vocab_size} ({tokenizer.describe()})"
        )
    if model_config.end_token != tokenizer.end_token:
        raise ValueError(
            f"model end_token {model_config.end_token} != the tokenizer's end-of-name id "
            f"{tokenizer.end_token}"
        )
    return MLP(model_config, RNG(config.init_seed))


def model_config_for(data: NamesData, **settings) -> ModelConfig:
    """A ``ModelConfig`` with ``data``'s vocabulary size and end-of-name id, other fields given."""
    tokenizer = data.tokenizer
    return ModelConfig(vocab_size=tokenizer.vocab_size, end_token=tokenizer.end_token, **settings)
