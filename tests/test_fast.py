"""The fast engine (ngram_helpers.fast) computes what the plain engine computes."""

from dataclasses import replace

import pytest
import torch

from ngram_helpers.fast import (
    AutogradStep,
    FastEngine,
    FastStep,
    fast_logits,
    fast_loss,
    flatten_parameters,
    gradient_step,
    sigmoid_tanh,
)
from ngram_helpers.models import MLP, ModelConfig
from ngram_helpers.rng import RNG
from ngram_helpers.train import TrainConfig, train

CONFIGS = [
    ModelConfig(),
    ModelConfig(vocab_size=11, context_length=4, embedding_size=5, hidden_size=16),
    ModelConfig(vocab_size=11, context_length=4, embedding_size=5, current_name_only=True),
]


def batch(config: ModelConfig, size: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    idx = torch.randint(0, config.vocab_size, (size, config.context_length), generator=gen)
    return idx, torch.randint(0, config.vocab_size, (size,), generator=gen)


def test_sigmoid_tanh_is_tanh():
    x = torch.linspace(-12, 12, 100_001)
    assert torch.allclose(sigmoid_tanh(x), torch.tanh(x), rtol=0, atol=2e-7)


@pytest.mark.parametrize("config", CONFIGS)
def test_fast_logits_and_loss_equal_the_plain_model(config):
    model = MLP(config, RNG(1337))
    idx, targets = batch(config, 64)
    logits, loss = model(idx, targets)
    assert torch.allclose(fast_logits(model, idx), logits, rtol=0, atol=1e-6)
    fast = fast_loss(model, idx, targets)
    assert fast.item() == pytest.approx(loss.item(), abs=1e-6)
    plain_grads = torch.autograd.grad(loss, list(model.parameters()))
    fast_grads = torch.autograd.grad(fast, list(model.parameters()))  # autograd through tables
    for plain_grad, fast_grad in zip(plain_grads, fast_grads, strict=True):
        assert torch.allclose(fast_grad, plain_grad, rtol=0, atol=1e-5 * plain_grad.abs().max())


@pytest.mark.parametrize("config", CONFIGS)
def test_fast_step_gradients_equal_autograd(config):
    plain, fast = MLP(config, RNG(1337)), MLP(config, RNG(1337))
    idx, targets = batch(config, 128)
    plain(idx, targets)[1].backward()
    step = FastStep(fast)
    step(*batch(config, 128, seed=1))  # a first batch: the second must overwrite, not add
    step(idx, targets)
    for (name, p), q in zip(plain.named_parameters(), fast.parameters(), strict=True):
        scale = p.grad.abs().max().item()
        assert torch.allclose(q.grad, p.grad, rtol=0, atol=1e-5 * scale), name


def test_deeper_model_trains_through_autograd_step():
    config = ModelConfig(vocab_size=11, context_length=4, embedding_size=5, hidden_size=16)
    deep = replace(config, hidden_layers=3)
    model, plain = MLP(deep, RNG(5)), MLP(deep, RNG(5))
    idx, targets = batch(deep, 64)
    logits, loss = plain(idx, targets)
    assert torch.allclose(fast_logits(model, idx), logits, rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="hidden_layers=3"):
        FastStep(model)
    step = gradient_step(model)
    assert isinstance(step, AutogradStep) and isinstance(gradient_step(MLP(config)), FastStep)
    loss.backward()
    step(idx, targets)
    for (name, p), q in zip(plain.named_parameters(), model.parameters(), strict=True):
        assert torch.allclose(q.grad, p.grad, rtol=0, atol=1e-5 * p.grad.abs().max()), name


def test_dropout_layers_run_inside_fast_logits_in_training_mode_only():
    config = ModelConfig(vocab_size=11, context_length=4, embedding_size=5, hidden_size=64)
    model = MLP(replace(config, hidden_layers=2, dropout=0.5), RNG(5))
    idx, _ = batch(config, 32)
    model.train()
    torch.manual_seed(0)
    plain = model(idx)[0]
    torch.manual_seed(0)
    assert torch.allclose(fast_logits(model, idx), plain, rtol=0, atol=1e-6)  # the same masks
    model.eval()
    assert not torch.allclose(fast_logits(model, idx), plain)  # no units dropped
    assert torch.allclose(fast_logits(model, idx), model(idx)[0], rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="dropout=0.5"):
        FastStep(model)
    assert isinstance(gradient_step(model), AutogradStep)


@pytest.mark.parametrize(
    "settings", [{}, {"hidden_layers": 2, "dropout": 0.1, "current_name_only": True}]
)
def test_both_engines_train_to_the_same_numbers(names_data, one_thread, settings):
    config = ModelConfig(hidden_size=64, **settings)
    histories = []
    for engine in ("plain", "fast"):
        model = MLP(config, RNG(3))
        run = TrainConfig(num_steps=120, eval_every=40)
        histories.append(train(model, names_data, run, engine=engine, progress=False))
    plain, fast = histories
    assert plain.step == fast.step and plain.lr == fast.lr
    assert plain.val_loss == pytest.approx(fast.val_loss, abs=2e-6)
    assert plain.train_loss == pytest.approx(fast.train_loss, abs=2e-6)


def test_flattened_parameters_are_views_of_one_buffer():
    config = CONFIGS[1]
    model, twin = MLP(config, RNG(3)), MLP(config, RNG(3))
    flat = flatten_parameters(model)
    assert flat.numel() == sum(p.numel() for p in model.parameters())
    for p, q in zip(model.parameters(), twin.parameters(), strict=True):
        assert torch.equal(p, q)  # values kept
        assert p.data_ptr() >= flat.data_ptr() and p.grad.data_ptr() >= flat.grad.data_ptr()
    with torch.no_grad():
        flat.add_(1.0)
        flat.grad.fill_(2.0)
    for p, q in zip(model.parameters(), twin.parameters(), strict=True):
        assert torch.equal(p, q + 1.0) and torch.equal(p.grad, torch.full_like(p, 2.0))


def test_the_fast_engines_update_is_torch_adamw_bit_for_bit():
    config = CONFIGS[1]
    model, twin = MLP(config, RNG(3)), MLP(config, RNG(3))
    engine = FastEngine(model, weight_decay=1e-4)
    optimizer = torch.optim.AdamW(twin.parameters(), lr=7e-4, weight_decay=1e-4, fused=True)
    for step in range(5):
        idx, targets = batch(config, 64, seed=step)
        lr = 7e-4 / (step + 1)
        engine(idx, targets, lr)
        for group in optimizer.param_groups:
            group["lr"] = lr
        twin(idx, targets)[1].backward()
        for p, q in zip(model.parameters(), twin.parameters(), strict=True):
            q.grad.copy_(p.grad)  # the same gradients: only the update is compared
        optimizer.step()
        optimizer.zero_grad()
        for p, q in zip(model.parameters(), twin.parameters(), strict=True):
            assert torch.equal(p, q), step
