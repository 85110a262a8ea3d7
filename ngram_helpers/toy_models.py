"""The small MLPs of notebook 01, on its toy data: built from layer sizes, trained full-batch.

``make_mlp`` gives an ``nn.Sequential`` for the moons, the digits and the sine fit (the language
model of notebooks 02 to 05 is ``models.MLP``); ``plot_decision_boundary`` draws what a 2-D
classifier decides.

Notebook 01 writes its first training loop out by hand; the applications that follow (and the
interactive boundary explorer in :mod:`ngram_helpers.widgets.boundary`) call :func:`fit_full_batch`
instead, after the notebook has checked that both give the same losses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from ngram_helpers.toy_data import Split

ACTIVATIONS: dict[str, type[nn.Module]] = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def make_mlp(sizes: Sequence[int], activation: str = "tanh", seed: int = 0) -> nn.Sequential:
    """A fully connected network ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``.

    ``activation`` (one of :data:`ACTIVATIONS`) follows every layer but the last, whose raw
    outputs (logits, or the prediction for regression) go to the loss. The weights are PyTorch's
    default initialisation drawn under ``torch.manual_seed(seed)``, without touching the caller's
    global random state.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
    if len(sizes) < 2 or any(int(s) < 1 for s in sizes):
        raise ValueError(f"sizes needs at least two positive layer widths, got {list(sizes)}")
    layers: list[nn.Module] = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            layers.append(nn.Linear(n_in, n_out))
            if i < len(sizes) - 2:
                layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def binary_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of one logit per point, (N, 1), against 0/1 labels, (N,)."""
    return F.binary_cross_entropy_with_logits(logits.squeeze(1), labels.float())


@dataclass
class Curves:
    """Full-batch losses recorded after each update step (``step`` counts from 1)."""

    step: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)


def fit_full_batch(
    model: nn.Module,
    data: Split,
    loss_fn: LossFn,
    *,
    learning_rate: float,
    steps: int,
    weight_decay: float = 0.0,
) -> Curves:
    """Train ``model`` with AdamW on the whole training set at every step; return both curves.

    The validation loss is measured after every step without gradients, so the curves show the
    exact moment overfitting starts (used for early stopping in notebook 01).
    """
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    if learning_rate <= 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate}")
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=weight_decay)
    curves = Curves()
    for step in range(1, steps + 1):
        loss = loss_fn(model(data.x_train), data.y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            curves.step.append(step)
            curves.train_loss.append(loss_fn(model(data.x_train), data.y_train).item())
            curves.val_loss.append(loss_fn(model(data.x_val), data.y_val).item())
    return curves


def probability_of_class_1(model: nn.Module, points: torch.Tensor) -> torch.Tensor:
    """P(class 1) for each point, from one logit (sigmoid) or two logits (softmax)."""
    with torch.no_grad():
        out = model(points)
    if out.ndim != 2 or out.shape[1] not in (1, 2):
        raise ValueError(
            f"expected a binary classifier with 1 or 2 outputs per point, got shape {out.shape}"
        )
    return torch.sigmoid(out[:, 0]) if out.shape[1] == 1 else out.softmax(dim=1)[:, 1]


def plot_decision_boundary(
    ax,
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    title: str = "",
    resolution: int = 150,
    margin: float = 0.5,
):
    """Shade P(class 1) over the plane around ``x``, draw the 0.5 contour and the points.

    ``x`` is (N, 2) and ``y`` holds 0/1 labels. Returns ``ax`` so a cell can keep styling it.
    """
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"decision boundaries are drawn for 2-D points (N, 2), got {x.shape}")
    low, high = x.min(dim=0).values - margin, x.max(dim=0).values + margin
    xs = torch.linspace(low[0].item(), high[0].item(), resolution)
    ys = torch.linspace(low[1].item(), high[1].item(), resolution)
    grid_x, grid_y = torch.meshgrid(xs, ys, indexing="xy")
    points = torch.stack([grid_x.reshape(-1), grid_y.reshape(-1)], dim=1)
    prob = probability_of_class_1(model, points).reshape(grid_x.shape)
    ax.contourf(grid_x, grid_y, prob, levels=10, cmap="RdBu_r", vmin=0, vmax=1, alpha=0.4)
    if prob.min() < 0.5 < prob.max():  # a model that predicts one class everywhere has no line
        ax.contour(grid_x, grid_y, prob, levels=[0.5], colors="black", linewidths=1.5)
    for label, color in [(0, "tab:blue"), (1, "tab:red")]:
        chosen = y == label
        ax.scatter(
            x[chosen, 0], x[chosen, 1], s=22, color=color, edgecolors="white", linewidths=0.6
        )
    ax.set_title(title)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax
