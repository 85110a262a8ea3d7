"""Plotting helpers shared by the notebooks: one figure style, loss curves (notebook 01).

Every notebook calls ``use_series_style()`` in its first cell, so the figures of the series share
one resolution and legend size; the stored pictures are small enough to keep in the repository
(``tools/run_notebooks.py`` also stores each PNG with a 256-colour palette).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt

SERIES_STYLE = {
    "figure.dpi": 80,  # sharp enough on screen and on the web, and a third of the bytes of 100
    "legend.fontsize": 8,  # legends cover less of the curves
    "legend.framealpha": 0.7,
}


def use_series_style() -> None:
    """Set the series' figure style for the rest of the notebook."""
    plt.rcParams.update(SERIES_STYLE)


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
