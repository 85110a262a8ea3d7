"""The toy data makers of notebook 01: shapes, labels, determinism and clear errors."""

import pytest
import torch

from ngram_helpers.toy_data import digits, noisy_sine, two_moons


def test_two_moons_shapes_and_balanced_labels():
    data = two_moons(n_train=30, n_val=10, seed=1)
    assert data.x_train.shape == (30, 2) and data.x_val.shape == (10, 2)
    assert data.y_train.dtype == torch.int64
    labels = torch.cat([data.y_train, data.y_val])
    assert set(labels.tolist()) == {0, 1}
    assert labels.sum().item() == 20  # half of the 40 points in each moon


def test_makers_are_deterministic_and_seed_dependent():
    a, b, c = two_moons(seed=3), two_moons(seed=3), two_moons(seed=4)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_val, b.y_val)
    assert not torch.equal(a.x_train, c.x_train)
    assert torch.equal(noisy_sine(seed=2).y_train, noisy_sine(seed=2).y_train)


def test_makers_leave_global_random_state_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    two_moons()
    noisy_sine()
    assert torch.equal(torch.rand(3), expected)


def test_noisy_sine_without_noise_is_the_sine():
    data = noisy_sine(n_train=5, n_val=5, noise=0.0)
    assert data.x_train.shape == (5, 1)
    assert torch.allclose(data.y_train, torch.sin(3 * data.x_train))
    assert data.x_train.abs().max() <= 2


def test_digits_split_and_pixel_range():
    data = digits(n_val=297)
    assert data.x_train.shape == (1500, 64) and data.x_val.shape == (297, 64)
    assert 0.0 <= data.x_train.min() and data.x_train.max() <= 1.0
    assert set(data.y_val.tolist()) == set(range(10))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: two_moons(n_train=0), "n_train must be a positive whole number"),
        (lambda: noisy_sine(n_val=-1), "n_val must be a positive whole number"),
        (lambda: two_moons(noise=-0.1), "noise must be >= 0"),
        (lambda: digits(n_val=5000), "n_val must leave training images"),
    ],
)
def test_bad_sizes_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
