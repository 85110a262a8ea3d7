"""The raw-tensor model and the nn.Module model are the same model."""

import math

import pytest
import torch

from ngram_helpers.evaluate import evaluate
from ngram_helpers.models import MLP, MLPRaw, ModelConfig, current_name_only
from ngram_helpers.rng import RNG


def test_raw_and_module_give_identical_logits_and_loss(names_data):
    config = ModelConfig()
    raw, module = MLPRaw(config, RNG(1337)), MLP(config, RNG(1337))
    idx = torch.randint(0, 27, (64, 3), generator=torch.Generator().manual_seed(0))
    targets = torch.randint(0, 27, (64,), generator=torch.Generator().manual_seed(1))
    logits_raw, loss_raw = raw(idx, targets)
    logits_mod, loss_mod = module(idx, targets)
    assert torch.equal(logits_raw, logits_mod)
    assert torch.equal(loss_raw, loss_mod)


def test_raw_and_module_gradients_agree():
    config = ModelConfig(context_length=2, embedding_size=4, hidden_size=8)
    raw, module = MLPRaw(config, RNG(5)), MLP(config, RNG(5))
    idx, targets = torch.tensor([[0, 1], [2, 3]]), torch.tensor([4, 5])
    raw(idx, targets)[1].backward()
    module(idx, targets)[1].backward()
    assert torch.allclose(raw.wte.grad, module.wte.weight.grad, atol=1e-7)
    assert torch.allclose(raw.fc1_weights.grad, module.mlp[0].weight.grad.T, atol=1e-7)
    assert torch.allclose(raw.fc1_bias.grad, module.mlp[0].bias.grad, atol=1e-7)
    assert torch.allclose(raw.fc2_weights.grad, module.mlp[2].weight.grad.T, atol=1e-7)
    assert torch.allclose(raw.fc2_bias.grad, module.mlp[2].bias.grad, atol=1e-7)


def test_parameter_count_formula():
    config = ModelConfig()
    model = MLP(config)
    assert sum(p.numel() for p in model.parameters()) == config.num_parameters() == 89_387
    deep = ModelConfig(hidden_layers=3)
    assert sum(p.numel() for p in MLP(deep).parameters()) == deep.num_parameters()
    assert deep.num_parameters() == 89_387 + 2 * (512 * 512 + 512)


def test_deeper_model_starts_like_the_lesson_and_raw_refuses_it():
    lesson, deep = MLP(ModelConfig(), RNG(1337)), MLP(ModelConfig(hidden_layers=2), RNG(1337))
    assert torch.equal(lesson.wte.weight, deep.wte.weight)
    assert torch.equal(lesson.mlp[0].weight, deep.mlp[0].weight)
    assert deep.mlp[2].weight.shape == (512, 512) and deep.mlp[-1].weight.shape == (27, 512)
    with pytest.raises(ValueError, match="hidden_layers=2"):
        MLPRaw(ModelConfig(hidden_layers=2), RNG(1337))


def test_initial_loss_is_near_uniform(names_data):
    model = MLP(ModelConfig(), RNG(1337))
    loss = evaluate(model, names_data.tokens["val"])
    assert abs(loss - math.log(27)) < 0.1


def test_current_name_only_hides_the_previous_name():
    idx = torch.tensor([[1, 2, 0], [1, 0, 3], [0, 5, 6], [4, 5, 6], [3, 0, 0]])
    expected = torch.tensor([[0, 0, 0], [0, 0, 3], [0, 5, 6], [4, 5, 6], [0, 0, 0]])
    assert torch.equal(current_name_only(idx, end_token=0), expected)
    shifted = torch.where(idx == 0, 9, idx)  # the same contexts with the end token as id 9
    assert torch.equal(
        current_name_only(shifted, end_token=9), torch.where(expected == 0, 9, expected)
    )
    config = ModelConfig(current_name_only=True)
    model = MLP(config, RNG(1337))
    same_start = torch.tensor([[7, 8, 0], [2, 1, 0]])  # two different previous names
    logits, _ = model(same_start)
    assert torch.equal(logits[0], logits[1])
    with pytest.raises(ValueError, match="current_name_only=True"):
        MLPRaw(config, RNG(1337))


def test_dropout_is_a_layer_after_every_tanh_and_eval_switches_it_off():
    config = ModelConfig(hidden_layers=2, dropout=0.3)
    model = MLP(config, RNG(1337))
    kinds = [type(layer).__name__ for layer in model.mlp]
    assert kinds == ["Linear", "Tanh", "Dropout", "Linear", "Tanh", "Dropout", "Linear"]
    idx = torch.randint(0, 27, (16, 3), generator=torch.Generator().manual_seed(0))
    model.eval()
    same = MLP(ModelConfig(hidden_layers=2), RNG(1337))  # dropout off: the same function
    assert torch.equal(model(idx)[0], same(idx)[0])
    model.train()
    assert not torch.equal(model(idx)[0], same(idx)[0])
    with pytest.raises(ValueError, match="dropout=0.3"):
        MLPRaw(ModelConfig(dropout=0.3), RNG(1337))
