"""Sampling: the reference rule, determinism, and its knobs at their extremes."""

from functools import partial

import pytest
import torch

from ngram_helpers.data import Tokenizer
from ngram_helpers.models import MLP, MLPRaw, ModelConfig
from ngram_helpers.rng import RNG
from ngram_helpers.sample import (
    MAX_NAME_LENGTH,
    LogitTable,
    continue_text,
    cumulative,
    draw,
    iter_draw_names,
    iter_sample_names,
    name_origins,
    next_char_probs,
    origin_shares,
    sample_from_table,
    sample_names,
    start_context,
    tempered_probs,
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


# --- the lookup table behind the sampler widget (notebook 04), and where names come from ---


@pytest.fixture(scope="module")
def small_model():
    """A small untrained model: its names are random, which is all these tests need."""
    return MLP(ModelConfig(embedding_size=8, hidden_size=32), RNG(1337)).eval()


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"temperature": 0.5, "seed": 3},
        {"temperature": 0.0, "prefix": "ka"},
        {"top_k": 5, "prefix": "m"},
        {"temperature": 1.7, "top_k": 27, "seed": 99},
    ],
)
def test_table_sampler_draws_the_same_names_as_sample_names(small_model, names_data, settings):
    table = LogitTable(small_model)
    tokenizer = names_data.tokenizer
    expected = sample_names(small_model, tokenizer, 12, **settings)
    assert sample_from_table(table, tokenizer, 12, **settings) == expected


@pytest.mark.parametrize("temperature, top_k", [(1.0, None), (0.3, None), (0.0, 4), (1.4, 10)])
def test_tempered_probs_follows_next_char_probs(small_model, temperature, top_k):
    table = LogitTable(small_model)
    context = [0, 5, 13]
    row = table.logits[table.row(context)][None]
    expected = next_char_probs(small_model, context, temperature, top_k)
    assert torch.allclose(tempered_probs(row, temperature, top_k)[0], expected, atol=1e-6)


def test_name_origins_and_shares(names_data):
    train_name = names_data.names("train")[0]
    val_only = next(n for n in names_data.names("val") if n not in set(names_data.names("train")))
    origins = name_origins([train_name, val_only, "zzqxq"], names_data)
    assert origins == ["train", "val-test", "new"]
    assert origin_shares(origins) == pytest.approx(
        {"train": 1 / 3, "val-test": 1 / 3, "new": 1 / 3}
    )
    assert origin_shares([]) == {"train": 0.0, "val-test": 0.0, "new": 0.0}


# --- evaluation mode: dropout off while sampling, the model's mode given back ---


def test_a_model_left_in_training_mode_samples_as_in_evaluation_mode(names_data):
    model = MLP(ModelConfig(embedding_size=8, hidden_size=32, dropout=0.5), RNG(1337)).eval()
    context, tokenizer = [0, 5, 13], names_data.tokenizer
    probs, table = next_char_probs(model, context), LogitTable(model).logits
    names = sample_names(model, tokenizer, 5)
    model.train()
    with torch.no_grad():  # called directly, the model does drop units
        assert not torch.equal(torch.softmax(model(torch.tensor([context]))[0][0], -1), probs)
    assert torch.equal(next_char_probs(model, context), probs) and model.training
    assert torch.equal(LogitTable(model).logits, table) and model.training
    assert sample_names(model, tokenizer, 5) == names and model.training


def test_the_lessons_raw_model_samples_as_the_module_does():
    config = ModelConfig(embedding_size=8, hidden_size=32)
    raw, module = MLPRaw(config, RNG(1337)), MLP(config, RNG(1337))
    assert torch.allclose(next_char_probs(raw, [0, 5, 13]), next_char_probs(module, [0, 5, 13]))
    assert sample_names(raw, TOKENIZER, 5) == sample_names(module, TOKENIZER, 5)


# --- temperatures that would give nan probabilities, and names streamed as they are drawn ---


@pytest.mark.parametrize("temperature", [float("nan"), float("inf"), float("-inf"), -1e-300])
def test_a_temperature_that_is_not_finite_or_negative_is_refused(model, temperature):
    with pytest.raises(ValueError, match=r"temperature must be 0 \(greedy\) or a positive finite"):
        sample_names(model, TOKENIZER, 1, temperature=temperature)
    with pytest.raises(ValueError, match="temperature"):
        iter_sample_names(model, TOKENIZER, 1, temperature=temperature)  # at the call


def test_every_tiny_temperature_is_greedy_or_refused(small_model, names_data):
    """Down to the smallest float, a temperature gives the greedy names or a clear refusal:
    never nan probabilities and 40-letter garbage."""
    tokenizer, table = names_data.tokenizer, LogitTable(small_model)
    greedy = sample_names(small_model, tokenizer, 5, temperature=0)
    samplers = [partial(sample_names, small_model), partial(sample_from_table, table)]
    refused = 0
    for temperature in [10.0**-k for k in range(3, 324, 5)] + [5e-324]:
        for sampler in samplers:
            try:
                assert sampler(tokenizer, 5, temperature=temperature) == greedy, temperature
            except ValueError as err:
                assert "too close to 0" in str(err) and "use 0 for greedy" in str(err)
                refused += 1
    assert refused > 0


def test_names_stream_out_one_at_a_time(model):
    """A million names: the first ones arrive after drawing only them, not all of them."""
    visits = []

    def counting_cdf(context: list[int]) -> list[float]:
        visits.append(context)
        return cumulative(next_char_probs(model, context))

    names = iter_draw_names(counting_cdf, TOKENIZER, 3, 1_000_000, seed=7)
    first = [next(names) for _ in range(3)]
    assert first == sample_names(model, TOKENIZER, 3, seed=7)
    assert len(visits) == sum(len(name) + 1 for name in first)  # one visit per character drawn
    assert list(iter_sample_names(model, TOKENIZER, 6, seed=2, prefix="k", top_k=5)) == (
        sample_names(model, TOKENIZER, 6, seed=2, prefix="k", top_k=5)
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"num": -1}, "must be >= 0"), ({"prefix": "a7"}, "'7'"), ({"top_k": 0}, "top_k")],
)
def test_streamed_names_check_their_arguments_at_the_call(model, kwargs, message):
    with pytest.raises(ValueError, match=message):
        iter_sample_names(model, TOKENIZER, **{"num": 3, **kwargs})
