"""Mixing models (ngram_helpers.mixture): the weights that fit the targets best."""

import pytest
import torch

from ngram_helpers.mixture import mixture_loss, mixture_weights


def test_mixture_weights_fit_the_targets():
    gen = torch.Generator().manual_seed(0)
    good, poor = torch.rand(500, generator=gen) * 0.5 + 0.5, torch.rand(500, generator=gen) * 0.1
    probs = torch.stack([good, poor]).double()
    weights = mixture_weights(probs)
    assert weights.sum().item() == pytest.approx(1.0) and weights[0] > 0.9
    best = mixture_loss(weights, probs)
    for w in (0.5, 0.8, 0.99, 1.0):  # no other weighting fits better
        assert best <= mixture_loss(torch.tensor([w, 1 - w], dtype=torch.float64), probs) + 1e-12
