"""Looking at embedding vectors: PCA to 2-D, alignment, nearest neighbours (notebooks 02-04).

Every notebook that shows learned vectors (the MLP's character embeddings, skip-gram, CBOW) uses
these, so the pictures are made the same way everywhere.
"""

from __future__ import annotations

import torch


def pca_2d(vectors: torch.Tensor, fit_rows: list[int] | None = None) -> torch.Tensor:
    """Project ``vectors`` (N, D) onto their first two principal components, as (N, 2).

    The mean and the components are computed from ``fit_rows`` only (all rows by default), so an
    outlier such as the end-of-name token can be left out of the fit and still be placed on the
    plot. The sign of each component is fixed (largest-magnitude loading positive) so that the
    picture does not flip between library versions.
    """
    x = vectors.detach().to(torch.float64)
    fit = x if fit_rows is None else x[fit_rows]
    mean = fit.mean(dim=0)
    _, _, vt = torch.linalg.svd(fit - mean, full_matrices=False)
    components = vt[:2]
    biggest = components.abs().argmax(dim=1)
    signs = torch.sign(components[torch.arange(2), biggest])
    return (x - mean) @ (components * signs[:, None]).T


def procrustes_align(source: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Rotate/reflect and scale ``source`` (N, D) to best match ``target`` (N, D).

    Both are centred; the orthogonal map comes from the SVD of ``source.T @ target`` (the
    orthogonal Procrustes problem) and one scale factor is fitted by least squares. Returns the
    aligned copy of ``source``, expressed around ``target``'s mean.
    """
    s = source.detach().to(torch.float64)
    t = target.detach().to(torch.float64)
    s_mean, t_mean = s.mean(dim=0), t.mean(dim=0)
    s0, t0 = s - s_mean, t - t_mean
    u, sigma, vt = torch.linalg.svd(s0.T @ t0)
    rotation = u @ vt
    scale = sigma.sum() / (s0 * s0).sum()
    return scale * s0 @ rotation + t_mean


def cosine_neighbours(
    vectors: torch.Tensor, query: int, k: int = 5, exclude: list[int] | None = None
) -> list[tuple[int, float]]:
    """The ``k`` rows most similar to row ``query`` by cosine similarity, best first.

    Returns (row index, similarity) pairs; the query itself and ``exclude`` rows are skipped.
    """
    x = torch.nn.functional.normalize(vectors.detach().to(torch.float64), dim=1)
    sims = x @ x[query]
    sims[query] = float("-inf")
    for row in exclude or []:
        sims[row] = float("-inf")
    k = min(k, int(torch.isfinite(sims).sum()))
    values, indices = torch.topk(sims, k)
    return list(zip(indices.tolist(), values.tolist(), strict=True))


def plot_labelled_2d(ax, coords: torch.Tensor, labels: list[str], highlight: str = "aeiouy"):
    """Scatter (N, 2) points with a text label each; labels in ``highlight`` drawn in red.

    A legend says what the colours mean. Returns ``ax`` so calls can be chained in a cell.
    """
    for (x, y), label in zip(coords.tolist(), labels, strict=True):
        color = "tab:red" if label in highlight else "tab:blue"
        ax.scatter(x, y, s=160, color=color, alpha=0.25)
        ax.annotate(label, (x, y), ha="center", va="center", fontsize=10, color=color)
    ax.scatter([], [], s=60, color="tab:red", alpha=0.4, label=f"vowels ({highlight})")
    ax.scatter([], [], s=60, color="tab:blue", alpha=0.4, label="the other symbols")
    ax.legend(loc="best")
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    return ax
