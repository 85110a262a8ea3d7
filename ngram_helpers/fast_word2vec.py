"""The same negative-sampling training as a compiled loop over examples: as fast as gensim.

``train_negative_sampling_fast`` takes the same arguments as
``negative_sampling.train_negative_sampling``, draws the same examples with the same generator,
and makes the same summed update per batch; only the order of float additions differs, so the
vectors agree to float32 rounding (``tests/test_fast_word2vec.py`` checks it).

What differs is how a batch is computed. The readable step is a handful of tensor operations,
each a pass over memory: it gathers the batch's output vectors into a (B, 1 + K, D) tensor, builds
a tensor of every update, and adds it with ``index_add_``; between batches Python runs the loop.
Here the loop over examples is written out, example by example and word by word, as gensim's
Cython and the original word2vec C code do, and numba (https://numba.pydata.org) compiles it to
machine code the first time it runs. Each score is one dot product read straight from ``w_out``
and each update is added straight into its row, with no intermediate tensors, and a whole epoch
is one call. numba stores the machine code in ``__pycache__``, so only the first call on a
machine waits for the compiler (about a second); ``warm_up`` lets a timing leave that out.

Skip-gram runs through the CBOW loop: an example with one context word of weight 1 has that
word's vector as its hidden vector, exactly.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import torch

from ngram_helpers.corpus import Vocabulary
from ngram_helpers.negative_sampling import (
    EpochTrainer,
    NegativeSamplingConfig,
    NegativeSamplingModel,
    run_epochs,
)

# Let the compiler reorder float sums (so a dot product uses the CPU's vector instructions) and
# fuse multiply-adds; unlike fastmath=True, inf and nan still behave as in IEEE arithmetic.
compiled = numba.njit(cache=True, fastmath={"reassoc", "contract"})


@compiled
def hidden_vectors(h, w_in, context, starts, weights, a, z):
    """h[b] = the weighted sum of example a + b's context vectors, for the batch a..z."""
    for b in range(z - a):
        h[b, :] = 0.0
        for j in range(starts[a + b], starts[a + b + 1]):
            row = context[j]
            for d in range(h.shape[1]):
                h[b, d] += weights[j] * w_in[row, d]


@compiled
def output_word(targets, negatives, i, k):
    """Example i's k-th output word and its sign: +1 the true word, -1 noise, 0 skipped noise."""
    if k == 0:
        return targets[i], 1.0
    word = negatives[i, k - 1]
    return word, 0.0 if word == targets[i] else -1.0


@compiled
def score_batch(error, step, h, w_out, targets, negatives, a, z, lr):
    """Each output word's error (lr folded in) and each example's step for h; the summed loss.

    With s = sign * (u . h) the loss is -log sigma(s) and u . h moves by lr * sign * sigma(-s).
    The step for h, the sum of error * u, is taken here, before any u moves.
    """
    loss = 0.0
    for b in range(z - a):
        step[b, :] = 0.0
        for k in range(error.shape[1]):
            word, sign = output_word(targets, negatives, a + b, k)
            error[b, k] = 0.0
            if sign == 0.0:
                continue
            dot = np.float32(0.0)
            for d in range(h.shape[1]):
                dot += w_out[word, d] * h[b, d]
            s = sign * dot
            loss += max(-s, 0.0) + math.log1p(math.exp(-abs(s)))  # -log sigma(s), stable
            e = np.float32(sign * lr / (1.0 + math.exp(s)))
            error[b, k] = e
            for d in range(h.shape[1]):
                step[b, d] += e * w_out[word, d]
    return loss


@compiled
def update_outputs(w_out, error, h, targets, negatives, a, z):
    """u += error * h for every output word of the batch a..z."""
    for b in range(z - a):
        for k in range(error.shape[1]):
            word, _ = output_word(targets, negatives, a + b, k)
            for d in range(h.shape[1]):
                w_out[word, d] += error[b, k] * h[b, d]


@compiled
def update_inputs(w_in, step, context, starts, scale, a, z):
    """Each context word of the batch a..z moves by scale * its example's step."""
    for b in range(z - a):
        for j in range(starts[a + b], starts[a + b + 1]):
            row = context[j]
            for d in range(step.shape[1]):
                w_in[row, d] += scale[j] * step[b, d]


@compiled
def train_epoch_compiled(
    w_in, w_out, context, starts, weights, scale, targets, negatives, batch_size, lrs
):
    """One epoch: for each batch, hidden vectors, scores, then both tables' updates."""
    n, dim = len(targets), w_in.shape[1]
    h = np.empty((batch_size, dim), np.float32)
    step = np.empty((batch_size, dim), np.float32)
    error = np.empty((batch_size, negatives.shape[1] + 1), np.float32)
    loss = 0.0
    for i in range(len(lrs)):
        a, z = i * batch_size, min(n, (i + 1) * batch_size)
        hidden_vectors(h, w_in, context, starts, weights, a, z)
        loss += score_batch(error, step, h, w_out, targets, negatives, a, z, np.float32(lrs[i]))
        update_outputs(w_out, error, h, targets, negatives, a, z)
        update_inputs(w_in, step, context, starts, scale, a, z)
    return loss


def compiled_epoch_trainer(config: NegativeSamplingConfig) -> EpochTrainer:
    """``run_epochs``' epoch trainer that hands the tables and examples to the compiled loop."""

    def train_epoch(w_in, w_out, examples, lrs):
        n = len(examples.inputs)
        if config.sg:  # one context word of weight 1: the hidden vector is the input vector
            starts, weights = torch.arange(n + 1), torch.ones(n)
        else:
            starts, weights = examples.starts, examples.weights
        exact_mean = config.cbow_gradient == "exact"
        scale = weights if exact_mean else torch.ones(len(weights))  # gensim: the whole step
        tensors = (w_in, w_out, examples.inputs, starts, weights, scale, examples.targets)
        # .numpy() shares each tensor's memory, so the loop updates w_in and w_out in place
        arrays = [t.numpy() for t in (*tensors, examples.negatives)]
        return train_epoch_compiled(*arrays, config.batch_size, lrs.numpy())

    return train_epoch


def train_negative_sampling_fast(
    sentences: list[list[str]] | None,
    config: NegativeSamplingConfig | None = None,
    vocabulary: Vocabulary | None = None,
    min_count: int = 5,
    encoded: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> NegativeSamplingModel:
    """``train_negative_sampling`` with the compiled loop: the same model, faster."""
    config = config or NegativeSamplingConfig()
    return run_epochs(
        sentences, config, vocabulary, min_count, encoded, compiled_epoch_trainer(config)
    )


def warm_up() -> None:
    """Compile the loop now, or load it from numba's cache, so a timed run measures training."""
    for sg in (True, False):
        config = NegativeSamplingConfig(sg=sg, vector_size=2, epochs=1, sample=0)
        train_negative_sampling_fast([["a", "b", "a", "b"]], config, min_count=1)
