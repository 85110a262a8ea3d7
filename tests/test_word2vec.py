"""Skip-gram and CBOW with the full softmax (ngram_helpers.word2vec, notebook 03)."""

from __future__ import annotations

import math

import pytest
import torch

from ngram_helpers import word2vec


def literal_log_p(u: torch.Tensor, h: torch.Tensor, target: int) -> float:
    scores = [float(u[i] @ h) for i in range(len(u))]
    return scores[target] - math.log(sum(math.exp(s) for s in scores))


@pytest.fixture
def tiny_vectors():
    gen = torch.Generator().manual_seed(0)
    v = torch.randn(6, 3, generator=gen, dtype=torch.float64)
    u = torch.randn(6, 3, generator=gen, dtype=torch.float64)
    return v, u


def test_context_pairs_of_the_worked_example():
    pairs = word2vec.context_pairs([0, 1, 2, 3, 4], window=2)
    assert len(pairs) == 14
    assert [o for c, o in pairs if c == 2] == [0, 1, 3, 4]
    assert [o for c, o in pairs if c == 0] == [1, 2]
    with pytest.raises(ValueError, match="window"):
        word2vec.context_pairs([0, 1], window=0)


def test_padded_windows_pad_both_sides_and_end_token_is_a_centre():
    centres, contexts = word2vec.padded_windows([[1, 2], [3]], window=2, pad=0)
    assert centres.tolist() == [1, 2, 0, 3, 0]
    assert contexts[0].tolist() == [0, 0, 2, 0]
    assert contexts[2].tolist() == [1, 2, 0, 0]
    pairs = word2vec.windows_to_pairs(centres, contexts)
    assert pairs.shape == (20, 2)
    assert pairs[:4].tolist() == [[1, 0], [1, 0], [1, 2], [1, 0]]


def test_skipgram_loss_equals_the_literal_double_sum(tiny_vectors):
    v, u = tiny_vectors
    text = [0, 3, 1, 5, 2, 2, 4, 0, 1]
    literal = -sum(literal_log_p(u, v[c], o) for c, o in word2vec.context_pairs(text, 2))
    pairs = torch.tensor(word2vec.context_pairs(text, 2))
    vectorised = word2vec.skipgram_loss(v, u, pairs[:, 0], pairs[:, 1]).item() * len(pairs)
    assert vectorised == pytest.approx(literal, abs=1e-6)


def test_cbow_loss_equals_the_literal_sum_with_averaged_context(tiny_vectors):
    v, u = tiny_vectors
    text = torch.tensor([0, 3, 1, 5, 2, 2, 4, 0, 1])
    windows = text.unfold(0, 5, 1)
    literal = -sum(literal_log_p(u, v[w[[0, 1, 3, 4]]].mean(0), int(w[2])) for w in windows)
    vectorised = word2vec.cbow_loss(v, u, windows[:, [0, 1, 3, 4]], windows[:, 2]).item()
    assert vectorised * len(windows) == pytest.approx(literal, abs=1e-6)


def test_skipgram_probabilities_sum_to_one(tiny_vectors):
    v, u = tiny_vectors
    every_word = torch.arange(6)
    log_p = word2vec.skipgram_log_probs(v, u, torch.full((6,), 2), every_word)
    assert log_p.exp().sum().item() == pytest.approx(1.0)


@pytest.mark.parametrize("kind", ["skipgram", "cbow"])
def test_full_softmax_training_lowers_the_loss(kind):
    sequences = [[1, 2, 3, 1, 2, 3], [4, 5, 4, 5]] * 30
    centres, contexts = word2vec.padded_windows(sequences, window=1, pad=0)
    result = word2vec.train_full_softmax(kind, centres, contexts, 6, dim=4, epochs=3, seed=0)
    assert result.epoch_loss[-1] < result.epoch_loss[0] < math.log(6) + 0.1
    assert result.v.shape == (6, 4) and not result.v.requires_grad


def test_full_softmax_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="skipgram"):
        word2vec.train_full_softmax("glove", torch.tensor([0]), torch.tensor([[0]]), 2)
