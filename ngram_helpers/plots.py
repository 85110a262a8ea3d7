"""Plotting helpers shared by the notebooks (loss curves; introduced in notebook 01)."""

from __future__ import annotations

from collections.abc import Sequence


def plot_loss_curves(
    ax,
    curves: dict[str, tuple[Sequence[float], Sequence[float]]],
    *,
    title: str = "",
    xlabel: str = "step",
    ylabel: str = "loss (nats)",
    reference: dict[str, float] | None = None,
):
    """Draw each ``label -> (x, y)`` curve on ``ax``; ``reference`` adds labelled dashed lines.

    Returns ``ax`` so a cell can keep styling it.
    """
    for label, (x, y) in curves.items():
        ax.plot(list(x), list(y), label=label)
    for label, value in (reference or {}).items():
        ax.axhline(value, linestyle="--", color="gray", linewidth=1)
        ax.annotate(
            f"{label} {value:.4f}",
            (1.0, value),
            xycoords=("axes fraction", "data"),
            ha="right",
            va="bottom",
            fontsize=8,
            color="gray",
        )
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    ax.grid(alpha=0.3)
    return ax
