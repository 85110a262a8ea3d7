"""Plotting helpers shared by the notebooks: one figure style, loss curves, a confusion matrix (01).

Every notebook calls ``use_series_style()`` in its first cell, so the figures of the series share
one resolution, legend size and fonts; the stored pictures are small enough to keep in the
repository (``tools/run_notebooks.py`` also stores each PNG with a 256-colour palette). Notebook 05
draws the loss curves of its results table's rows with ``plot_row_curves``.

matplotlib's own font, DejaVu Sans, has no Chinese characters: the Chinese edition's titles and
labels would print as empty boxes. The series style therefore lists Noto Sans CJK SC (installed
with the package ``noto-cjk-sans-otc``) after DejaVu Sans, and matplotlib takes each character
from the first font that has it: English text looks as it always did, and Chinese text gets
Noto's Han characters. The words these functions write themselves follow ``language.say``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import noto_cjk_sans_otc
import torch
from matplotlib import font_manager

from ngram_helpers.language import say
from ngram_helpers.results import curves

SERIES_STYLE = {
    "figure.dpi": 80,  # sharp enough on screen and on the web, and a third of the bytes of 100
    "legend.fontsize": 8,  # legends cover less of the curves
    "legend.framealpha": 0.7,
    # each character from the first font that has it: Latin from DejaVu Sans, Han from Noto
    "font.family": ["DejaVu Sans", "Noto Sans CJK SC"],
}


def use_series_style() -> None:
    """Set the series' figure style for the rest of the notebook, Chinese font included."""
    font_manager.fontManager.addfont(str(noto_cjk_sans_otc.FONT_PATH))
    plt.rcParams.update(SERIES_STYLE)


def plot_loss_curves(
    ax,
    curves: dict[str, tuple[Sequence[float], Sequence[float]]],
    *,
    title: str = "",
    xlabel: str | None = None,
    ylabel: str | None = None,
    reference: dict[str, float] | None = None,
):
    """Draw each ``label -> (x, y)`` curve on ``ax``; ``reference`` adds labelled dashed lines.

    The axes are labelled "step" and "loss (nats)" (in the learner's language) unless
    ``xlabel`` or ``ylabel`` says otherwise. Returns ``ax`` so a cell can keep styling it.
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
    ax.set_xlabel(say("step", "步") if xlabel is None else xlabel)
    ax.set_ylabel(say("loss (nats)", "损失（奈特）") if ylabel is None else ylabel)
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def plot_confusion_matrix(ax, counts: torch.Tensor, *, title: str | None = None):
    """Draw a square table of counts (row: true class, column: predicted) as a heat map.

    Each non-zero count is written in its cell, white on the cells darker than half the largest
    count so that it stays readable. Returns ``ax``.
    """
    if counts.dim() != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"a confusion matrix is square; got shape {tuple(counts.shape)}")
    classes = counts.shape[0]
    ax.imshow(counts.numpy(), cmap="Blues")
    dark = counts.max().item() / 2
    for (row, col), count in zip(
        counts.nonzero().tolist(), counts[counts != 0].tolist(), strict=True
    ):
        color = "white" if count > dark else "black"
        ax.text(col, row, count, ha="center", va="center", fontsize=8, color=color)
    ax.set(xticks=range(classes), yticks=range(classes))
    ax.set(xlabel=say("predicted", "预测类别"), ylabel=say("true", "真实类别"))
    ax.set_title(say("confusion matrix", "混淆矩阵") if title is None else title)
    return ax


def plot_row_curves(sidecar: dict, names: list[str], title: str) -> None:
    """Draw and show the val loss (left) and train loss (right) of results-table rows.

    The curves are those of the table's own run of each row (seed 1337), read from the table's
    sidecar (``ngram_helpers.results.read_sidecar``); the train loss is that of the first 20
    training batches. The val panel is zoomed to the quarter of a nat above the lowest point:
    the differences notebook 05 discusses are hundredths of a nat. The train panel keeps the wide
    view, where overfitting shows as a train curve falling far below val.
    """
    _, (ax_val, ax_train) = plt.subplots(1, 2, figsize=(11, 3.4), dpi=80, layout="constrained")
    val_curves = curves(sidecar, names, "val_loss")
    val_label = say("val loss (zoomed)", "验证损失（放大）")
    plot_loss_curves(ax_val, val_curves, title=title, ylabel=val_label)
    train_curves = curves(sidecar, names, "train_loss")
    train_title, train_label = say("train", "训练"), say("train loss", "训练损失")
    plot_loss_curves(ax_train, train_curves, title=train_title, ylabel=train_label)
    lowest = min(min(values) for _, values in val_curves.values())
    ax_val.set_ylim(lowest - 0.02, lowest + 0.25)
    ax_train.set_ylim(1.4, 2.6)
    plt.show()
