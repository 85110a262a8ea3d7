"""The compiled word2vec trainer computes what the readable one does, to float32 rounding."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ngram_helpers import fast_word2vec, negative_sampling
from ngram_helpers.negative_sampling import NegativeSamplingConfig
from tests.test_negative_sampling import topic_corpus


def test_the_compiled_batch_step_matches_the_readable_step():
    gen = torch.Generator().manual_seed(0)
    w_out = torch.randn(10, 4, generator=gen)
    h = torch.randn(3, 4, generator=gen)
    targets = torch.tensor([1, 2, 3])
    negatives = torch.tensor([[4, 5], [6, 2], [7, 7]], dtype=torch.int32)  # 2 in row 2: skipped
    outputs, sign = negative_sampling.output_words(targets, negatives)
    plain_out, fast_out = w_out.clone(), w_out.clone()
    step, loss = negative_sampling.negative_sampling_step(plain_out, h, outputs, sign, 0.1)
    error, fast_step = np.empty((3, 3), np.float32), np.empty((3, 4), np.float32)
    batch = (targets.numpy(), negatives.numpy(), 0, 3)
    fast_loss = fast_word2vec.score_batch(
        error, fast_step, h.numpy(), fast_out.numpy(), *batch, np.float32(0.1)
    )
    fast_word2vec.update_outputs(fast_out.numpy(), error, h.numpy(), *batch)
    assert fast_loss == pytest.approx(loss.item(), rel=1e-6)
    assert np.allclose(fast_step, step.numpy(), atol=1e-7)
    assert torch.allclose(fast_out, plain_out, atol=1e-7)


@pytest.mark.usefixtures("one_thread")
@pytest.mark.parametrize("sg, gradient", [(True, "gensim"), (False, "gensim"), (False, "exact")])
def test_fast_training_gives_the_readable_models_vectors(sg, gradient):
    config = NegativeSamplingConfig(
        sg=sg, vector_size=16, epochs=2, batch_size=64, cbow_gradient=gradient
    )
    sentences = topic_corpus()
    plain = negative_sampling.train_negative_sampling(sentences, config, min_count=1)
    fast = fast_word2vec.train_negative_sampling_fast(sentences, config, min_count=1)
    assert torch.allclose(fast.w_in, plain.w_in, atol=1e-5)
    assert torch.allclose(fast.w_out, plain.w_out, atol=1e-5)
    assert fast.epoch_loss == pytest.approx(plain.epoch_loss, rel=1e-5)


def test_fast_training_rejects_an_unknown_cbow_gradient():
    with pytest.raises(ValueError, match="cbow_gradient"):
        fast_word2vec.train_negative_sampling_fast(
            [["a"]], NegativeSamplingConfig(cbow_gradient="mean"), min_count=1
        )
