"""Count n-gram models (ngram_helpers.ngrams): add-alpha counts, then Kneser-Ney smoothing."""

from pathlib import Path

import pytest
import torch

from ngram_helpers.data import NgramTable, Tokenizer, load_names
from ngram_helpers.evaluate import padded_loss
from ngram_helpers.ngrams import (
    KneserNey,
    NgramCounts,
    best_count_model,
    context_ids,
    fit_counts,
    fit_kneser_ney,
    modified_discounts,
    padded_examples,
)
from tests.conftest import LESSON

TOKENIZER = Tokenizer("\nabcdefghijklmnopqrstuvwxyz")
NAMES = "emma\nava\nanna\nemily\nmia\n"


def counts_for(order: int, text: str = NAMES) -> NgramCounts:
    tokens = TOKENIZER.encode(text)
    return NgramCounts(*padded_examples(tokens, order, 0), TOKENIZER.vocab_size)


def test_padded_examples_start_each_name_with_end_tokens():
    contexts, targets = padded_examples(TOKENIZER.encode("ab\nc\n"), 3, 0)
    as_text = [
        (TOKENIZER.decode(c.tolist()), TOKENIZER.decode([t]))
        for c, t in zip(contexts, targets, strict=True)
    ]
    assert as_text == [
        ("\n\n", "a"),
        ("\na", "b"),
        ("ab", "\n"),
        ("\n\n", "c"),
        ("\nc", "\n"),
    ]


def test_padded_examples_one_prediction_per_character():
    tokens = TOKENIZER.encode(NAMES)
    for order in (1, 2, 5):
        contexts, targets = padded_examples(tokens, order, 0)
        assert contexts.shape == (len(tokens), order - 1)
        assert targets.tolist() == tokens


def test_padded_examples_rejects_bad_input():
    with pytest.raises(ValueError, match="at least 1"):
        padded_examples([1, 0], 0, 0)
    with pytest.raises(ValueError, match="end with the end token"):
        padded_examples([1, 2], 2, 0)


def test_context_ids_read_tokens_in_base_v():
    assert context_ids(torch.tensor([[1, 2, 3]]), 27).tolist() == [1 * 27 * 27 + 2 * 27 + 3]
    assert context_ids(torch.zeros(4, 0, dtype=torch.long), 27).tolist() == [0, 0, 0, 0]


