"""Kneser-Ney smoothing: proper distributions, the published discount estimates, better counts."""

import pytest
import torch

from ngram_helpers.evaluate import padded_loss
from ngram_helpers.ngrams import (
    KneserNey,
    best_count_model,
    fit_kneser_ney,
    modified_discounts,
    padded_examples,
)


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


def test_kneser_ney_beats_add_alpha_at_order_4_and_5(names_data):
    for order in (4, 5):
        model = fit_kneser_ney(names_data, order)
        add_alpha = best_count_model(names_data, order)
        assert padded_loss(model, names_data, "val") < add_alpha.val_loss - 0.02
