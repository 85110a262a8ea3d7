"""The context probe: how far each position's replacements move the next-character distribution."""

import pytest
import torch

from ngram_helpers.context_probe import context_probe, encode_context
from ngram_helpers.models import MLP, ModelConfig
from ngram_helpers.rng import RNG


@pytest.fixture(scope="module")
def model():
    return MLP(ModelConfig(embedding_size=8, hidden_size=32), RNG(1337)).eval()


def test_context_probe_grid(model, names_data):
    tokenizer = names_data.tokenizer
    distances = context_probe(model, tokenizer, ".em")
    assert distances.shape == (3, 27)
    assert distances.min() >= 0 and distances.max() <= 1
    own = encode_context(tokenizer, ".em", 3)
    assert distances[torch.arange(3), own].abs().max() < 1e-6  # replacing a char by itself


def test_context_probe_rejects_bad_contexts(model, names_data):
    with pytest.raises(ValueError, match="3 characters"):
        context_probe(model, names_data.tokenizer, "emma")
    with pytest.raises(ValueError, match="'1'"):
        context_probe(model, names_data.tokenizer, "e1m")


def test_a_model_left_in_training_mode_is_probed_as_in_evaluation_mode(names_data):
    model = MLP(ModelConfig(embedding_size=8, hidden_size=32, dropout=0.5), RNG(1337)).eval()
    expected = context_probe(model, names_data.tokenizer, ".em")
    model.train()
    assert torch.equal(context_probe(model, names_data.tokenizer, ".em"), expected)
    assert model.training  # its mode given back
