"""A faster, equivalent way to compute the MLP's forward pass (used by the full run, notebook 04).

The first layer of the model multiplies the concatenated embeddings by ``W1``. Split ``W1`` into
one (E, H) block per context position ``t``; then

    concat(wte[x_1], ..., wte[x_T]) @ W1  =  sum_t  wte[x_t] @ W1_t  =  sum_t  P_t[x_t]

with ``P_t = wte @ W1_t``, a small (V, H) table. Building the T tables costs T*V*E*H
multiply-adds once per step, instead of B*T*E*H for the batch, and the batch then only needs
row lookups (``F.embedding_bag`` gathers and sums them in one operation). Autograd still
differentiates with respect to ``wte`` and ``W1``, so the optimiser sees the same parameters and
(up to float rounding) the same gradients as with ``MLP.forward``. ``tests/test_fast.py``
checks the equivalence.

Evaluation is sped up another way: the loss of a split is taken over a fixed list of examples,
many of which share a context, so ``SplitEvaluator`` computes the logits of each distinct
context once and reuses them.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ngram_helpers.data import NgramTable
from ngram_helpers.models import MLP


def position_tables(model: MLP) -> torch.Tensor:
    """The (T*V, H) stack of tables P_t = wte @ W1_t, position t's table in rows t*V..t*V+V-1."""
    cfg = model.config
    w1 = model.mlp[0].weight.view(cfg.hidden_size, cfg.context_length, cfg.embedding_size)
    tables = torch.einsum("ve,hte->tvh", model.wte.weight, w1)  # (T, V, H)
    return tables.reshape(cfg.context_length * cfg.vocab_size, cfg.hidden_size)


def fast_logits(model: MLP, idx: torch.Tensor) -> torch.Tensor:
    """The model's logits (B, V) for contexts ``idx`` (B, T), through the position tables."""
    cfg = model.config
    offsets = torch.arange(cfg.context_length) * cfg.vocab_size  # row offset of each table
    pre = F.embedding_bag(idx + offsets, position_tables(model), mode="sum")  # (B, H)
    hidden = torch.tanh(pre + model.mlp[0].bias)
    return model.mlp[2](hidden)


def fast_loss(model: MLP, idx: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of the batch, as ``model(idx, targets)[1]`` computes it."""
    return F.cross_entropy(fast_logits(model, idx), targets)


class SplitEvaluator:
    """The reference evaluation of one split, with each distinct context computed once.

    The reference averages the mean loss of ``num_batches`` consecutive batches of the n-gram
    walk. The examples involved never change, so they are collected once here; each call then
    scores the distinct contexts and gathers every example's loss from them.
    """

    def __init__(
        self, tokens: list[int], context_length: int, batch_size: int, max_batches: int | None
    ) -> None:
        num_batches = len(tokens) // batch_size
        if max_batches is not None:
            num_batches = min(num_batches, max_batches)
        if num_batches == 0:
            raise ValueError(f"split has {len(tokens)} tokens: not one batch of {batch_size}")
        self.num_batches, self.batch_size = num_batches, batch_size
        contexts, self.targets = NgramTable(tokens, context_length).examples(
            0, num_batches * batch_size
        )
        self.unique_contexts, self.inverse = torch.unique(contexts, dim=0, return_inverse=True)

    @torch.inference_mode()
    def __call__(self, model: MLP) -> float:
        """Mean over batches of each batch's mean negative log-likelihood, as a Python float."""
        logprobs = F.log_softmax(fast_logits(model, self.unique_contexts), dim=-1)
        losses = -logprobs[self.inverse, self.targets]
        batch_means = losses.view(self.num_batches, self.batch_size).mean(dim=1)
        return sum(batch_means.tolist()) / self.num_batches
