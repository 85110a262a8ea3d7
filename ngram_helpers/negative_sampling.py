"""word2vec as it is trained in practice: negative sampling and subsampling (notebook 03).

The full softmax scores every word of the vocabulary for every prediction. Negative sampling
replaces it with K + 1 binary questions: is the true word a context word (sigma(u_o . h) -> 1) and
are K noise words, drawn with probability proportional to count^0.75, not (sigma(u_k . h) -> 0)::

    loss = -log sigma(u_o . h) - sum_k log sigma(-u_k . h)

Subsampling drops each occurrence of a frequent word with a probability that grows with its
frequency, keeping it with probability min(1, (sqrt(f / (s*N)) + 1) * s*N / f) for a word seen f
times among N (s is ``sample``; this is gensim's formula). The settings follow gensim's ``Word2Vec``
(uniform(-1/D, 1/D) input vectors, zero output vectors, a reduced window drawn per centre,
learning rate falling linearly) so the two can be compared; the difference is that we update a
batch of pairs at once with PyTorch tensor operations instead of one pair at a time.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import torch

NOISE_TABLE_SIZE = 1_000_000


@dataclass
class Vocabulary:
    """Words seen at least ``min_count`` times, most frequent first, with their counts."""

    words: list[str]
    counts: torch.Tensor

    @classmethod
    def from_sentences(cls, sentences: list[list[str]], min_count: int = 5) -> Vocabulary:
        """Count every word; ties keep first-seen order (Counter.most_common is stable)."""
        counted = Counter(word for sentence in sentences for word in sentence)
        kept = [(w, c) for w, c in counted.most_common() if c >= min_count]
        if not kept:
            raise ValueError(f"no word occurs {min_count} times or more")
        return cls([w for w, _ in kept], torch.tensor([c for _, c in kept], dtype=torch.float64))

    def __len__(self) -> int:
        return len(self.words)

    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    def encode(self, sentences: list[list[str]]) -> tuple[torch.Tensor, torch.Tensor]:
        """Token ids of the in-vocabulary words and the sentence number of each (flat tensors)."""
        lookup = self.index()
        tokens, sentence_ids = [], []
        for number, sentence in enumerate(sentences):
            ids = [lookup[w] for w in sentence if w in lookup]
            tokens.extend(ids)
            sentence_ids.extend([number] * len(ids))
        return torch.tensor(tokens), torch.tensor(sentence_ids)


def keep_probabilities(counts: torch.Tensor, sample: float) -> torch.Tensor:
    """Probability of keeping each occurrence of each word under subsampling (gensim's formula)."""
    if sample <= 0:
        return torch.ones_like(counts)
    threshold = sample * counts.sum()
    return ((counts / threshold).sqrt() + 1) * threshold / counts


def noise_distribution(counts: torch.Tensor, power: float = 0.75) -> torch.Tensor:
    """The distribution negative words are drawn from: count^power, normalised."""
    weights = counts**power
    return weights / weights.sum()


def noise_table(counts: torch.Tensor, size: int = NOISE_TABLE_SIZE) -> torch.Tensor:
    """A table where word i fills a share of slots equal to its noise probability.

    Drawing a uniform slot is then one ``randint`` and one lookup per negative, much cheaper than
    searching the cumulative distribution.
    """
    cumulative = noise_distribution(counts).cumsum(0)
    slots = (torch.arange(size, dtype=torch.float64) + 0.5) / size
    return torch.searchsorted(cumulative, slots).clamp_(max=len(counts) - 1)


def context_positions(
    sentence_ids: torch.Tensor, window: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """For each position, the positions of its context words and which of them are valid.

    As in word2vec, each centre draws a reduced window b in 1..window (nearer words count more on
    average); a context must lie within b and inside the same sentence. Returns
    ``(positions (n, 2*window), valid (n, 2*window))``, contexts left to right.
    """
    n = len(sentence_ids)
    reduced = window - torch.randint(0, window, (n,), generator=generator)
    offsets = torch.cat([torch.arange(-window, 0), torch.arange(1, window + 1)])
    positions = torch.arange(n)[:, None] + offsets[None, :]
    inside = (positions >= 0) & (positions < n)
    positions = positions.clamp(0, n - 1)
    valid = inside & (offsets.abs()[None, :] <= reduced[:, None])
    valid &= sentence_ids[positions] == sentence_ids[:, None]
    return positions, valid


@dataclass
class NegativeSamplingConfig:
    """Training settings, named and defaulted as in gensim's ``Word2Vec``."""

    sg: bool = True  # skip-gram (True) or CBOW (False)
    vector_size: int = 100
    window: int = 5
    negative: int = 5
    sample: float = 1e-3
    epochs: int = 5
    alpha: float = 0.025
    min_alpha: float = 1e-4
    seed: int = 1
    batch_size: int = 1024
    cbow_gradient: str = "gensim"  # "gensim": un-averaged error to each context word; "exact"


def negative_sampling_step(
    w_out: torch.Tensor,
    h: torch.Tensor,
    targets: torch.Tensor,
    negatives: torch.Tensor,
    lr: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One negative-sampling step for a batch of hidden vectors ``h`` (B, D).

    Updates the output vectors in place and returns the step for ``h`` and the batch's summed
    loss (a 0-d tensor). A negative that equals the true word is ignored, as in word2vec.
    """
    outputs = torch.cat([targets[:, None], negatives], dim=1)  # (B, 1 + K)
    u = w_out.index_select(0, outputs.reshape(-1)).view(*outputs.shape, -1)  # (B, 1 + K, D)
    scores = (u * h[:, None, :]).sum(dim=2)
    scores[:, 1:].neg_()  # the true word should score high, the noise words low
    scores[:, 1:].masked_fill_(negatives == targets[:, None], 30.0)  # sigma(30) = 1: no error
    loss = -torch.nn.functional.logsigmoid(scores).sum()
    error = (
        torch.sigmoid(scores).sub_(1.0).mul_(-lr)
    )  # lr * d log sigma(s) / d s = lr * (1 - sigma)
    error[:, 1:].neg_()  # back to d / d(u_k . h) for the noise words
    step_h = torch.bmm(error[:, None, :], u).squeeze(1)
    w_out.index_add_(0, outputs.reshape(-1), (error[:, :, None] * h[:, None, :]).flatten(0, 1))
    return step_h, loss


@dataclass
class NegativeSamplingModel:
    """Trained word vectors (``w_in``, the ones used as embeddings) and the loss per epoch."""

    vocabulary: Vocabulary
    w_in: torch.Tensor
    w_out: torch.Tensor
    epoch_loss: list[float]


@dataclass
class _EpochExamples:
    """One epoch's training examples after subsampling and window drawing.

    Skip-gram: ``inputs[i]`` predicts ``targets[i]``. CBOW: the context words of example ``i``
    are ``inputs[offsets[i]:offsets[i + 1]]`` (``row_of`` maps each back to ``i``, ``counts[i]``
    says how many there are) and ``targets[i]`` is its centre word.
    """

    inputs: torch.Tensor
    targets: torch.Tensor
    offsets: list[int] | None = None
    row_of: torch.Tensor | None = None
    counts: torch.Tensor | None = None


def _epoch_examples(
    tokens: torch.Tensor,
    sentence_ids: torch.Tensor,
    keep: torch.Tensor,
    config: NegativeSamplingConfig,
    gen: torch.Generator,
) -> _EpochExamples:
    """Subsample the text, draw each centre's window and list the examples in text order."""
    kept = torch.rand(len(tokens), generator=gen) < keep[tokens]
    words, ids = tokens[kept], sentence_ids[kept]
    positions, valid = context_positions(ids, config.window, gen)
    if config.sg:
        centre_pos = torch.arange(len(words))[:, None].expand_as(positions)[valid]
        return _EpochExamples(words[centre_pos], words[positions[valid]])
    has_context = valid.any(dim=1)
    context_words = words[positions[has_context][valid[has_context]]]
    counts = valid[has_context].sum(dim=1)
    row_of = torch.repeat_interleave(torch.arange(len(counts)), counts)
    offsets = [0, *counts.cumsum(0).tolist()]
    return _EpochExamples(
        context_words, words[has_context], offsets, row_of, counts.float()[:, None]
    )


def _cbow_step(
    w_in: torch.Tensor,
    w_out: torch.Tensor,
    examples: _EpochExamples,
    rows: slice,
    negatives: torch.Tensor,
    lr: float,
    exact_mean: bool,
) -> torch.Tensor:
    """One CBOW batch: average each row's context vectors, score, update; returns summed loss.

    gensim's rule (``exact_mean=False``) adds the whole step for the mean to every context
    vector; the exact gradient of the mean divides it by the number of context words.
    """
    start, stop = examples.offsets[rows.start], examples.offsets[rows.stop]
    context = examples.inputs[start:stop]
    row_of = examples.row_of[start:stop] - rows.start
    count = examples.counts[rows]
    h = torch.zeros(len(count), w_in.shape[1]).index_add_(0, row_of, w_in.index_select(0, context))
    h /= count
    step_h, loss = negative_sampling_step(w_out, h, examples.targets[rows], negatives, lr)
    if exact_mean:
        step_h /= count
    w_in.index_add_(0, context, step_h.index_select(0, row_of))
    return loss


def train_negative_sampling(
    sentences: list[list[str]] | None,
    config: NegativeSamplingConfig | None = None,
    vocabulary: Vocabulary | None = None,
    min_count: int = 5,
    encoded: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> NegativeSamplingModel:
    """Train skip-gram or CBOW with negative sampling and subsampling on tokenised sentences.

    Pass ``vocabulary`` (and ``encoded``, from ``vocabulary.encode``) to reuse them across runs.
    Examples are taken in text order, ``config.batch_size`` at a time, and each batch's updates
    are summed (gensim updates after every example). Summing is harmless when a batch holds many
    different words; with a tiny vocabulary (a few dozen words) the same vector gets dozens of
    summed steps and training diverges: lower ``alpha`` or ``batch_size`` there. Deterministic for
    a given ``config.seed`` when torch runs on one thread.
    """
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
        examples = _epoch_examples(tokens, sentence_ids, keep, config, gen)
        n = len(examples.targets)
        if total_steps is None:  # the schedule assumes every epoch about as long as the first
            total_steps = config.epochs * -(-n // config.batch_size)
        draws = torch.randint(len(table), (n * config.negative,), generator=gen)
        all_negatives = table.index_select(0, draws).view(n, config.negative)
        loss_sum = torch.zeros((), dtype=torch.float64)
        for start in range(0, n, config.batch_size):
            lr = max(
                config.min_alpha,
                config.alpha - (config.alpha - config.min_alpha) * done / total_steps,
            )
            done += 1
            rows = slice(start, min(n, start + config.batch_size))
            if config.sg:
                inputs = examples.inputs[rows]
                h = w_in.index_select(0, inputs)
                step_h, loss = negative_sampling_step(
                    w_out, h, examples.targets[rows], all_negatives[rows], lr
                )
                w_in.index_add_(0, inputs, step_h)
            else:
                exact = config.cbow_gradient == "exact"
                loss = _cbow_step(w_in, w_out, examples, rows, all_negatives[rows], lr, exact)
            loss_sum += loss
        epoch_loss.append(loss_sum.item() / max(1, n))
    return NegativeSamplingModel(vocabulary, w_in, w_out, epoch_loss)
