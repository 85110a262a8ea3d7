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

The CBOW input update is a sparse product too. Measured by ``benchmarks/word2vec_speed.py``.
"""

from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F

from ngram_helpers.corpus import Vocabulary
from ngram_helpers.negative_sampling import (
    NegativeSamplingConfig,
    NegativeSamplingModel,
    _epoch_examples,
    keep_probabilities,
    noise_table,
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
    if config.cbow_gradient not in ("gensim", "exact"):
        raise ValueError(f"cbow_gradient must be 'gensim' or 'exact', got {config.cbow_gradient!r}")
    if vocabulary is None:
        vocabulary = Vocabulary.from_sentences(sentences, min_count)
    tokens, sentence_ids = encoded if encoded is not None else vocabulary.encode(sentences)
    gen = torch.Generator().manual_seed(config.seed)
    dim = config.vector_size
    w_in = (torch.rand(len(vocabulary), dim, generator=gen) * 2 - 1) / dim
    w_out = torch.zeros(len(vocabulary), dim)
    keep = keep_probabilities(vocabulary.counts, config.sample).float()
    table = noise_table(vocabulary.counts)
    total_steps, done, epoch_loss = None, 0, []
    for _ in range(config.epochs):
        examples = _epoch_examples(tokens, sentence_ids, keep, table, config, gen)
        n = len(examples.outputs)
        if total_steps is None:
            total_steps = config.epochs * -(-n // config.batch_size)
        loss_sum = torch.zeros(())
        for start in range(0, n, config.batch_size):
            lr = max(
                config.min_alpha,
                config.alpha - (config.alpha - config.min_alpha) * done / total_steps,
            )
            done += 1
            stop = min(n, start + config.batch_size)
            outputs, sign = examples.outputs[start:stop], examples.sign[start:stop]
            if config.sg:
                inputs = examples.inputs[start:stop]
                step_h, loss = fast_negative_sampling_step(
                    w_out, w_in.index_select(0, inputs), outputs, sign, lr
                )
                w_in.index_add_(0, inputs, step_h)
            else:
                a, z = examples.bounds[start], examples.bounds[stop]
                context, weights = examples.inputs[a:z], examples.weights[a:z]
                h = F.embedding_bag(  # the means of the context vectors
                    context,
                    w_in,
                    examples.starts[start:stop] - a,
                    mode="sum",
                    per_sample_weights=weights,
                )
                step_h, loss = fast_negative_sampling_step(w_out, h, outputs, sign, lr)
                scale = weights if config.cbow_gradient == "exact" else torch.ones(z - a)
                update = torch.sparse_coo_tensor(
                    torch.stack([context, examples.row_of[a:z] - start]),
                    scale,
                    (len(w_in), stop - start),
                    check_invariants=False,
                )
                w_in.addmm_(update, step_h)
            loss_sum += loss
        epoch_loss.append(loss_sum.item() / max(1, n))
    return NegativeSamplingModel(vocabulary, w_in, w_out, epoch_loss)
