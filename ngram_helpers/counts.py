"""The count-based n-gram model with add-alpha smoothing: the baseline of notebook 02.

An n-gram model predicts the next character from the previous ``n - 1`` characters (its context)
by counting, in the training names, how often each character followed that context:

    P(c | context) = (N(context, c) + alpha) / (N(context) + alpha * V)

``alpha`` (add-alpha, or Lidstone, smoothing) gives every character a little probability, so a
character never seen after a context does not get probability 0 (an infinite loss). A context
never seen at all gets the uniform distribution 1/V, which is what the formula gives for any
``alpha > 0``. ``alpha`` is chosen on the validation split, never on test.

How it is scored, so the figure compares with the MLP's loss: every name is written as ``n - 1``
end tokens, its letters, and one end token; each letter and the final end token is one prediction
whose context is the ``n - 1`` tokens before it. The loss of a split is the mean negative
log-likelihood (nats) over all those predictions: one per character of the split file, newlines
included. The MLP's reference evaluation averages the same predictions, except that its context
for a name's first letters is the end of the previous name instead of end-token padding.

Only the n-grams that occur are stored (sorted integer ids), so n = 5 (27^5 cells if dense)
costs no more memory than n = 2.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from ngram_helpers.data import NamesData

DEFAULT_ALPHAS = (1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)


def padded_examples(tokens: list[int], order: int, end_token: int) -> tuple[torch.Tensor, ...]:
    """Every next-character prediction of a token stream of names, as (contexts, targets).

    ``tokens`` is a split's token stream (each name followed by ``end_token``). Each name is
    preceded by ``order - 1`` end tokens, so every letter of every name, and the end token that
    closes it, becomes one example. Returns contexts of shape (N, order - 1) and targets (N,).
    """
    if order < 1:
        raise ValueError(f"n-gram order must be at least 1, got {order}")
    if not tokens or tokens[-1] != end_token:
        raise ValueError("the token stream must be non-empty and end with the end token")
    width = order - 1
    contexts, targets = [], []
    padded = [end_token] * width
    for token in tokens:
        contexts.append(padded[len(padded) - width :])
        targets.append(token)
        padded = [end_token] * width if token == end_token else padded + [token]
    shape = (len(targets), width)
    return torch.tensor(contexts, dtype=torch.long).view(shape), torch.tensor(targets)


def context_ids(contexts: torch.Tensor, vocab_size: int) -> torch.Tensor:
    """Each context (N, T) as one integer: its tokens read as a number in base ``vocab_size``."""
    ids = torch.zeros(contexts.shape[0], dtype=torch.long)
    for position in range(contexts.shape[1]):
        ids = ids * vocab_size + contexts[:, position]
    return ids


class NgramCounts:
    """The counts of a training split, and the smoothed probabilities and losses they give."""

    def __init__(self, contexts: torch.Tensor, targets: torch.Tensor, vocab_size: int) -> None:
        """Count every (context, target) pair of the training examples."""
        self.order = contexts.shape[1] + 1
        self.vocab_size = vocab_size
        ids = context_ids(contexts, vocab_size) * vocab_size + targets
        self.ngram_ids, self.ngram_counts = torch.unique(ids, return_counts=True)
        self.context_ids, self.context_counts = torch.unique(ids // vocab_size, return_counts=True)

    @staticmethod
    def _lookup(keys: torch.Tensor, counts: torch.Tensor, query: torch.Tensor) -> torch.Tensor:
        """The count stored for each ``query`` id in sorted ``keys``; 0 where it is absent."""
        where = torch.searchsorted(keys, query).clamp(max=len(keys) - 1)
        found = keys[where] == query
        return torch.where(found, counts[where], 0).to(torch.float64)

    def counts(self, contexts: torch.Tensor) -> torch.Tensor:
        """The (N, V) table of raw counts N(context, c) for each of the given contexts."""
        ids = context_ids(contexts, self.vocab_size)[:, None] * self.vocab_size
        return self._lookup(self.ngram_ids, self.ngram_counts, ids + torch.arange(self.vocab_size))

    def probs(self, contexts: torch.Tensor, alpha: float) -> torch.Tensor:
        """The (N, V) smoothed next-character distributions; each row sums to 1."""
        check_alpha(alpha)
        counts = self.counts(contexts)
        totals = counts.sum(dim=1, keepdim=True)
        smoothed = (counts + alpha) / (totals + alpha * self.vocab_size)
        uniform = torch.full_like(smoothed, 1 / self.vocab_size)
        return torch.where(totals > 0, smoothed, uniform)

    def loss(self, contexts: torch.Tensor, targets: torch.Tensor, alpha: float) -> float:
        """Mean negative log-likelihood (nats) of ``targets`` given ``contexts``."""
        check_alpha(alpha)
        v = self.vocab_size
        ctx = context_ids(contexts, v)
        pair = self._lookup(self.ngram_ids, self.ngram_counts, ctx * v + targets)
        total = self._lookup(self.context_ids, self.context_counts, ctx)
        p = torch.where(total > 0, (pair + alpha) / (total + alpha * v), 1 / v)
        return -torch.log(p).mean().item()

    def seen(self, contexts: torch.Tensor) -> torch.Tensor:
        """True for each context that occurs in the training counts."""
        ctx = context_ids(contexts, self.vocab_size)
        return self._lookup(self.context_ids, self.context_counts, ctx) > 0


def check_alpha(alpha: float) -> None:
    """Reject a negative or non-finite smoothing constant with a clear message."""
    if not (alpha >= 0 and math.isfinite(alpha)):
        raise ValueError(f"smoothing alpha must be a finite number >= 0, got {alpha}")


def fit_counts(data: NamesData, order: int) -> NgramCounts:
    """Count the n-grams of order ``order`` in the training split of ``data``."""
    contexts, targets = padded_examples(data.tokens["train"], order, data.tokenizer.end_token)
    return NgramCounts(contexts, targets, data.tokenizer.vocab_size)


class CountResult(NamedTuple):
    """The best smoothing for one order, and its losses (nats per character)."""

    alpha: float
    val_loss: float
    test_loss: float


def best_count_model(
    data: NamesData, order: int, alphas: tuple[float, ...] = DEFAULT_ALPHAS
) -> CountResult:
    """Fit order-``order`` counts on train, pick the ``alpha`` of lowest val loss, report test.

    Usable from a results script: ``alpha, val, test = best_count_model(data, 4)``.
    """
    if not alphas:
        raise ValueError("give at least one smoothing alpha to try")
    model = fit_counts(data, order)
    end = data.tokenizer.end_token
    val = padded_examples(data.tokens["val"], order, end)
    val_losses = {alpha: model.loss(*val, alpha) for alpha in alphas}
    alpha = min(val_losses, key=val_losses.get)
    test = padded_examples(data.tokens["test"], order, end)
    return CountResult(alpha, val_losses[alpha], model.loss(*test, alpha))
