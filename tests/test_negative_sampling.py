"""Word2vec as trained in practice: subsampling, noise words, negative sampling."""

from __future__ import annotations

import math

import pytest
import torch

from ngram_helpers import negative_sampling
from ngram_helpers.negative_sampling import NegativeSamplingConfig


def topic_corpus(seed: int = 0) -> list[list[str]]:
    """Sentences drawn from two disjoint word groups: a model should keep the groups apart."""
    gen = torch.Generator().manual_seed(seed)
    groups = [[f"a{i}" for i in range(40)], [f"b{i}" for i in range(40)]]
    sentences = []
    for n in range(300):
        group = groups[n % 2]
        sentences.append([group[i] for i in torch.randint(0, 40, (30,), generator=gen).tolist()])
    return sentences


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
