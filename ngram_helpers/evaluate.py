"""Scoring a language model on a split: the lesson's evaluation (introduced in notebook 02).

The loss of a split is the reference program's number: walk the split from its start with the
n-gram windows of ``ngram_windows``, take ``len(tokens) // batch_size`` batches of 128 (fewer if
``max_batches`` says so), and average the batches' mean cross-entropies. ``evaluate`` does exactly
that, batch by batch through the model's forward. ``SplitEvaluator`` computes the same number
faster, still through the model's forward: the examples never change, so it collects them once,
scores each distinct context once and looks every example's loss up. Training (``train.py``) and
the results table (notebook 05) use it; notebook 02 checks that the two agree.

Count models are scored on padded names instead (each name preceded by end tokens, every
character predicted once): ``padded_loss``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F

from ngram_helpers.data import NamesData, NgramTable, ngram_windows
from ngram_helpers.device import model_device
from ngram_helpers.models import MLP
from ngram_helpers.ngrams import KneserNey, padded_examples

Model = Callable[..., tuple[torch.Tensor, torch.Tensor | None]]


def eval_batch_count(num_tokens: int, batch_size: int, max_batches: int | None) -> int:
    """How many batches the reference evaluation averages: ``num_tokens // batch_size``, capped."""
    num_batches = num_tokens // batch_size
    return num_batches if max_batches is None else min(num_batches, max_batches)


def evaluation_examples(
    tokens: list[int],
    context_length: int,
    batch_size: int = 128,
    max_batches: int | None = None,
    device: torch.device | str = "cpu",
) -> tuple[torch.Tensor, torch.Tensor]:
    """The examples the reference evaluation scores: its batches of the walk, end to end.

    Only the tokens those examples read are tabulated (the first 2,560 examples of a split of
    millions need its first 2,563 tokens), unless the walk wraps around the split's end.
    """
    count = eval_batch_count(len(tokens), batch_size, max_batches) * batch_size
    return NgramTable(tokens[: count + context_length], context_length, device).examples(0, count)


@contextmanager
def eval_mode(model: Model) -> Iterator[None]:
    """Inside: ``model.eval()`` (dropout off). After: the mode the model was in before.

    A model already in evaluation mode, or one without modes (the lesson's ``MLPRaw`` is not an
    ``nn.Module``), is left as it is: switching costs about as much as a small forward, and the
    sampler enters this once per context.
    """
    if not isinstance(model, torch.nn.Module) or not model.training:
        yield
        return
    model.eval()
    try:
        yield
    finally:
        model.train()


@torch.inference_mode()
def evaluate(
    model: Model, tokens: list[int], batch_size: int = 128, max_batches: int | None = None
) -> float:
    """The reference evaluation, written plainly: the mean of per-batch mean losses.

    Walks the split from its start with ``ngram_windows`` for ``len(tokens) // batch_size``
    batches (or ``max_batches``, if fewer). ``model`` must be in evaluation mode (it is called as
    it is, so that the lesson's ``MLPRaw`` can be scored too). The batches go to the model's device.
    """
    num_batches = eval_batch_count(len(tokens), batch_size, max_batches)
    batches = ngram_windows(tokens, model.config.context_length, batch_size)
    device = model_device(model)
    total = 0.0
    for _ in range(num_batches):
        inputs, targets = next(batches)
        total += model(inputs.to(device), targets.to(device))[1].item()
    return total / num_batches


class SplitEvaluator:
    """The reference evaluation of one split, with each distinct context scored once.

    The examples involved never change, so they are collected once here; each call then runs the
    model's forward on the distinct contexts (in evaluation mode) and gathers every example's
    loss from them. The examples are kept on ``device``, which must be the model's.
    """

    def __init__(
        self,
        tokens: list[int],
        context_length: int,
        batch_size: int,
        max_batches: int | None,
        device: torch.device | str = "cpu",
    ) -> None:
        num_batches = eval_batch_count(len(tokens), batch_size, max_batches)
        if num_batches == 0:
            raise ValueError(f"split has {len(tokens)} tokens: not one batch of {batch_size}")
        self.num_batches, self.batch_size = num_batches, batch_size
        contexts, self.targets = evaluation_examples(
            tokens, context_length, batch_size, max_batches, device
        )
        self.unique_contexts, self.inverse = torch.unique(contexts, dim=0, return_inverse=True)

    @torch.inference_mode()
    def __call__(self, model: MLP) -> float:
        """Mean over batches of each batch's mean negative log-likelihood, as a Python float."""
        with eval_mode(model):
            logits, _ = model(self.unique_contexts)
        losses = -F.log_softmax(logits, dim=-1)[self.inverse, self.targets]
        batch_means = losses.view(self.num_batches, self.batch_size).mean(dim=1)
        return sum(batch_means.tolist()) / self.num_batches


def split_loss(model: MLP, data: NamesData, split: str, batch_size: int = 128) -> float:
    """The reference evaluation of a whole split of ``data`` (``SplitEvaluator``, no cap)."""
    tokens, device = data.tokens[split], model_device(model)
    return SplitEvaluator(tokens, model.config.context_length, batch_size, None, device)(model)


def padded_loss(model: KneserNey, data: NamesData, split: str) -> float:
    """A count model's loss on a split, scored on padded names (every character predicted)."""
    examples = padded_examples(data.tokens[split], model.order, data.tokenizer.end_token)
    return model.loss(*examples)
