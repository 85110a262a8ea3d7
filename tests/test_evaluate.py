"""The evaluation: the plain walk and the cached one give the lesson's number, in eval mode."""

import pytest
import torch

from ngram_helpers.data import NgramTable
from ngram_helpers.evaluate import (
    SplitEvaluator,
    eval_batch_count,
    eval_mode,
    evaluate,
    evaluation_examples,
    split_loss,
)
from ngram_helpers.models import MLP, MLPRaw, ModelConfig
from ngram_helpers.rng import RNG

SMALL = ModelConfig(vocab_size=11, context_length=4, embedding_size=5, hidden_size=16)


def test_split_evaluator_equals_the_plain_evaluation():
    model = MLP(SMALL, RNG(7))
    tokens = [int(t) for t in torch.randint(0, SMALL.vocab_size, (3000,))]
    for max_batches in (None, 5):
        cached = SplitEvaluator(tokens, SMALL.context_length, 32, max_batches)(model)
        plain = evaluate(model, tokens, 32, max_batches)
        assert cached == pytest.approx(plain, abs=1e-6)


@pytest.mark.parametrize("num_tokens", [258, 3000])  # 258: the last 2 examples wrap to the start
def test_evaluation_tabulates_only_the_tokens_it_reads(num_tokens):
    tokens = [int(t) for t in torch.randint(0, 11, (num_tokens,))]
    count = eval_batch_count(num_tokens, 64, 5) * 64
    whole_x, whole_y = NgramTable(tokens, 4).examples(0, count)
    contexts, targets = evaluation_examples(tokens, 4, 64, 5)
    assert torch.equal(contexts, whole_x) and torch.equal(targets, whole_y)


def test_the_lessons_raw_model_is_scored_the_same(names_data):
    config = ModelConfig()
    raw, module = MLPRaw(config, RNG(1337)), MLP(config, RNG(1337))
    tokens = names_data.tokens["val"]
    assert evaluate(raw, tokens) == evaluate(module, tokens)
    assert split_loss(module, names_data, "val") == pytest.approx(evaluate(raw, tokens), abs=1e-6)


def test_evaluation_switches_dropout_off_and_restores_the_mode():
    model = MLP(ModelConfig(vocab_size=11, context_length=4, dropout=0.5), RNG(2))
    tokens = [int(t) for t in torch.randint(0, 11, (600,), generator=torch.Generator())]
    evaluator = SplitEvaluator(tokens, 4, 32, None)
    model.train()
    first, second = evaluator(model), evaluator(model)
    assert first == second and model.training  # no units dropped, training mode given back
    with eval_mode(model):
        assert not model.training
        assert evaluate(model, tokens, 32) == pytest.approx(first, abs=1e-6)
    assert model.training


def test_a_split_shorter_than_one_batch_is_refused():
    with pytest.raises(ValueError, match="not one batch of 128"):
        SplitEvaluator([1, 2, 3, 4, 5, 6], 3, 128, None)
