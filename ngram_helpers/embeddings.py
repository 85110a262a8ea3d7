"""Looking at embedding vectors: PCA to 2-D, alignment, neighbours, labelled plots (02-04).

Every notebook that shows learned vectors (the MLP's character embeddings, skip-gram, CBOW) uses
these, so the pictures are made the same way everywhere.
"""

from __future__ import annotations

import math

import torch

from ngram_helpers.language import say


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
    ax.scatter(
        [],
        [],
        s=60,
        color="tab:red",
        alpha=0.4,
        label=say(f"vowels ({highlight})", f"元音（{highlight}）"),
    )
    ax.scatter(
        [], [], s=60, color="tab:blue", alpha=0.4, label=say("the other symbols", "其余符号")
    )
    ax.legend(loc="best")
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    return ax


def place_labels(
    anchors: list[tuple[float, float]],
    sizes: list[tuple[float, float]],
    *,
    marker: float = 8.0,
    gap: float = 1.0,
    rings: int = 8,
) -> list[tuple[float, float]]:
    """Centres for text labels near their points, none covering another label or a point.

    In pixels: label ``i`` is a ``sizes[i]`` = (width, height) box for the point ``anchors[i]``,
    and every point is a ``marker``-wide square. The labels are placed one by one, in order, each
    at the first free spot among: just above its point, just below, right, left; then the same
    four one label-height further out, and so on for ``rings`` rounds ("free": ``gap`` pixels
    clear of every point and of the labels placed before). A label with no free spot goes just
    above its point. Simple greedy placement, enough for a few dozen labels.
    """
    if len(anchors) != len(sizes):
        raise ValueError(f"{len(anchors)} anchors but {len(sizes)} label sizes")
    placed: list[tuple[float, float, float, float]] = []  # centre x, centre y, width, height

    def free(x, y, w, h):
        boxes = placed + [(px, py, marker, marker) for px, py in anchors]
        return all(
            abs(x - bx) >= (w + bw) / 2 + gap or abs(y - by) >= (h + bh) / 2 + gap
            for bx, by, bw, bh in boxes
        )

    for (x, y), (w, h) in zip(anchors, sizes, strict=True):
        up, side = marker / 2 + 2 * gap + h / 2, marker / 2 + 2 * gap + w / 2  # gap to spare
        spots = [
            spot
            for r in range(rings)
            for spot in (
                (x, y + up + r * h),
                (x, y - up - r * h),
                (x + side + r * h, y),
                (x - side - r * h, y),
            )
        ]
        cx, cy = next((spot for spot in spots if free(*spot, w, h)), spots[0])
        placed.append((cx, cy, w, h))
    return [(cx, cy) for cx, cy, _, _ in placed]


def plot_word_groups(
    ax, coords: torch.Tensor, words: list[str], groups: list[str], fontsize: float = 8
):
    """Scatter (N, 2) points of words, one colour per group, each word labelled near its point.

    The labels are placed clear of each other and of the points (``place_labels``, in pixels),
    so that close words stay readable; a label that had to go further than just above or below its
    point gets a thin line back to it. Returns ``ax``.
    """
    names = list(dict.fromkeys(groups))  # the groups, in order of first appearance
    colors = [f"C{names.index(group)}" for group in groups]
    ax.scatter(coords[:, 0], coords[:, 1], color=colors, alpha=0.3, s=40)
    ax.margins(0.12)  # room for the labels at the edges
    ax.autoscale_view()
    ax.set(xlim=ax.get_xlim(), ylim=ax.get_ylim())  # fixed: pixels map to data from here on
    points = [tuple(p) for p in ax.transData.transform(coords.tolist()).tolist()]
    font = ax.figure.dpi / 72 * fontsize  # the font's size in pixels
    sizes = [(0.62 * font * len(word) + 2, 1.25 * font) for word in words]
    centres = place_labels(points, sizes)
    in_data = ax.transData.inverted().transform(centres).tolist()
    for word, color, xy, (px, py), centre, text_xy, (_, h) in zip(
        words, colors, coords.tolist(), points, centres, in_data, sizes, strict=True
    ):
        far = math.dist(centre, (px, py)) > 1.5 * h  # not just above or below its point
        line = {"arrowstyle": "-", "color": color, "alpha": 0.5, "linewidth": 0.6} if far else None
        ax.annotate(word, xy, xytext=text_xy, color=color, ha="center", va="center",
                    fontsize=fontsize, arrowprops=line)  # fmt: skip
    for number, name in enumerate(names):
        ax.scatter([], [], color=f"C{number}", alpha=0.5, label=name)
    ax.legend(title="group", loc="best")
    return ax
