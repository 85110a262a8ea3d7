"""The same negative-sampling training with sparse-matrix kernels: fewer passes over memory.

``train_negative_sampling_fast`` takes the same arguments as
``negative_sampling.train_negative_sampling``, draws the same examples with the same generator,
and makes the same summed update per batch; only the order of float additions differs, so the
vectors agree to float32 rounding (``tests/test_fast_word2vec.py`` checks it). What differs is
how a batch of B examples with K noise words each is computed. The readable step gathers the
B*(K+1) output vectors into a (B, K+1, D) tensor, multiplies it by ``h`` and sums (three passes
over B*(K+1)*D floats), then builds the (B*(K+1), D) tensor of outer products error*h and adds it
with ``index_add_``, which sorts its indices first (two more passes and a sort). Here:

- the scores u_k . h are one ``torch.sparse.sampled_addmm``: a sparse (B, V) pattern with K+1
  entries per row, whose every entry is computed as one dot product read straight from ``w_out``;
- the update of ``w_out`` is ``w_out.addmm_(E, h)`` with E a sparse (V, B) COO matrix holding
  the errors: PyTorch adds error * h[b] to row k for each entry in turn, as gensim does, without
  building the outer products or sorting;
- the learning rate is folded into the errors once, so no later operation scales by it.

The CBOW input update is a sparse product too. Notebook 03 trains its CBOW both ways and checks
that the vectors agree; ``benchmarks/word2vec_speed.py`` times both against gensim.
"""

from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F

from ngram_helpers.corpus import Vocabulary
from ngram_helpers.negative_sampling import (
    NegativeSamplingConfig,
    NegativeSamplingModel,
    run_epochs,
)


def sparse_scores(h: torch.Tensor, w_out: torch.Tensor, outputs: torch.Tensor) -> torch.Tensor:
    """u_k . h for each example's output words ``outputs`` (B, 1 + K): one sparse product."""
    b, width = outputs.shape
    rows = torch.arange(0, b * width + 1, width)
    with warnings.catch_warnings():  # PyTorch marks sparse CSR tensors "beta" on first use
        warnings.simplefilter("ignore", UserWarning)
        pattern = torch.sparse_csr_tensor(
            rows, outputs.reshape(-1), torch.zeros(b * width), (b, len(w_out))
        )
    return torch.sparse.sampled_addmm(pattern, h, w_out.T, beta=0).values().view(b, width)


def add_rows(table: torch.Tensor, rows: torch.Tensor, weights: torch.Tensor, x: torch.Tensor):
    """table[rows[i]] += weights[i] * x[cols[i]] with cols[i] = i * len(x) // len(rows)."""
    cols = torch.arange(len(rows)) // (len(rows) // len(x))
    update = torch.sparse_coo_tensor(
        torch.stack([rows, cols]), weights, (len(table), len(x)), check_invariants=False
    )
    table.addmm_(update, x)


def fast_negative_sampling_step(
    w_out: torch.Tensor,
    h: torch.Tensor,
    outputs: torch.Tensor,
    sign: torch.Tensor,
    lr: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``negative_sampling.negative_sampling_step`` with sparse kernels: same results."""
    s = sparse_scores(h, w_out, outputs).mul_(sign)
    s.masked_fill_(sign == 0, 30.0)  # sigma(30) = 1: a skipped noise word adds no loss
    loss = -F.logsigmoid(s).sum()
    error = torch.sigmoid(s.neg_()).mul_(sign).mul_(lr)  # (B, 1 + K), the lr folded in
    step_h = F.embedding_bag(outputs, w_out, mode="sum", per_sample_weights=error)
    add_rows(w_out, outputs.reshape(-1), error.view(-1), h)
    return step_h, loss


def train_negative_sampling_fast(
    sentences: list[list[str]] | None,
    config: NegativeSamplingConfig | None = None,
    vocabulary: Vocabulary | None = None,
    min_count: int = 5,
    encoded: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> NegativeSamplingModel:
    """``train_negative_sampling`` with ``fast_negative_sampling_step``: the same model, faster."""
    config = config or NegativeSamplingConfig()
    exact_mean = config.cbow_gradient == "exact"

    def take_step(w_in, w_out, examples, rows, lr):
        outputs, sign = examples.outputs[rows], examples.sign[rows]
        if config.sg:
            inputs = examples.inputs[rows]
            step_h, loss = fast_negative_sampling_step(
                w_out, w_in.index_select(0, inputs), outputs, sign, lr
            )
            w_in.index_add_(0, inputs, step_h)
            return loss
        a, z = examples.bounds[rows.start], examples.bounds[rows.stop]
        context, weights = examples.inputs[a:z], examples.weights[a:z]
        h = F.embedding_bag(  # the means of the context vectors
            context, w_in, examples.starts[rows] - a, mode="sum", per_sample_weights=weights
        )
        step_h, loss = fast_negative_sampling_step(w_out, h, outputs, sign, lr)
        scale = weights if exact_mean else torch.ones(z - a)
        update = torch.sparse_coo_tensor(
            torch.stack([context, examples.row_of[a:z] - rows.start]),
            scale,
            (len(w_in), rows.stop - rows.start),
            check_invariants=False,
        )
        w_in.addmm_(update, step_h)
        return loss

    return run_epochs(sentences, config, vocabulary, min_count, encoded, take_step)
