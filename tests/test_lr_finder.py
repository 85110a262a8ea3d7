"""The learning-rate finder: one step per rate, the loss before each, a stop once it blows up."""

import copy

import pytest
import torch

from ngram_helpers.data import NgramTable
from ngram_helpers.lr_finder import lr_range_test
from ngram_helpers.models import MLP
from ngram_helpers.rng import RNG
from ngram_helpers.train import model_config_for


@pytest.fixture
def tiny_model(names_data):
    return MLP(model_config_for(names_data, embedding_size=4, hidden_size=16), RNG(1337))


def test_the_first_loss_is_the_initial_models_on_the_first_batch(names_data, tiny_model):
    initial = copy.deepcopy(tiny_model)
    losses = lr_range_test(tiny_model, names_data, [1e-4] * 5, batch_size=32)
    inputs, targets = NgramTable(names_data.tokens["train"], 3).batch(0, 32)
    with torch.no_grad():
        assert losses[0] == pytest.approx(initial(inputs, targets)[1].item(), abs=1e-6)
    assert len(losses) == 5  # small steps: no stop, one loss per rate
    assert not torch.equal(tiny_model.mlp[0].weight, initial.mlp[0].weight)  # trained in place


def test_the_sweep_stops_once_the_loss_exceeds_four_times_its_lowest(names_data, tiny_model):
    lrs = [1e-4 * 10 ** (k / 4) for k in range(41)]  # 1e-4 up to 1e6
    losses = lr_range_test(tiny_model, names_data, lrs, batch_size=32)
    assert len(losses) < len(lrs)  # stopped early
    assert losses[-1] > 4 * min(losses)  # at the first loss past the line
    assert all(loss <= 4 * min(losses[: k + 1]) for k, loss in enumerate(losses[:-1]))
