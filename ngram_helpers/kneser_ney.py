"""Kneser-Ney smoothing: the count n-gram model done well (introduced in notebook 05).

Add-alpha (``counts.py``) hands every character the same small extra count. Kneser-Ney, the
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

Training examples and scoring follow ``counts.py``: names padded with end tokens, one prediction
per character of the split file. Tables are dense, (V^(n-1), V) probabilities, so n <= 5.
"""

from __future__ import annotations

import torch

from ngram_helpers.counts import context_ids, padded_examples
from ngram_helpers.data import NamesData

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
