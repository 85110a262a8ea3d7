"""Small data sets for the MLP basics (notebook 01): two moons, a noisy sine, 8x8 digits.

Each maker returns a :class:`Split` (train and validation tensors) drawn from its own seeded
``torch.Generator``, so the same call gives the same numbers on every run and does not disturb
torch's global random state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Split:
    """Inputs ``x`` and targets ``y`` for training and for validation."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor


def _check_sizes(**sizes: int) -> None:
    for name, value in sizes.items():
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive whole number, got {value!r}")


def _check_noise(noise: float) -> None:
    if noise < 0:
        raise ValueError(f"noise must be >= 0 (a standard deviation), got {noise!r}")


def _split(x: torch.Tensor, y: torch.Tensor, n_val: int, generator: torch.Generator) -> Split:
    """Shuffle the rows of ``x``/``y`` together and keep the last ``n_val`` for validation."""
    order = torch.randperm(len(x), generator=generator)
    x, y = x[order], y[order]
    return Split(x[:-n_val], y[:-n_val], x[-n_val:], y[-n_val:])


def two_moons(n_train: int = 200, n_val: int = 200, noise: float = 0.15, seed: int = 0) -> Split:
    """Two interleaved half circles in 2-D, labelled 0 and 1 (``y`` is int64).

    No straight line separates them, which is what makes them the smallest interesting test of a
    hidden layer. ``noise`` is the standard deviation of the Gaussian jitter added to each point.
    """
    _check_sizes(n_train=n_train, n_val=n_val)
    _check_noise(noise)
    g = torch.Generator().manual_seed(seed)
    n = n_train + n_val
    y = torch.arange(n) % 2
    angle = torch.rand(n, generator=g) * math.pi
    upper = torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    lower = torch.stack([1 - torch.cos(angle), 0.5 - torch.sin(angle)], dim=1)
    x = torch.where(y[:, None] == 0, upper, lower)
    x = x + noise * torch.randn(n, 2, generator=g)
    return _split(x, y, n_val, g)


def noisy_sine(n_train: int = 40, n_val: int = 100, noise: float = 0.1, seed: int = 0) -> Split:
    """Points ``(x, sin(3x) + noise)`` with ``x`` uniform in [-2, 2], as (n, 1) float tensors."""
    _check_sizes(n_train=n_train, n_val=n_val)
    _check_noise(noise)
    g = torch.Generator().manual_seed(seed)
    n = n_train + n_val
    x = torch.rand(n, 1, generator=g) * 4 - 2
    y = torch.sin(3 * x) + noise * torch.randn(n, 1, generator=g)
    return _split(x, y, n_val, g)


def digits(n_val: int = 500, seed: int = 0) -> Split:
    """scikit-learn's bundled 8x8 handwritten digits (1,797 images, no download), split in two.

    ``x`` rows are the 64 pixels scaled to [0, 1] (float32); ``y`` is the digit 0-9 (int64).
    Reshape a row to (8, 8) to look at it.
    """
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = torch.tensor(bunch.data, dtype=torch.float32) / 16.0
    y = torch.tensor(bunch.target, dtype=torch.int64)
    _check_sizes(n_val=n_val)
    if n_val >= len(x):
        raise ValueError(f"n_val must leave training images: got {n_val} of {len(x)} images")
    return _split(x, y, n_val, torch.Generator().manual_seed(seed))
