"""Skip-gram, CBOW, negative sampling and the word-vector measures (notebook 03)."""

from __future__ import annotations

import math

import pytest
import torch

from ngram_helpers import corpus, negative_sampling, word2vec
from ngram_helpers.corpus import Vocabulary
from ngram_helpers.negative_sampling import NegativeSamplingConfig


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


def test_vocabulary_counts_filters_and_orders():
    vocab = Vocabulary.from_sentences([["b", "a", "b", "c"], ["a", "b"]], min_count=2)
    assert vocab.words == ["b", "a"]
    assert vocab.counts.tolist() == [3, 2]
    tokens, ids = vocab.encode([["a", "z", "b"], ["b"]])
    assert tokens.tolist() == [1, 0, 0] and ids.tolist() == [0, 0, 1]
    with pytest.raises(ValueError, match="no word occurs 9 times"):
        Vocabulary.from_sentences([["a"]], min_count=9)


def test_keep_probabilities_follow_gensims_formula():
    counts = torch.tensor([1000.0, 10.0, 1.0], dtype=torch.float64)
    keep = negative_sampling.keep_probabilities(counts, sample=1e-2)
    threshold = 1e-2 * 1011
    assert keep[0].item() == pytest.approx((math.sqrt(1000 / threshold) + 1) * threshold / 1000)
    assert keep[0] < 1 < keep[2]
    assert torch.all(negative_sampling.keep_probabilities(counts, 0) == 1)


def test_noise_distribution_and_table():
    counts = torch.tensor([81.0, 16.0, 1.0], dtype=torch.float64)
    noise = negative_sampling.noise_distribution(counts)
    assert noise.tolist() == pytest.approx([27 / 36, 8 / 36, 1 / 36])
    table = negative_sampling.noise_table(counts, size=36_000)
    share = torch.bincount(table, minlength=3).double() / len(table)
    assert share.tolist() == pytest.approx(noise.tolist(), abs=1e-4)


def test_context_pairs_stay_in_sentence_and_window():
    sentence_ids = torch.tensor([0, 0, 0, 0, 1, 1, 1])
    centre, context = negative_sampling.reduced_window_pairs(
        sentence_ids, 3, torch.Generator().manual_seed(0)
    )
    assert torch.all(sentence_ids[centre] == sentence_ids[context])
    distance = (context - centre).abs()
    assert torch.all((distance >= 1) & (distance <= 3))
    order = centre * 10 + context  # centre by centre, contexts left to right
    assert torch.all(order[1:] > order[:-1])
    nearest = {
        (c, o) for c, o in zip(centre.tolist(), context.tolist(), strict=True) if abs(c - o) == 1
    }
    assert nearest == {
        (0, 1),
        (1, 0),
        (1, 2),
        (2, 1),
        (2, 3),
        (3, 2),
        (4, 5),
        (5, 4),
        (5, 6),
        (6, 5),
    }


def test_output_words_put_the_true_word_first_and_mark_skipped_noise():
    outputs, sign = negative_sampling.output_words(
        torch.tensor([3, 4]), torch.tensor([[1, 3], [2, 5]], dtype=torch.int32)
    )
    assert outputs.tolist() == [[3, 1, 3], [4, 2, 5]]
    assert sign.tolist() == [[1, -1, 0], [1, -1, -1]]


def test_negative_sampling_step_is_a_gradient_step():
    gen = torch.Generator().manual_seed(0)
    w_out = torch.randn(10, 4, generator=gen, dtype=torch.float64)
    h = torch.randn(3, 4, generator=gen, dtype=torch.float64)
    targets, negatives = torch.tensor([1, 2, 3]), torch.tensor([[4, 5], [6, 2], [7, 8]])
    u = w_out.clone().requires_grad_()
    hh = h.clone().requires_grad_()
    keep = (negatives != targets[:, None]).double()  # a negative equal to the target is skipped
    loss = (
        -torch.nn.functional.logsigmoid((u[targets] * hh).sum(1)).sum()
        - (keep * torch.nn.functional.logsigmoid(-(u[negatives] * hh[:, None]).sum(2))).sum()
    )
    loss.backward()
    outputs, sign = negative_sampling.output_words(targets, negatives)
    step_h, batch_loss = negative_sampling.negative_sampling_step(w_out, h, outputs, sign, 0.1)
    assert batch_loss.item() == pytest.approx(loss.item(), abs=1e-6)
    assert torch.allclose(step_h, -0.1 * hh.grad)
    assert torch.allclose(w_out, u.detach() - 0.1 * u.grad)


def topic_corpus(seed: int = 0) -> list[list[str]]:
    """Sentences drawn from two disjoint word groups: a model should keep the groups apart."""
    gen = torch.Generator().manual_seed(seed)
    groups = [[f"a{i}" for i in range(40)], [f"b{i}" for i in range(40)]]
    sentences = []
    for n in range(300):
        group = groups[n % 2]
        sentences.append([group[i] for i in torch.randint(0, 40, (30,), generator=gen).tolist()])
    return sentences


@pytest.mark.usefixtures("one_thread")
@pytest.mark.parametrize("sg", [True, False])
def test_negative_sampling_training_separates_topics_and_is_deterministic(sg):
    config = NegativeSamplingConfig(sg=sg, vector_size=16, epochs=3, sample=0, batch_size=64)
    sentences = topic_corpus()
    first = negative_sampling.train_negative_sampling(sentences, config, min_count=1)
    again = negative_sampling.train_negative_sampling(sentences, config, min_count=1)
    assert torch.equal(first.w_in, again.w_in)
    groups = torch.tensor([w.startswith("a") for w in first.vocabulary.words])
    x = torch.nn.functional.normalize(first.w_in, dim=1)
    sims = x @ x.T
    same = sims[groups[:, None] == groups[None, :]].mean()
    other = sims[groups[:, None] != groups[None, :]].mean()
    assert same > other + 0.2
    assert first.epoch_loss[-1] < first.epoch_loss[0]


def test_batch_size_defaults_per_model():
    assert NegativeSamplingConfig(sg=True).batch_size == negative_sampling.SKIPGRAM_BATCH
    assert NegativeSamplingConfig(sg=False).batch_size == negative_sampling.CBOW_BATCH
    assert NegativeSamplingConfig(sg=False, batch_size=64).batch_size == 64


def test_negative_sampling_rejects_an_unknown_cbow_gradient():
    with pytest.raises(ValueError, match="cbow_gradient"):
        negative_sampling.train_negative_sampling(
            [["a"]], NegativeSamplingConfig(cbow_gradient="mean"), min_count=1
        )


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
