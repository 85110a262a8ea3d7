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
batch of examples at once with PyTorch tensor operations instead of one example at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from ngram_helpers.corpus import Vocabulary

NOISE_TABLE_SIZE = 1_000_000


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
    searching the cumulative distribution. The ids are int32: a table half the size of an int64
    one is looked up about twice as fast (fewer cache misses).
    """
    cumulative = noise_distribution(counts).cumsum(0)
    slots = (torch.arange(size, dtype=torch.float64) + 0.5) / size
    return torch.searchsorted(cumulative, slots, out_int32=True).clamp_(max=len(counts) - 1)


def reduced_window_pairs(
    sentence_ids: torch.Tensor, window: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """The positions ``(centre, context)`` of every training pair, centre by centre in text order.

    As in word2vec, each centre draws a reduced window b in 1..window (nearer words count more on
    average); a context must lie within b and inside the same sentence. Each sentence's positions
    must be consecutive, as ``Vocabulary.encode`` returns them. Each centre's contexts come left
    to right.
    """
    n = len(sentence_ids)
    reduced = window - torch.randint(0, window, (n,), generator=generator)
    position = torch.arange(n)
    _, lengths = torch.unique_consecutive(sentence_ids, return_counts=True)
    ends = lengths.cumsum(0)
    sentence_start = (ends - lengths).repeat_interleave(lengths)  # of each position's sentence
    sentence_end = ends.repeat_interleave(lengths)
    left = torch.minimum(reduced, position - sentence_start)  # how far each centre reaches
    right = torch.minimum(reduced, sentence_end - 1 - position)
    distance = torch.arange(1, window + 1)
    valid = torch.cat([distance.flip(0) <= left[:, None], distance <= right[:, None]], dim=1)
    offsets = torch.cat([-distance.flip(0), distance])  # column j of valid is offset offsets[j]
    centre, column = valid.nonzero(as_tuple=True)
    return centre, centre + offsets[column]


SKIPGRAM_BATCH = 1024  # pairs: about 170 centre words of text
CBOW_BATCH = 384  # examples, one per centre word of text


@dataclass
class NegativeSamplingConfig:
    """Training settings, named and defaulted as in gensim's ``Word2Vec``.

    ``batch_size`` (ours, not gensim's) defaults to ``SKIPGRAM_BATCH`` pairs for skip-gram and
    ``CBOW_BATCH`` examples for CBOW. A batch's steps are summed, so the more text a batch spans,
    the further training drifts from gensim's one-example-at-a-time updates: a CBOW batch of
    1,024 examples spans six times more text than 1,024 skip-gram pairs and its neighbours
    visibly disagree with gensim's; at 384 they agree nearly as well as two gensim seeds do.
    """

    sg: bool = True  # skip-gram (True) or CBOW (False)
    vector_size: int = 100
    window: int = 5
    negative: int = 5
    sample: float = 1e-3
    epochs: int = 5
    alpha: float = 0.025
    min_alpha: float = 1e-4
    seed: int = 1
    batch_size: int | None = None  # None: SKIPGRAM_BATCH or CBOW_BATCH
    cbow_gradient: str = "gensim"  # "gensim": un-averaged error to each context word; "exact"

    def __post_init__(self) -> None:
        if self.batch_size is None:
            self.batch_size = SKIPGRAM_BATCH if self.sg else CBOW_BATCH


def output_words(
    targets: torch.Tensor, negatives: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each example's output words, the true word first, and the sign of each one's label.

    Returns ``(outputs, sign)``, both (B, 1 + K): ``sign`` is +1 for the true word, -1 for a noise
    word and 0 for a noise word that equals the true word (word2vec skips it).
    """
    outputs = torch.cat([targets[:, None], negatives.long()], dim=1)
    sign = torch.where(outputs == targets[:, None], 0.0, -1.0)
    sign[:, 0] = 1.0
    return outputs, sign


def negative_sampling_step(
    w_out: torch.Tensor,
    h: torch.Tensor,
    outputs: torch.Tensor,
    sign: torch.Tensor,
    lr: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One negative-sampling step for a batch of hidden vectors ``h`` (B, D).

    ``outputs`` and ``sign`` come from ``output_words``. With s = sign * (u . h) every term's loss
    is -log sigma(s), and a step down its gradient moves u . h by lr * sign * sigma(-s): up for
    the true word, down for the noise words, not at all for a skipped one. Updates the output
    vectors in place; returns the step for ``h`` and the batch's summed loss (a 0-d tensor).
    """
    u = w_out.index_select(0, outputs.view(-1)).view(*outputs.shape, -1)  # (B, 1 + K, D)
    s = (u * h[:, None, :]).sum(dim=2).mul_(sign)
    s.masked_fill_(sign == 0, 30.0)  # sigma(30) = 1: a skipped noise word adds no loss
    loss = -torch.nn.functional.logsigmoid(s).sum()
    error = torch.sigmoid(s.neg_()).mul_(sign).mul_(lr)  # (B, 1 + K)
    step_h = torch.nn.functional.embedding_bag(  # sum_k error_k * u_k, taken before u moves
        outputs, w_out, mode="sum", per_sample_weights=error
    )
    w_out.index_add_(0, outputs.view(-1), (error[:, :, None] * h[:, None, :]).flatten(0, 1))
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
    """One epoch's training examples after subsampling and window drawing, in text order.

    Example ``i`` predicts ``targets[i]`` against the noise words ``negatives[i]`` (``output_words``
    puts them together). Skip-gram: its input word is ``inputs[i]``. CBOW: its inputs are the
    context words ``inputs[starts[i]:starts[i + 1]]`` (``bounds`` is ``starts`` as a list); for
    each context word ``row_of`` says which example it belongs to and ``weights`` is 1 / the number
    of context words of that example.
    """

    inputs: torch.Tensor
    targets: torch.Tensor
    negatives: torch.Tensor
    starts: torch.Tensor | None = None
    bounds: list[int] | None = None
    row_of: torch.Tensor | None = None
    weights: torch.Tensor | None = None


def _epoch_examples(
    tokens: torch.Tensor,
    sentence_ids: torch.Tensor,
    keep: torch.Tensor,
    table: torch.Tensor,
    config: NegativeSamplingConfig,
    gen: torch.Generator,
) -> _EpochExamples:
    """Subsample the text, draw each centre's window and each example's noise words."""
    kept = torch.rand(len(tokens), generator=gen) < keep[tokens]
    words = tokens[kept]
    centre, context = reduced_window_pairs(sentence_ids[kept], config.window, gen)
    if config.sg:
        inputs, targets = words[centre], words[context]
    else:
        counts = torch.bincount(centre, minlength=len(words))
        has_context = counts > 0
        inputs, targets, counts = words[context], words[has_context], counts[has_context]
    draws = torch.randint(len(table), (len(targets) * config.negative,), generator=gen)
    negatives = table.index_select(0, draws).view(len(targets), -1)
    if config.sg:
        return _EpochExamples(inputs, targets, negatives)
    starts = torch.cat([torch.zeros(1, dtype=torch.long), counts.cumsum(0)])
    row_of = torch.repeat_interleave(torch.arange(len(counts)), counts)
    weights = 1.0 / counts.float()[row_of]
    return _EpochExamples(inputs, targets, negatives, starts, starts.tolist(), row_of, weights)


def _cbow_step(
    w_in: torch.Tensor,
    w_out: torch.Tensor,
    examples: _EpochExamples,
    rows: slice,
    lr: float,
    exact_mean: bool,
) -> torch.Tensor:
    """One CBOW batch: average each row's context vectors, score, update; returns summed loss.

    gensim's rule (``exact_mean=False``) adds the whole step for the mean to every context
    vector; the exact gradient of the mean divides it by the number of context words.
    """
    start, stop = examples.bounds[rows.start], examples.bounds[rows.stop]
    context, weights = examples.inputs[start:stop], examples.weights[start:stop]
    h = torch.nn.functional.embedding_bag(  # weighted sums of rows of w_in: the means
        context, w_in, examples.starts[rows] - start, mode="sum", per_sample_weights=weights
    )
    outputs, sign = output_words(examples.targets[rows], examples.negatives[rows])
    step_h, loss = negative_sampling_step(w_out, h, outputs, sign, lr)
    step = step_h.index_select(0, examples.row_of[start:stop] - rows.start)
    if exact_mean:
        step *= weights[:, None]
    w_in.index_add_(0, context, step)
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
    exact_mean = config.cbow_gradient == "exact"

    def take_step(w_in, w_out, examples, rows, lr):
        if not config.sg:
            return _cbow_step(w_in, w_out, examples, rows, lr, exact_mean)
        inputs = examples.inputs[rows]
        outputs, sign = output_words(examples.targets[rows], examples.negatives[rows])
        step_h, loss = negative_sampling_step(
            w_out, w_in.index_select(0, inputs), outputs, sign, lr
        )
        w_in.index_add_(0, inputs, step_h)
        return loss

    def train_epoch(w_in, w_out, examples, lrs):
        size, n, loss_sum = config.batch_size, len(examples.targets), 0.0
        for i, lr in enumerate(lrs.tolist()):
            rows = slice(i * size, min(n, (i + 1) * size))
            loss_sum += take_step(w_in, w_out, examples, rows, lr).item()
        return loss_sum

    return run_epochs(sentences, config, vocabulary, min_count, encoded, train_epoch)


EpochTrainer = Callable[[torch.Tensor, torch.Tensor, _EpochExamples, torch.Tensor], float]


def learning_rates(
    config: NegativeSamplingConfig, steps: torch.Tensor, total_steps: int
) -> torch.Tensor:
    """The learning rate of each step in ``steps``: from alpha down to min_alpha in a line."""
    falling = config.alpha - (config.alpha - config.min_alpha) * steps / total_steps
    return falling.clamp(min=config.min_alpha)


def run_epochs(
    sentences: list[list[str]] | None,
    config: NegativeSamplingConfig,
    vocabulary: Vocabulary | None,
    min_count: int,
    encoded: tuple[torch.Tensor, torch.Tensor] | None,
    train_epoch: EpochTrainer,
) -> NegativeSamplingModel:
    """The training both trainers share: set-up, each epoch's examples, the learning rates.

    ``train_epoch(w_in, w_out, examples, lrs)`` takes the epoch's batches in order, batch ``i``
    at learning rate ``lrs[i]``, updates the tables in place and returns the summed loss: the
    readable loop of ``train_negative_sampling`` or the compiled one of ``fast_word2vec``.
    """
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
        n = len(examples.targets)
        batches = -(-n // config.batch_size)
        if total_steps is None:  # the schedule assumes every epoch about as long as the first
            total_steps = config.epochs * batches
        steps = torch.arange(done, done + batches, dtype=torch.float64)
        done += batches
        loss_sum = train_epoch(w_in, w_out, examples, learning_rates(config, steps, total_steps))
        epoch_loss.append(loss_sum / max(1, n))
    return NegativeSamplingModel(vocabulary, w_in, w_out, epoch_loss)
