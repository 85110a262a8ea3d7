"""Count n-gram models: the baseline of notebook 02 and the well-smoothed one of notebook 05.

An n-gram model predicts the next character from the previous ``n - 1`` characters (its context)
by counting, in the training names, how often each character followed that context. This module
holds both smoothings the series uses, on the same counts and the same scoring:

- **add-alpha** (notebook 02, ``NgramCounts``, ``best_count_model``);
- **modified Kneser-Ney** (notebook 05, ``KneserNey``, ``fit_kneser_ney``).

## Add-alpha

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

## Kneser-Ney

Add-alpha hands every character the same small extra count. Kneser-Ney, the
standard smoothing of count language models, improves on it in two ways:

1. **Absolute discounting.** A fixed discount D is taken off every count that is not zero: a
   count of 1 is mostly luck, while a count of 300 hardly moves. The probability mass freed in
   a context goes to a lower-order model (one character of context less).
2. **Continuation counts.** The lower-order models do not count how often a character occurs
   after the shorter context, but after how many *different* characters the shorter context plus
   that character occurs. The lower order is only consulted when the longer context is rare,
   and then the question is "which characters turn up in many contexts?", not "which are common?".

For order k, with N_k the raw counts at the model's own order and continuation counts below it:

    P_k(c | h) = (N_k(h, c) - D(N_k(h, c))) / N_k(h)  +  gamma(h) * P_{k-1}(c | h')
    gamma(h)   = sum_c D(N_k(h, c)) / N_k(h)

where h' is h without its oldest character, N_k(h) = sum_c N_k(h, c), D(0) = 0, and a context
never seen falls back to P_{k-1} whole; P_0 is uniform. "Modified" Kneser-Ney (Chen and Goodman,
1998) uses three discounts per order, for counts of 1, 2 and 3 or more, estimated from how many
n-grams occur exactly 1, 2, 3 and 4 times (n1..n4): Y = n1 / (n1 + 2 n2) and
D1 = 1 - 2 Y n2/n1, D2 = 2 - 3 Y n3/n2, D3+ = 3 - 4 Y n4/n3. Nothing is tuned on val.

Training examples and scoring are those of add-alpha: names padded with end tokens, one prediction
per character of the split file. Tables are dense, (V^(n-1), V) probabilities, so n <= 5.
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


# -----------------------------------------------------------------------------
# Kneser-Ney smoothing (notebook 05)

MAX_ORDER = 5  # a dense order-6 table would hold 27^7 float64 numbers (80 GB)
FALLBACK_DISCOUNT = 0.5


def modified_discounts(counts: torch.Tensor) -> torch.Tensor:
    """The discounts D(0), D(1), D(2), D(3+) for one order, from its count-of-counts.

    Where the estimate needs a count-of-counts that is zero (tiny data, or the continuation
    unigram, where every character follows many others), every count is discounted by
    ``FALLBACK_DISCOUNT``: some mass must always go to the lower order, or a character never seen
    after a context would get probability 0.
    """
    n1, n2, n3, n4 = (float((counts == i).sum()) for i in (1, 2, 3, 4))
    if min(n1, n2, n3, n4) == 0:
        return torch.tensor([0.0] + [FALLBACK_DISCOUNT] * 3, dtype=torch.float64)
    y = n1 / (n1 + 2 * n2)
    d = [0.0, 1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2, 3 - 4 * y * n4 / n3]
    return torch.tensor(d, dtype=torch.float64)


class KneserNey:
    """An order-n count model with interpolated modified Kneser-Ney smoothing."""

    def __init__(self, contexts: torch.Tensor, targets: torch.Tensor, vocab_size: int) -> None:
        """Count the training examples (contexts (N, n-1), targets (N,)); build the tables."""
        self.order = contexts.shape[1] + 1
        if not 1 <= self.order <= MAX_ORDER:
            raise ValueError(f"Kneser-Ney order must be 1 to {MAX_ORDER}, got {self.order}")
        v = self.vocab_size = vocab_size
        top = torch.zeros(v ** (self.order - 1) * v, dtype=torch.float64)
        ones = torch.ones(len(targets), dtype=torch.float64)
        top.index_put_((context_ids(contexts, v) * v + targets,), ones, accumulate=True)
        counts = {self.order: top.view(-1, v)}  # row: context id, column: next character
        for k in range(self.order - 1, 0, -1):  # continuation counts: distinct left neighbours
            counts[k] = (counts[k + 1].view(v, -1, v) > 0).sum(dim=0, dtype=torch.float64)
        self.discounts = {}
        probs = torch.full((1, v), 1 / v, dtype=torch.float64)  # order 0: uniform
        for k in range(1, self.order + 1):
            self.discounts[k] = modified_discounts(counts[k])
            probs = self._interpolate(counts[k], self.discounts[k], probs)
        self.table = probs  # (V^(n-1), V): row = context id, each row sums to 1

    def _interpolate(
        self, counts: torch.Tensor, discounts: torch.Tensor, lower: torch.Tensor
    ) -> torch.Tensor:
        """P_k from the counts of order k and the table of P_{k-1} (formula in the docstring)."""
        # context h = (oldest character a, h'): row a * V^(k-2) + id(h'), so P_{k-1}(. | h') is
        # row id(h') of ``lower`` repeated for every a
        lower = lower.repeat(counts.shape[0] // lower.shape[0], 1)
        discount = discounts[counts.clamp(max=3).long()]
        total = counts.sum(dim=1, keepdim=True)
        seen = total > 0
        total = total.clamp(min=1)  # unseen contexts are replaced by ``lower`` below
        gamma = discount.sum(dim=1, keepdim=True) / total
        return torch.where(seen, (counts - discount) / total + gamma * lower, lower)

    def probs(self, contexts: torch.Tensor) -> torch.Tensor:
        """The (N, V) next-character distributions for contexts (N, n-1)."""
        return self.table[context_ids(contexts, self.vocab_size)]

    def loss(self, contexts: torch.Tensor, targets: torch.Tensor) -> float:
        """Mean negative log-likelihood (nats) of ``targets`` given ``contexts``."""
        return -self.probs(contexts).gather(1, targets[:, None]).log().mean().item()


def fit_kneser_ney(data: NamesData, order: int) -> KneserNey:
    """A Kneser-Ney model of order ``order`` counted on the training split of ``data``."""
    contexts, targets = padded_examples(data.tokens["train"], order, data.tokenizer.end_token)
    return KneserNey(contexts, targets, data.tokenizer.vocab_size)
