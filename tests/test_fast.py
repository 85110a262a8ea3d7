"""The fast formulation (ngram_helpers.fast) computes what the plain MLP computes."""

import re
from dataclasses import replace

import pytest
import torch

from ngram_helpers.data import load_names
from ngram_helpers.fast import (
    AutogradStep,
    FastStep,
    FlatAdamW,
    SplitEvaluator,
    fast_logits,
    fast_loss,
    flatten_parameters,
    gradient_step,
    sigmoid_tanh,
)
from ngram_helpers.models import MLP, ModelConfig
from ngram_helpers.rng import RNG
from ngram_helpers.train import TrainConfig, evaluate, train

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
    with pytest.raises(ValueError, match="one hidden layer, not 3"):
        FastStep(model)
    step = gradient_step(model)
    assert isinstance(step, AutogradStep) and isinstance(gradient_step(MLP(config)), FastStep)
    loss.backward()
    step(idx, targets)
    for (name, p), q in zip(plain.named_parameters(), model.parameters(), strict=True):
        assert torch.allclose(q.grad, p.grad, rtol=0, atol=1e-5 * p.grad.abs().max()), name


def test_dropout_zeroes_hidden_units_in_training_steps_only():
    config = ModelConfig(vocab_size=11, context_length=4, embedding_size=5, hidden_size=64)
    model = MLP(replace(config, hidden_layers=2), RNG(5))
    idx, targets = batch(config, 32)
    torch.manual_seed(0)
    with_dropout = fast_logits(model, idx, dropout=0.5)
    assert not torch.allclose(with_dropout, model(idx)[0])  # units dropped
    assert torch.allclose(fast_logits(model, idx), model(idx)[0], rtol=0, atol=1e-6)  # none
    step = gradient_step(MLP(config), dropout=0.1)  # FastStep has no dropout: autograd does it
    assert isinstance(step, AutogradStep) and step.dropout == 0.1


def test_training_with_dropout_is_repeatable_and_leaves_torchs_generator_alone(names_data):
    config = TrainConfig(num_steps=20, eval_every=10, dropout=0.2)
    runs = []
    for _ in range(2):
        model = MLP(ModelConfig(hidden_size=32), RNG(1))  # nn.Linear's own init draws from torch
        state = torch.random.get_rng_state()
        runs.append(train(model, names_data, config, progress=False).val_loss)
        assert torch.equal(torch.random.get_rng_state(), state)
    assert runs[0] == runs[1]


@pytest.mark.parametrize("dropout", [-0.1, 1.0])
def test_dropout_outside_zero_to_one_is_refused(dropout):
    with pytest.raises(ValueError, match=f"dropout must be at least 0 and below 1, got {dropout}"):
        TrainConfig(dropout=dropout)


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


def test_flat_adamw_is_torch_adamw_bit_for_bit():
    gen = torch.Generator().manual_seed(0)
    start = torch.randn(1000, generator=gen)
    ours, theirs = torch.nn.Parameter(start.clone()), torch.nn.Parameter(start.clone())
    flat_adamw = FlatAdamW(ours, lr=7e-4, weight_decay=1e-4)
    adamw = torch.optim.AdamW([theirs], lr=7e-4, weight_decay=1e-4, fused=True)
    for step in range(5):
        grad = torch.randn(1000, generator=gen)
        ours.grad, theirs.grad = grad.clone(), grad.clone()
        lr = 7e-4 / (step + 1)
        flat_adamw.lr = lr
        adamw.param_groups[0]["lr"] = lr
        flat_adamw.step()
        adamw.step()
        assert torch.equal(ours, theirs)


def test_split_evaluator_equals_the_plain_evaluation():
    config = CONFIGS[1]
    model = MLP(config, RNG(7))
    tokens = [int(t) for t in torch.randint(0, config.vocab_size, (3000,))]
    for max_batches in (None, 5):
        fast = SplitEvaluator(tokens, config.context_length, 32, max_batches)(model)
        plain = evaluate(model, tokens, config.context_length, 32, max_batches)
        assert fast == pytest.approx(plain, abs=1e-6)


class _Enough(Exception):
    """Raised from the evaluation callback to stop a 50,000-step run early."""


STEP = re.compile(r"step +(\d+) \| train_loss ([\d.]+) \| val_loss ([\d.]+) \| lr (\S+) \|")


@pytest.fixture
def one_thread():
    """Run on one torch thread: steadier when other programs share the cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_first_steps_reprint_the_reference_log(reference_dir, one_thread):
    data = load_names(reference_dir / "names-makemore-2018")
    expected = STEP.findall((reference_dir / "seed-run.log").read_text())[:3]  # steps 0..400
    model = MLP(ModelConfig(vocab_size=data.tokenizer.vocab_size), RNG(1337))
    lines = []

    def collect(line: str) -> None:
        lines.append(STEP.match(line).groups())
        if len(lines) == len(expected):
            raise _Enough

    with pytest.raises(_Enough):
        train(model, data, TrainConfig(), progress=False, on_eval=collect)
    for (step, tr, va, lr), (rstep, rtr, rva, rlr) in zip(lines, expected, strict=True):
        assert (step, lr) == (rstep, rlr)
        assert float(tr) == pytest.approx(float(rtr), abs=2e-6), step
        assert float(va) == pytest.approx(float(rva), abs=2e-6), step
