"""Skip-gram and CBOW with the full softmax: the lesson's formulas as code (notebook 03).

Every word (or character) w has two vectors: v_w when it is the centre/input word and u_w when it
is the word being predicted. With V the input vectors and U the output vectors, both (vocab, D):

- skip-gram: P(w_o | w_c) = exp(u_o . v_c) / sum_i exp(u_i . v_c), and the loss of a sequence is
  -sum_t sum_{-m <= j <= m, j != 0} log P(w_{t+j} | w_t);
- CBOW: the context vectors are averaged, v_bar = (1/2m) sum_o v_o, and
  P(w_c | context) = exp(u_c . v_bar) / sum_i exp(u_i . v_bar); the loss is -sum_t log P(w_t | ...).

The functions here take index tensors, so the same code serves the five-word worked example and
the names dataset. Negative sampling, which replaces the full softmax on big vocabularies, lives in
``ngram_helpers.negative_sampling``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch


def context_pairs(sequence: list[int], window: int) -> list[tuple[int, int]]:
    """Every (centre, context) pair of ``sequence`` with the context at most ``window`` away.

    Pairs come in text order: centre by centre, and for each centre from left to right.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    pairs = []
    for t, centre in enumerate(sequence):
        for j in range(max(0, t - window), min(len(sequence), t + window + 1)):
            if j != t:
                pairs.append((centre, sequence[j]))
    return pairs


def padded_windows(
    sequences: list[list[int]], window: int, pad: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Fixed-size windows for every position of every sequence, padded with token ``pad``.

    Each sequence is padded with copies of ``pad`` on both sides; every original
    position and the first pad after the sequence (so the end token is learned as a centre too)
    becomes a centre. Returns ``(centres (N,), contexts (N, 2*window))``, contexts left to right.
    Used for the character-level models, where a name is a short sequence ended by its end token.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    centres, contexts = [], []
    for seq in sequences:
        padded = [pad] * window + list(seq) + [pad] * (window + 1)
        for t in range(window, window + len(seq) + 1):
            centres.append(padded[t])
            contexts.append(padded[t - window : t] + padded[t + 1 : t + window + 1])
    return torch.tensor(centres), torch.tensor(contexts)


def windows_to_pairs(centres: torch.Tensor, contexts: torch.Tensor) -> torch.Tensor:
    """Flatten ``(centres (N,), contexts (N, C))`` into (N*C, 2) (centre, context) pairs."""
    return torch.stack([centres.repeat_interleave(contexts.shape[1]), contexts.reshape(-1)], dim=1)


def skipgram_log_probs(
    v: torch.Tensor, u: torch.Tensor, centres: torch.Tensor, contexts: torch.Tensor
) -> torch.Tensor:
    """log P(context | centre) for each pair: log_softmax over the vocabulary of U @ v_centre."""
    scores = v[centres] @ u.T  # (N, vocab): u_i . v_c for every word i
    return torch.log_softmax(scores, dim=1).gather(1, contexts[:, None]).squeeze(1)


def cbow_log_probs(
    v: torch.Tensor, u: torch.Tensor, contexts: torch.Tensor, centres: torch.Tensor
) -> torch.Tensor:
    """log P(centre | context words) for each row, with the context vectors averaged."""
    v_bar = v[contexts].mean(dim=1)  # (N, D): (1/2m) sum_o v_o
    scores = v_bar @ u.T
    return torch.log_softmax(scores, dim=1).gather(1, centres[:, None]).squeeze(1)


def skipgram_loss(
    v: torch.Tensor, u: torch.Tensor, centres: torch.Tensor, contexts: torch.Tensor
) -> torch.Tensor:
    """Mean over pairs of -log P(context | centre) (the lesson's sum divided by the pair count)."""
    return -skipgram_log_probs(v, u, centres, contexts).mean()


def cbow_loss(
    v: torch.Tensor, u: torch.Tensor, contexts: torch.Tensor, centres: torch.Tensor
) -> torch.Tensor:
    """Mean over centres of -log P(centre | context words)."""
    return -cbow_log_probs(v, u, contexts, centres).mean()


@dataclass
class SoftmaxEmbeddings:
    """What full-softmax training returns: input vectors V, output vectors U, loss per epoch."""

    v: torch.Tensor
    u: torch.Tensor
    epoch_loss: list[float] = field(default_factory=list)


def train_full_softmax(
    kind: str,
    centres: torch.Tensor,
    contexts: torch.Tensor,
    vocab_size: int,
    dim: int = 16,
    epochs: int = 3,
    batch_size: int = 512,
    learning_rate: float = 0.01,
    seed: int = 0,
) -> SoftmaxEmbeddings:
    """Train skip-gram (``kind="skipgram"``) or CBOW (``"cbow"``) with the exact softmax and Adam.

    ``centres`` (N,) and ``contexts`` (N, C) come from ``padded_windows``; skip-gram uses every
    (centre, context) pair of them, CBOW every row. Small vocabularies only (the character level,
    or a capped word vocabulary): each step scores the whole vocabulary.
    """
    if kind not in ("skipgram", "cbow"):
        raise ValueError(f"kind must be 'skipgram' or 'cbow', got {kind!r}")
    gen = torch.Generator().manual_seed(seed)
    v = (torch.randn(vocab_size, dim, generator=gen) * 0.1).requires_grad_()
    u = (torch.randn(vocab_size, dim, generator=gen) * 0.1).requires_grad_()
    optimizer = torch.optim.Adam([v, u], lr=learning_rate)
    if kind == "skipgram":
        pairs = windows_to_pairs(centres, contexts)
        inputs, targets = pairs[:, 0], pairs[:, 1]
    else:
        inputs, targets = contexts, centres
    result = SoftmaxEmbeddings(v, u)
    for _ in range(epochs):
        order = torch.randperm(len(targets), generator=gen)
        total = 0.0
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            if kind == "skipgram":
                loss = skipgram_loss(v, u, inputs[rows], targets[rows])
            else:
                loss = cbow_loss(v, u, inputs[rows], targets[rows])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(rows)
        result.epoch_loss.append(total / len(order))
    result.v, result.u = v.detach(), u.detach()
    return result
