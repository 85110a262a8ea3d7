"""Sampling: the reference rule, determinism, and its knobs at their extremes."""

import pytest
import torch

from ngram_helpers.data import Tokenizer
from ngram_helpers.models import MLP, ModelConfig
from ngram_helpers.rng import RNG
from ngram_helpers.sample import (
    MAX_NAME_LENGTH,
    continue_text,
    cumulative,
    draw,
    next_char_probs,
    sample_names,
    start_context,
)

TOKENIZER = Tokenizer("\nabcdefghijklmnopqrstuvwxyz")


@pytest.fixture(scope="module")
def model():
    return MLP(ModelConfig(), RNG(1337)).eval()


def test_draw_walks_the_cumulative_sum():
    cdf = cumulative(torch.tensor([0.25, 0.5, 0.25]))
    assert [draw(cdf, c) for c in (0.0, 0.24, 0.25, 0.74, 0.75, 0.999)] == [0, 0, 1, 1, 2, 2]
    assert draw(cumulative(torch.tensor([0.5, 0.4999])), 0.99995) == 1  # falls back to the last


def test_same_seed_same_names(model):
    a = sample_names(model, TOKENIZER, 5, seed=3)
    assert a == sample_names(model, TOKENIZER, 5, seed=3)
    assert a != sample_names(model, TOKENIZER, 5, seed=4)


def test_prefix_is_kept_and_padded_with_end_tokens(model):
    assert start_context(TOKENIZER, "", 3) == [0, 0, 0]
    assert start_context(TOKENIZER, "ab", 3) == [0, 1, 2]
    assert start_context(TOKENIZER, "abcd", 3) == [2, 3, 4]
    assert all(n.startswith("jo") for n in sample_names(model, TOKENIZER, 5, prefix="jo"))


def test_unknown_prefix_character_is_named(model):
    with pytest.raises(ValueError, match="'7'"):
        sample_names(model, TOKENIZER, 1, prefix="a7")


def test_greedy_is_deterministic_and_bounded(model):
    names = sample_names(model, TOKENIZER, 3, seed=1, temperature=0)
    assert len(set(names)) == 1 and len(names[0]) <= MAX_NAME_LENGTH
    probs = next_char_probs(model, [0, 0, 0], temperature=0)
    assert probs.sum() == 1 and probs.max() == 1


def test_top_k_one_equals_greedy_and_top_k_limits_support(model):
    assert sample_names(model, TOKENIZER, 3, top_k=1) == sample_names(
        model, TOKENIZER, 3, temperature=0
    )
    probs = next_char_probs(model, [0, 0, 0], top_k=5)
    assert int((probs > 0).sum()) == 5 and probs.sum().item() == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"temperature": -0.1}, "temperature"), ({"top_k": 0}, "top_k"), ({"top_k": 28}, "top_k")],
)
def test_bad_knobs_are_refused(model, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sample_names(model, TOKENIZER, 1, **kwargs)


def test_high_temperature_flattens(model):
    cold = next_char_probs(model, [0, 0, 0], temperature=0.5)
    hot = next_char_probs(model, [0, 0, 0], temperature=2.0)
    assert hot.max() < cold.max()


def test_continue_text_starts_with_prompt(model):
    text = continue_text(model, TOKENIZER, "\nrichard", 20, RNG(42))
    assert text.startswith("\nrichard") and len(text) == len("\nrichard") + 20
