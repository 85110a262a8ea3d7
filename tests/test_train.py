"""Training: the plain engine trains the model's own forward; both engines reprint the log."""

from dataclasses import replace

import pytest
import torch

from ngram_helpers.data import load_names
from ngram_helpers.models import MLP, ModelConfig
from ngram_helpers.rng import RNG
from ngram_helpers.train import TrainConfig, build_model, model_config_for, train
from tests.conftest import LESSON, LESSON_LOG, STEP

SHORT = TrainConfig(num_steps=20, eval_every=10)


class Silent(MLP):
    """An MLP whose forward a learner changed: every logit multiplied by 0."""

    def forward(self, idx, targets=None):
        logits, _ = super().forward(idx)
        logits = logits * 0
        loss = None if targets is None else torch.nn.functional.cross_entropy(logits, targets)
        return logits, loss


def test_a_change_to_forward_changes_training_and_evaluation(names_data):
    config = ModelConfig(hidden_size=32)
    normal = train(MLP(config, RNG(1)), names_data, SHORT, progress=False)
    silent = train(Silent(config, RNG(1)), names_data, SHORT, progress=False)
    uniform = torch.log(torch.tensor(27.0)).item()
    assert silent.val_loss == pytest.approx([uniform] * 3, abs=1e-6)  # evaluation: forward
    assert normal.val_loss[-1] < normal.val_loss[0]  # training: forward and backward
    assert normal.val_loss[0] != pytest.approx(uniform, abs=1e-3)


def test_training_with_dropout_is_repeatable_and_leaves_torchs_generator_alone(names_data):
    config = ModelConfig(hidden_size=32, dropout=0.2)
    runs = []
    for engine in ("plain", "fast", "plain"):
        model = MLP(config, RNG(1))
        state = torch.random.get_rng_state()
        runs.append(train(model, names_data, SHORT, engine=engine, progress=False).val_loss)
        assert torch.equal(torch.random.get_rng_state(), state)
        assert not model.training  # handed back in evaluation mode: dropout off
    assert runs[0] == runs[2]
    assert runs[0] == pytest.approx(runs[1], abs=2e-6)  # the same masks in both engines
    no_dropout = train(MLP(replace(config, dropout=0.0), RNG(1)), names_data, SHORT, progress=False)
    assert no_dropout.val_loss[-1] != runs[0][-1]


@pytest.mark.parametrize("dropout", [-0.1, 1.0])
def test_dropout_outside_zero_to_one_is_refused(dropout):
    with pytest.raises(ValueError, match=f"dropout must be at least 0 and below 1, got {dropout}"):
        ModelConfig(dropout=dropout)


def test_an_unknown_engine_is_refused(names_data):
    with pytest.raises(ValueError, match="engine must be one of plain, fast, got 'quick'"):
        train(MLP(ModelConfig(hidden_size=8)), names_data, SHORT, engine="quick")


def test_the_end_token_comes_from_the_tokenizer(names_data):
    config = model_config_for(names_data, hidden_size=8)
    assert config.end_token == names_data.tokenizer.end_token
    with pytest.raises(ValueError, match="end_token 5 != the tokenizer's end-of-name id 0"):
        build_model(names_data, replace(config, end_token=5), SHORT)


class _Enough(Exception):
    """Raised from the evaluation callback to stop a 50,000-step run early."""


@pytest.mark.parametrize("engine", ["plain", "fast"])
def test_first_steps_reprint_the_reference_log(one_thread, engine):
    data = load_names(LESSON)
    expected = STEP.findall(LESSON_LOG.read_text())[:3]  # steps 0..400
    model = build_model(data, model_config_for(data), TrainConfig())
    lines = []

    def collect(line: str) -> None:
        lines.append(STEP.match(line).groups())
        if len(lines) == len(expected):
            raise _Enough

    with pytest.raises(_Enough):
        train(model, data, TrainConfig(), engine=engine, progress=False, on_eval=collect)
    for (step, tr, va, lr), (rstep, rtr, rva, rlr) in zip(lines, expected, strict=True):
        assert (step, lr) == (rstep, rlr)
        assert float(tr) == pytest.approx(float(rtr), abs=2e-6), step
        assert float(va) == pytest.approx(float(rva), abs=2e-6), step


class RecordingBar:
    """A stand-in for tqdm that records whether it was closed."""

    def __init__(self) -> None:
        self.closed = False

    def set_postfix(self, **values) -> None:
        pass

    def update(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("engine", ["plain", "fast"])
def test_an_interrupted_run_closes_its_bar_and_hands_back_evaluation_mode(
    names_data, monkeypatch, engine
):
    bar = RecordingBar()
    monkeypatch.setattr("ngram_helpers.train.tqdm", lambda **settings: bar)
    model = MLP(ModelConfig(hidden_size=8, dropout=0.2), RNG(1))
    calls = []

    def interrupt_on_step_3(line: str) -> None:
        calls.append(line)
        if len(calls) == 3:  # logged before steps 0, 1 and 2; then Ctrl-C
            raise KeyboardInterrupt

    config = TrainConfig(num_steps=10, eval_every=1, train_eval_batches=1)
    with pytest.raises(KeyboardInterrupt):
        train(model, names_data, config, engine=engine, on_eval=interrupt_on_step_3)
    assert len(calls) == 3 and STEP.match(calls[-1]).group(1) == "2"
    assert bar.closed
    assert not model.training