@pytest.mark.parametrize("order", [1, 2, 3, 4])
@pytest.mark.parametrize("alpha", [0.0, 1e-3, 0.1, 1.0])
def test_probabilities_sum_to_one_per_context(order, alpha):
    model = counts_for(order)
    # every possible context: the digits of 0 .. 27^(n-1) - 1 in base 27
    ids = torch.arange(27 ** (order - 1))
    digits = [ids // 27**k % 27 for k in range(order - 2, -1, -1)]
    every_context = torch.stack(digits, dim=1) if digits else ids[:, None][:, :0]
    assert torch.equal(context_ids(every_context, 27), ids)
    probs = model.probs(every_context, alpha)
    assert probs.shape == (27 ** (order - 1), 27)
    assert torch.allclose(probs.sum(dim=1), torch.ones(len(probs), dtype=torch.float64))
    assert (probs >= 0).all()


def test_alpha_to_zero_recovers_mle_on_seen_contexts():
    model = counts_for(3)
    contexts, _ = padded_examples(TOKENIZER.encode(NAMES), 3, 0)
    seen = torch.unique(contexts, dim=0)
    counts = model.counts(seen)
    mle = counts / counts.sum(dim=1, keepdim=True)
    assert torch.allclose(model.probs(seen, 1e-9), mle, atol=1e-7)
    assert torch.equal(model.probs(seen, 0.0), mle)


def test_counts_match_a_hand_count():
    model = counts_for(2)
    m_row = model.counts(torch.tensor([[TOKENIZER.encode("m")[0]]]))[0]
    # after 'm': emma gives m and a, emily gives i, mia gives i
    assert {TOKENIZER.decode([i]): int(c) for i, c in enumerate(m_row) if c} == {
        "m": 1,
        "a": 1,
        "i": 2,
    }


def test_unseen_context_is_uniform_and_seen_flags_it():
    model = counts_for(3)
    unseen = torch.tensor(TOKENIZER.encode("zz"))[None]
    uniform = torch.full((1, 27), 1 / 27, dtype=torch.float64)
    assert torch.allclose(model.probs(unseen, 0.1), uniform)
    assert model.seen(unseen).tolist() == [False]
    assert model.seen(torch.tensor([TOKENIZER.encode("mm")])).tolist() == [True]


def test_loss_agrees_with_probs():
    model = counts_for(3)
    contexts, targets = padded_examples(TOKENIZER.encode("emma\nzoe\n"), 3, 0)
    probs = model.probs(contexts, 0.3)
    expected = -probs[torch.arange(len(targets)), targets].log().mean().item()
    assert model.loss(contexts, targets, 0.3) == pytest.approx(expected, rel=1e-12)


def test_negative_alpha_is_rejected():
    model = counts_for(2)
    with pytest.raises(ValueError, match="alpha"):
        model.probs(torch.tensor([[1]]), -0.1)
    with pytest.raises(ValueError, match="alpha"):
        model.loss(torch.tensor([[1]]), torch.tensor([1]), float("nan"))


def write_split(folder: Path) -> None:
    folder.mkdir()
    (folder / "train.txt").write_text("emma\nava\nanna\nemily\nmia\nella\n")
    (folder / "val.txt").write_text("emma\nanna\n")
    (folder / "test.txt").write_text("ava\nemily\n")


def test_best_count_model_picks_alpha_on_val(tmp_path):
    write_split(tmp_path / "names")
    data = load_names(tmp_path / "names")
    alphas = (0.01, 0.1, 1.0)
    result = best_count_model(data, 3, alphas)
    model = fit_counts(data, 3)
    val = padded_examples(data.tokens["val"], 3, 0)
    assert result.val_loss == min(model.loss(*val, a) for a in alphas)
    alpha, val_loss, test_loss = result
    test = padded_examples(data.tokens["test"], 3, 0)
    assert test_loss == model.loss(*test, alpha)
    with pytest.raises(ValueError, match="at least one"):
        best_count_model(data, 3, ())


def test_reference_split_figures():
    data = load_names(LESSON)
    # The published count 4-gram (alpha 0.1) walks the token stream like the MLP: 2.1064.
    train = NgramTable(data.tokens["train"], 3)
    test = NgramTable(data.tokens["test"], 3)
    stream = NgramCounts(train.contexts, train.targets, 27)
    assert round(stream.loss(test.contexts, test.targets, 0.1), 4) == 2.1064
    # Our padded protocol (each name starts from end tokens) on the same split.
    alpha, val_loss, test_loss = best_count_model(data, 4)
    assert alpha == 0.1
    assert round(val_loss, 4) == 2.0831
    assert round(test_loss, 4) == 2.0794


# --- Kneser-Ney smoothing: proper distributions, the published discounts, better counts ---


def test_discounts_follow_the_count_of_counts():
    counts = torch.tensor([1.0] * 8 + [2.0] * 4 + [3.0] * 2 + [4.0] * 1 + [9.0])
    y = 8 / (8 + 2 * 4)
    expected = [0.0, 1 - 2 * y * 4 / 8, 2 - 3 * y * 2 / 4, 3 - 4 * y * 1 / 2]
    assert modified_discounts(counts).tolist() == pytest.approx(expected)
    assert modified_discounts(torch.tensor([5.0, 6.0])).tolist() == [0.0, 0.5, 0.5, 0.5]


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_every_context_gets_a_distribution(names_data, order):
    model = fit_kneser_ney(names_data, order)
    assert model.table.shape == (27 ** (order - 1), 27)
    assert torch.allclose(model.table.sum(dim=1), torch.ones(1, dtype=torch.float64))
    assert (model.table > 0).all()  # no character is impossible, even after an unseen context


def test_unseen_context_backs_off_to_the_shorter_one():
    # tokens: 0 = end, 1..3 letters; the only names are "12" and "13"
    contexts, targets = padded_examples([1, 2, 0, 1, 3, 0], 3, 0)
    model = KneserNey(contexts, targets, 4)
    # neither (3, 3) nor (2, 3) was seen: both fall back to the order-2 model after "3"
    assert torch.equal(model.probs(torch.tensor([[3, 3]])), model.probs(torch.tensor([[2, 3]])))
    assert not torch.equal(model.probs(torch.tensor([[0, 1]])), model.probs(torch.tensor([[2, 1]])))
    assert (model.table > 0).all()
    with pytest.raises(ValueError, match="order must be 1 to 5"):
        KneserNey(torch.zeros(1, 5, dtype=torch.long), torch.zeros(1, dtype=torch.long), 4)


@pytest.mark.slow  # fits order-4 and order-5 models on the whole training split
def test_kneser_ney_beats_add_alpha_at_order_4_and_5(names_data):
    for order in (4, 5):
        model = fit_kneser_ney(names_data, order)
        add_alpha = best_count_model(names_data, order)
        assert padded_loss(model, names_data, "val") < add_alpha.val_loss - 0.02
