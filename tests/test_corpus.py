"""The word corpus, its vocabulary and the word-vector measures (ngram_helpers.corpus)."""

from __future__ import annotations

import pytest
import torch

from ngram_helpers import corpus
from ngram_helpers.corpus import Vocabulary


def test_vocabulary_counts_filters_and_orders():
    vocab = Vocabulary.from_sentences([["b", "a", "b", "c"], ["a", "b"]], min_count=2)
    assert vocab.words == ["b", "a"]
    assert vocab.counts.tolist() == [3, 2]
    tokens, ids = vocab.encode([["a", "z", "b"], ["b"]])
    assert tokens.tolist() == [1, 0, 0] and ids.tolist() == [0, 0, 1]
    with pytest.raises(ValueError, match="no word occurs 9 times"):
        Vocabulary.from_sentences([["a"]], min_count=9)


def test_wordsim_pairs_are_stemmed_like_head500():
    plain = corpus.wordsim_pairs(stem=False)
    stemmed = corpus.wordsim_pairs(stem=True)
    assert len(plain) == len(stemmed) > 300
    assert ("tiger", "cat", 7.35) in plain
    assert ("tiger", "cat", 7.35) in stemmed
    assert ("comput", "keyboard", 7.62) in stemmed


def test_wordsim_spearman_and_neighbour_overlap():
    pairs = [("a", "b", 9.0), ("a", "c", 5.0), ("a", "d", 1.0), ("a", "zz", 3.0)]
    vectors = torch.tensor([[1.0, 0.0], [1.0, 0.1], [1.0, 1.0], [0.0, 1.0]])
    rho, used = corpus.wordsim_spearman(vectors, ["a", "b", "c", "d"], pairs)
    assert (rho, used) == (pytest.approx(1.0), 3)
    assert corpus.neighbour_overlap(vectors, vectors, [0, 1], k=2) == 1.0
    assert 0 not in corpus.top_neighbours(vectors, [0], k=3)[0].tolist()
    with pytest.raises(ValueError, match="only 0 WordSim pairs"):
        corpus.wordsim_spearman(vectors, ["p", "q", "r", "s"], pairs)


def test_read_corpus_reports_a_missing_file():
    with pytest.raises(FileNotFoundError, match="no-such.cor"):
        corpus.read_corpus("no-such.cor")


def test_gensim_vectors_follow_the_words_order_and_repeat_from_a_seed():
    sentences = [["cat", "dog", "fish", "bird"], ["dog", "cat", "bird", "fish"]] * 10
    settings = dict(vector_size=8, window=2, negative=2, epochs=2)
    vectors = corpus.gensim_vectors(sentences, ["cat", "dog"], sg=True, seed=1, **settings)
    reordered = corpus.gensim_vectors(sentences, ["dog", "cat"], sg=True, seed=1, **settings)
    assert vectors.shape == (2, 8)
    assert torch.equal(vectors, reordered.flip(0))  # workers=1: one seed, one set of vectors


def test_cpu_seconds_returns_the_result_and_the_time_it_took():
    result, seconds = corpus.cpu_seconds(lambda: sum(range(100_000)))
    assert result == sum(range(100_000)) and 0 <= seconds < 10
